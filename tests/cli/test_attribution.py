"""Who made a change, end to end: the fake logs config updates as qemu-server does and logs nothing
for a container's config (pve-container), answering GET /cluster/log as pve-manager's Cluster.pm
(proxstate/demo/clusterlog.py); the tokens change the cluster through the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from proxstate.demo.clusterlog import ClusterLog, log_as_pve
from tests.helpers.clusterlog import ALICE, BOB, add_tokens, api_as
from tests.helpers.repo import git


@pytest.fixture
def log(small_cluster: Any) -> ClusterLog:
    add_tokens(small_cluster)
    return log_as_pve(small_cluster)


def _report(cli: Any, repo: Path) -> dict[str, Any]:
    result = cli("show-changes", "-C", str(repo), "--format", "json")
    assert result.code == 0, result.err
    return {r["resource_id"]: r for r in json.loads(result.out)["resources"]}


def _sync(cli: Any, repo: Path) -> None:
    result = cli("sync", "-C", str(repo))
    assert result.code == 0, result.err


def test_a_memory_change_by_one_token_is_attributed_exactly(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    _sync(cli, synced)
    (who,) = _report(cli, synced)["qemu/102"]["attribution"]
    assert (who["actor"], who["source"], who["confidence"]) == (ALICE, "cluster-log", "exact")
    assert who["message"] == "update VM 102: -memory 8192" and who["fields"] == ["config.memory"]
    assert who["entry"].endswith(":pve2")
    text = cli("show-changes", "-C", str(synced)).out
    assert f"by {ALICE} (update VM 102: -memory 8192, " in text
    message = git(synced, "log", "-1", "--format=%B")
    assert f"Proxstate-Actor: {ALICE} qemu/102 exact cluster-log:{who['entry']}" in message
    assert f"  by {ALICE} (update VM 102: -memory 8192)" in message


def test_a_container_change_is_unattributed(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/lxc/201/config", memory="1024")
    _sync(cli, synced)
    (who,) = _report(cli, synced)["lxc/201"]["attribution"]
    assert (who["actor"], who["source"], who["confidence"]) == (None, "none", "none")
    assert who["fields"] == ["config.memory"]
    assert (
        "unattributed: PVE recorded no author (config.memory)" in cli("show-changes", "-C", str(synced)).out
    )
    assert "Proxstate-Actor: unattributed lxc/201" in git(synced, "log", "-1", "--format=%B")


def test_two_edits_of_one_guest_by_two_users_are_both_attributed(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    api_as(small_cluster, fakepve_cafile, BOB, "PUT", "/nodes/pve2/qemu/102/config", cores="8")
    _sync(cli, synced)
    found = {a["actor"]: a for a in _report(cli, synced)["qemu/102"]["attribution"]}
    assert found[ALICE]["fields"] == ["config.memory"] and found[ALICE]["confidence"] == "exact"
    assert found[BOB]["fields"] == ["config.cores"] and found[BOB]["confidence"] == "exact"
    message = git(synced, "log", "-1", "--format=%B")
    assert f"Proxstate-Actor: {ALICE} qemu/102 exact" in message
    assert f"Proxstate-Actor: {BOB} qemu/102 exact" in message


def test_of_two_edits_of_one_setting_the_one_that_set_its_value_is_exact(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    api_as(small_cluster, fakepve_cafile, BOB, "PUT", "/nodes/pve2/qemu/102/config", memory="6144")
    _sync(cli, synced)
    (who,) = _report(cli, synced)["qemu/102"]["attribution"]
    assert (who["actor"], who["confidence"]) == (BOB, "exact")
    # Both set it and the value says nothing (set back to what it was, then changed): both likely.
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", cores="2")
    api_as(small_cluster, fakepve_cafile, BOB, "PUT", "/nodes/pve2/qemu/102/config", cores="6")
    small_cluster.vm(102).config["cores"] = 3  # then changed on the host itself
    _sync(cli, synced)
    found = _report(cli, synced)["qemu/102"]["attribution"]
    assert {(a["actor"], a["confidence"]) for a in found} == {(ALICE, "likely"), (BOB, "likely")}
    assert f"likely by {BOB} (update VM 102: -cores 6, " in cli("show-changes", "-C", str(synced)).out


def test_known_automation_is_named_as_such(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    config = synced / "proxstate.yaml"
    text = config.read_text()
    assert "attribution:\n  automation: {}\n" in text  # as proxstate init writes it
    config.write_text(text.replace("  automation: {}\n", '  automation:\n    "*@pve!ci": terraform\n'))
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    _sync(cli, synced)
    (who,) = _report(cli, synced)["qemu/102"]["attribution"]
    assert who["label"] == "automation: terraform"
    assert f"by {ALICE} [automation: terraform] (update VM 102" in cli("show-changes", "-C", str(synced)).out
    assert f"  by {ALICE} [automation: terraform] (" in git(synced, "log", "-1", "--format=%B")
