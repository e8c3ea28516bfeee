"""Commit-message summaries of task documents: a count and the task types, not a list of UPIDs."""

from __future__ import annotations

from proxstate.diff import compare, summarize

UPID_A = "UPID:pve1:000003EB:00001B6D:6B0758FA:qmigrate:102:root@pam:"
UPID_B = "UPID:pve1:000003EC:00001B6E:6B0758FB:vzdump:103:root@pam:"


def _tasks(*upids: str) -> dict[str, object]:
    return {
        "kind": "tasks",
        "node": "pve1",
        "date": "2026-11-25",
        "tasks": {u: {"status": "OK"} for u in upids},
    }


def test_new_tasks_are_counted_with_their_types() -> None:
    change = compare(
        cluster="lab", resource_id="tasks/pve1/2026-11-25", old=_tasks(UPID_A), new=_tasks(UPID_A, UPID_B)
    )
    assert change is not None
    assert summarize(change) == "tasks/pve1/2026-11-25: 1 task finished (vzdump)"


def test_a_new_day_of_tasks_is_added() -> None:
    change = compare(cluster="lab", resource_id="tasks/pve1/2026-11-25", old=None, new=_tasks(UPID_A, UPID_B))
    assert change is not None
    assert summarize(change) == "tasks/pve1/2026-11-25: added"


def test_failed_tasks_are_named_in_the_summary() -> None:
    new = _tasks(UPID_A, UPID_B)
    new["tasks"] = {
        UPID_A: {"status": "OK"},
        UPID_B: {"type": "vzdump", "id": "103", "user": "root@pam", "status": "job errors"},
    }
    change = compare(cluster="lab", resource_id="tasks/pve1/2026-11-25", old=_tasks(UPID_A), new=new)
    assert change is not None
    assert summarize(change) == (
        "tasks/pve1/2026-11-25: 1 task finished (vzdump); failed: vzdump 103 by root@pam: job errors"
    )


def test_a_list_is_summarized_by_what_its_elements_did() -> None:
    rules = [{"type": "in", "action": "ACCEPT", "dport": str(port)} for port in (22, 443, 8006)]
    drop = {"type": "in", "action": "DROP", "source": "203.0.113.0/24"}
    old = {"kind": "firewall", "id": "cluster/rules", "entries": rules}
    new = {"kind": "firewall", "id": "cluster/rules", "entries": [drop, *rules]}
    change = compare(cluster="lab", resource_id="firewall/cluster/rules", old=old, new=new)
    assert change is not None
    assert summarize(change) == "firewall/cluster/rules: entries (rules: 1 added)"
