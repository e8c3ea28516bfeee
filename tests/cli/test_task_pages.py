"""A node with more finished tasks in the sync's window than one request returns.

The fake answers as pve-manager's API2/Tasks.pm node_tasks does: newest first, `since` filters by
start time, `start` skips that many matching tasks, at most `limit` are returned (50 by default),
and `total` beside `data` counts every matching task, past `limit` too.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from proxstate import yamlio
from tests.helpers.answers import answer_as_pve

COUNT = 5030  # more than the 5,000 proxstate asks for per request


def archive(now: int) -> list[dict[str, Any]]:
    """The task index of node pve1, newest first: one backup task a minute."""
    tasks = []
    for n in range(COUNT):
        start = now - 3600 - 60 * n
        upid = f"UPID:pve1:{100000 + n:08X}:{200000 + n:08X}:{start:08X}:vzdump:101:root@pam:"
        tasks.append(
            {
                "upid": upid,
                "node": "pve1",
                "pid": 100000 + n,
                "pstart": 200000 + n,
                "starttime": start,
                "type": "vzdump",
                "id": "101",
                "user": "root@pam",
                "endtime": start + 30,
                "status": "OK",
            }
        )
    return tasks


def test_every_task_of_the_window_is_recorded(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    tasks = archive(int(time.time()))
    asked: list[dict[str, str]] = []

    def node_tasks(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        query = request.query
        asked.append(dict(query))
        since = int(query.get("since", 0))
        matching = [task for task in tasks if task["starttime"] >= since]
        start, limit = int(query.get("start", 0)), int(query.get("limit", 50))
        return {"data": matching[start : start + limit], "total": len(matching)}

    answer_as_pve(small_cluster, "/nodes/pve1/tasks", node_tasks)
    result = cli("sync", "-C", str(state_repo), "--only", "tasks")
    assert result.code == 0, result.out + result.err
    recorded: set[str] = set()
    for day in (state_repo / "clusters/lab/tasks/pve1").glob("*.yaml"):
        recorded |= set(yamlio.load(day.read_text())["tasks"])
    assert recorded == {task["upid"] for task in tasks}
    assert [(q.get("start"), q.get("limit")) for q in asked] == [("0", "5000"), ("5000", "5000")]
