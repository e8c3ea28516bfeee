"""`show --format pvesh`: the printed calls, sent to the fake cluster after the resource was removed
there, recreate it as recorded (drift exits 0 again)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result, api_post
from tests.helpers.pvesh import apply_pvesh


def _api(pve: Any, env: dict[str, str], method: str, path: str) -> Any:
    response = httpx.request(
        method,
        f"{pve.url}/api2/json{path}",
        headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
        verify=ssl.create_default_context(cafile=env["PROXSTATE_CA_CERT"]),
    )
    response.raise_for_status()
    return response.json()["data"]


def test_firewall_rules_and_a_pool_are_recreated(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    rules = "/cluster/firewall/rules"
    api_post(small_cluster, pve_env, rules, {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22"})
    api_post(small_cluster, pve_env, rules, {"type": "in", "action": "DROP", "source": "203.0.113.0/24"})
    assert cli("sync", "-C", str(state_repo)).code == 0
    while _api(small_cluster, pve_env, "GET", rules):  # every rule, so the calls start from none
        _api(small_cluster, pve_env, "DELETE", f"{rules}/0")
    _api(small_cluster, pve_env, "PUT", "/pools/prod?vms=101&delete=1")
    _api(small_cluster, pve_env, "DELETE", "/pools/prod")
    assert cli("drift", "-C", str(state_repo), "--no-notify").code == 2

    for resource in ("firewall/cluster/rules", "pool/prod"):
        script = cli("show", resource, "-C", str(state_repo), "--format", "pvesh")
        assert script.code == 0, script.err
        assert apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], script.out) >= 1

    drift = cli("drift", "-C", str(state_repo), "--no-notify")
    assert drift.code == 0, drift.out


def test_a_masked_secret_is_a_placeholder(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    small_cluster.find("pve2", 102).config["cipassword"] = "hunter2"
    assert cli("sync", "-C", str(state_repo)).code == 0
    script = cli("show", "qemu/102", "-C", str(state_repo), "--format", "pvesh")
    assert "--cipassword '<SECRET: fill in cipassword>'" in script.out
    assert "hunter2" not in script.out
    assert script.out.startswith("# qemu/102 as recorded")
    assert "pvesh create /nodes/pve2/qemu --vmid 102 " in script.out
