"""`drift --class` and `--kind` (proxstate.diff.select): what a reviewer narrows the report to, and
the usage errors of names that no change or kind has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import Result, api_post


@pytest.fixture
def drifted(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> Path:
    """A record, then a VM's memory and bridge changed and a cluster alias changed."""
    vm = small_cluster.find("pve2", 102)
    vm.config["net0"] = "virtio=BC:24:11:00:00:02,bridge=vmbr0"
    api_post(small_cluster, pve_env, "/cluster/firewall/aliases", {"name": "lan", "cidr": "192.0.2.0/24"})
    assert cli("sync", "-C", str(state_repo)).code == 0
    vm.config.update(memory=8192, net0="virtio=BC:24:11:00:00:02,bridge=vmbr1")
    small_cluster.firewall_config("cluster")["aliases"]["lan"]["cidr"] = "192.0.2.0/25"
    return state_repo


def _drift(cli: Callable[..., Result], repo: Path, *args: str) -> Result:
    return cli("drift", "-C", str(repo), "--no-notify", *args)


def test_class_keeps_only_the_fields_of_that_class(drifted: Path, cli: Callable[..., Result]) -> None:
    whole = _drift(cli, drifted)
    assert "memory" in whole.out and "net0" in whole.out and "alias lan" in whole.out

    network = _drift(cli, drifted, "--class", "network")
    assert network.code == 2
    assert "net0" in network.out and "vmbr1" in network.out
    assert "memory" not in network.out
    # An alias's address is a network field of a security resource: it stays, with both classes.
    assert "firewall/cluster/aliases  [security, network]" in network.out

    hardware = _drift(cli, drifted, "--class", "HARDWARE,")
    assert "config.memory: 4096 -> 8192" in hardware.out
    assert "net0" not in hardware.out and "firewall/cluster/aliases" not in hardware.out


def test_kind_keeps_only_the_resources_of_those_kinds(drifted: Path, cli: Callable[..., Result]) -> None:
    firewall = _drift(cli, drifted, "--kind", "firewall")
    assert firewall.code == 2
    assert "firewall/cluster/aliases" in firewall.out and "qemu/102" not in firewall.out
    guests = _drift(cli, drifted, "--kind", "lxc,qemu", "--class", "security")
    assert "qemu/102" not in guests.out and "firewall/cluster/aliases" not in guests.out


def test_unknown_class_and_kind_are_usage_errors(drifted: Path, cli: Callable[..., Result]) -> None:
    wrong_class = _drift(cli, drifted, "--class", "network,colour")
    assert wrong_class.code == 64
    assert "unknown class 'colour'; known classes:" in wrong_class.err
    assert "security" in wrong_class.err and not wrong_class.out
    wrong_kind = _drift(cli, drifted, "--kind", "qemu,vmm")
    assert wrong_kind.code == 64
    assert "--kind" in wrong_kind.err and "vmm" in wrong_kind.err
