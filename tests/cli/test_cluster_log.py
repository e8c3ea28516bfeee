"""The cluster log recorded by `proxstate sync`: one document per UTC day, deduplicated by PVE's
`<uid>:<node>`, secrets masked, kept when PVE's ring buffer forgets (the fake answers
GET /cluster/log as pve-manager PVE/API2/Cluster.pm `log` does: proxstate/demo/clusterlog.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from proxstate.demo.clusterlog import ClusterLog, log_as_pve
from tests.helpers.clusterlog import ALICE, add_tokens, api_as
from tests.helpers.repo import commit_count, document


@pytest.fixture
def log(small_cluster: Any) -> ClusterLog:
    add_tokens(small_cluster)
    return log_as_pve(small_cluster)


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_sync_records_the_log_of_the_day_with_its_authors(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    day = document(synced, f"cluster-log/{_today()}.yaml")
    assert day["kind"] == "cluster-log" and day["date"] == _today()
    [(key, entry)] = [(k, e) for k, e in day["entries"].items() if "update VM" in e["msg"]]
    assert entry["msg"] == "update VM 102: -memory 8192"
    assert entry["user"] == ALICE and entry["node"] == "pve2" and key == f"{entry['pid'] - 4000}:pve2"


def test_a_logged_secret_is_masked_and_pves_hidden_value_kept(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, state_repo: Path, pve_env: Any, cli: Any
) -> None:
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve1/qemu/101/config", cipassword="hunter2")
    # What an older writer, or a hand-made entry, may say in clear text.
    log.add("pve1", "root@pam", "update VM 102: -cipassword hunter2 -memory 4096")
    assert cli("sync", "-C", str(state_repo)).code == 0
    text = (state_repo / "clusters" / "lab" / "cluster-log" / f"{_today()}.yaml").read_text()
    assert "hunter2" not in text
    assert "update VM 101: -cipassword <hidden>" in text
    assert "update VM 102: -cipassword <masked> -memory 4096" in text


def test_entries_are_recorded_once_and_kept_after_the_ring_buffer_forgets_them(
    log: ClusterLog, state_repo: Path, pve_env: Any, cli: Any
) -> None:
    log.add("pve1", "root@pam", "first entry")
    log.add("pve2", "root@pam", "first entry on pve2")  # uid 1 as well: another node's counter
    assert cli("sync", "-C", str(state_repo)).code == 0
    commits = commit_count(state_repo)
    assert cli("sync", "-C", str(state_repo)).code == 0
    assert commit_count(state_repo) == commits  # read again: nothing new
    log.entries.clear()  # the ring buffer wrapped around
    log.add("pve1", "root@pam", "second entry")
    assert cli("sync", "-C", str(state_repo)).code == 0
    entries = document(state_repo, f"cluster-log/{_today()}.yaml")["entries"]
    assert {key: entry["msg"] for key, entry in entries.items()} == {
        "1:pve1": "first entry",
        "1:pve2": "first entry on pve2",
        "2:pve1": "second entry",
    }


def test_an_entry_is_filed_under_the_utc_day_of_its_time(
    log: ClusterLog, state_repo: Path, pve_env: Any, cli: Any
) -> None:
    log.add("pve1", "root@pam", "late", when=datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC).timestamp())
    log.add("pve1", "root@pam", "early", when=datetime(2026, 11, 25, 0, 0, 1, tzinfo=UTC).timestamp())
    assert cli("sync", "-C", str(state_repo)).code == 0
    assert [e["msg"] for e in document(state_repo, "cluster-log/2026-11-24.yaml")["entries"].values()] == [
        "late"
    ]
    assert [e["msg"] for e in document(state_repo, "cluster-log/2026-11-25.yaml")["entries"].values()] == [
        "early"
    ]


def test_a_login_without_sys_syslog_is_told_that_attribution_is_limited(
    log: ClusterLog, small_cluster: Any, state_repo: Path, pve_env: Any, cli: Any, monkeypatch: Any
) -> None:
    auditor = ("Sys.Audit", "VM.Audit", "Datastore.Audit", "Pool.Audit", "SDN.Audit", "Mapping.Audit")
    small_cluster.apitokens["audit@pve!rec"] = "rec-secret"
    small_cluster.acl = {"audit@pve!rec": [("/", set(auditor))], "audit@pve": [("/", set(auditor))]}
    monkeypatch.setenv("PROXSTATE_TOKEN", "audit@pve!rec=rec-secret")
    log.add("pve1", "root@pam", "update VM 101: -memory 4096", when=time.time())
    log.add("pve1", "audit@pve!rec", "its own entry", when=time.time())
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert "cluster-log/*" in result.out and "Sys.Syslog on /" in result.out
    assert "attribution of changes by others is limited" in result.out
    entries = document(state_repo, f"cluster-log/{_today()}.yaml")["entries"]
    assert [e["msg"] for e in entries.values()] == ["its own entry"]
