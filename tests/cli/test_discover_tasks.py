"""Running tasks in `discover-tasks`, `--running`, `--limit` per node, and `--follow UPID`.

fakepve lists every task whatever `source` says and answers a task log without PVE's envelope;
the server here answers as pve-manager's API2/Tasks.pm does: `node_tasks` lists the archive by
default (finished tasks, with `endtime`) and, with `source=active`, the running tasks with status
`RUNNING`; `read_task_log` answers through PVE::Tools::dump_logfile (lines numbered from 1, `limit`
50 by default, an empty log as the one line `no content`), with `total` beside `data`.
"""

from __future__ import annotations

import json
import threading
import time
from itertools import count
from typing import Any

import pytest

from tests.helpers.answers import answer_as_pve

_PIDS = count(0x1000)


def answer_tasks_as_pve(pve: Any) -> None:
    def node_tasks(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        node = request.match_info.get("node") or request.path.split("/")[4]
        source = request.query.get("source", "archive")
        start, limit = int(request.query.get("start", 0)), int(request.query.get("limit", 50))
        mine = sorted(
            (t for t in pve.tasklog if t["node"] == node), key=lambda t: t["starttime"], reverse=True
        )
        listed: list[dict[str, Any]] = []
        if source in ("active", "all"):
            listed += [_entry(t) | {"status": "RUNNING"} for t in mine if "endtime" not in t]
        if source != "active":
            listed += [_entry(t) | {"status": t["exitstatus"]} for t in mine if "endtime" in t]
        return {"data": listed[start : start + limit], "total": len(listed)}

    def task_log(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        upid = request.path.split("/")[6]
        lines = list(pve.tasks[upid]["log"])
        start, limit = int(request.query.get("start", 0)), int(request.query.get("limit", 50))
        numbered = [{"n": n, "t": t} for n, t in enumerate(lines, start=1)][start:]
        numbered = numbered if limit == 0 else numbered[:limit]
        if not lines:
            return {"data": [{"n": 1, "t": "no content"}], "total": 1}
        return {"data": numbered, "total": len(lines)}

    answer_as_pve(pve, "/nodes/*/tasks", node_tasks)
    answer_as_pve(pve, "/nodes/*/tasks/*/log", task_log)


def _entry(task: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in task.items() if k not in ("log", "status", "exitstatus")}


def add_task(pve: Any, node: str, ttype: str, vmid: int, *, ago: int, took: int | None = None) -> str:
    """A task that started `ago` seconds ago: finished after `took` seconds, or still running."""
    pid = next(_PIDS)
    start = int(time.time()) - ago
    upid = f"UPID:{node}:{pid:08X}:{pid * 7:08X}:{start:08X}:{ttype}:{vmid}:root@pam:"
    record: dict[str, Any] = {
        "upid": upid, "node": node, "pid": pid, "pstart": pid * 7, "starttime": start, "type": ttype,
        "id": str(vmid), "user": "root@pam", "status": "running", "log": [],
    }  # fmt: skip
    if took is not None:
        record.update(status="stopped", exitstatus="OK", endtime=start + took, log=["TASK OK"])
    pve.tasks[upid] = record
    pve.tasklog.append(record)
    return upid


@pytest.fixture
def tasks_cluster(small_cluster: Any, pve_env: dict[str, str]) -> Any:
    answer_tasks_as_pve(small_cluster)
    return small_cluster


def test_running_tasks_come_first_with_their_elapsed_time(tasks_cluster: Any, cli: Any) -> None:
    backup = add_task(tasks_cluster, "pve1", "vzdump", 101, ago=125)
    add_task(tasks_cluster, "pve1", "qmstart", 101, ago=600, took=3)
    add_task(tasks_cluster, "pve1", "qmstop", 101, ago=300, took=4)
    add_task(tasks_cluster, "pve2", "vzstart", 201, ago=200, took=2)

    table = cli("discover-tasks")
    assert table.code == 0, table.err
    rows = table.out.splitlines()[1:]  # plain columns under their header: stdout is not a terminal
    assert "vzdump" in rows[0] and "running" in rows[0] and " 2m 0" in rows[0], table.out
    assert "vzstart" in rows[1] and rows[1].endswith(" 2s")
    assert "qmstop" in rows[2] and rows[2].endswith(" 4s")

    tasks = json.loads(cli("discover-tasks", "--format", "json").out)
    assert [t["type"] for t in tasks] == ["vzdump", "vzstart", "qmstop", "qmstart"]
    assert tasks[0]["upid"] == backup and tasks[0]["status"] == "running"
    assert 125 <= tasks[0]["elapsed_s"] < 140
    assert tasks[2]["status"] == "OK" and tasks[2]["elapsed_s"] == 4

    only = json.loads(cli("discover-tasks", "--format", "json", "--running").out)
    assert [t["upid"] for t in only] == [backup]
    # --limit counts finished tasks per node, as its help says: one of pve1 and one of pve2.
    limited = json.loads(cli("discover-tasks", "--format", "json", "--limit", "1").out)
    assert [t["type"] for t in limited] == ["vzdump", "vzstart", "qmstop"]


def grow_then_end(pve: Any, upid: str, lines: list[str], status: str) -> threading.Thread:
    def work() -> None:
        record = pve.tasks[upid]
        time.sleep(0.3)  # the first polls see an empty log: PVE's `no content`
        for line in lines:
            record["log"].append(line)
            time.sleep(0.1)
        record["log"].append("TASK OK" if status == "OK" else f"TASK ERROR: {status}")
        record.update(status="stopped", exitstatus=status, endtime=int(time.time()))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_follow_prints_the_log_as_it_grows_and_exits_0_when_the_task_ends_ok(
    tasks_cluster: Any, cli: Any
) -> None:
    upid = add_task(tasks_cluster, "pve2", "vzdump", 102, ago=5)
    lines = [f"INFO: line {i}" for i in range(1, 8)]
    thread = grow_then_end(tasks_cluster, upid, lines, "OK")
    result = cli("discover-tasks", "--follow", upid)
    thread.join()
    assert result.code == 0, result.err
    assert result.out.splitlines() == [*lines, "TASK OK"]


def test_follow_exits_1_when_the_task_fails(tasks_cluster: Any, cli: Any) -> None:
    upid = add_task(tasks_cluster, "pve1", "qmigrate", 101, ago=1)
    thread = grow_then_end(tasks_cluster, upid, ["starting migration"], "migration aborted")
    result = cli("discover-tasks", "--follow", upid)
    thread.join()
    assert result.code == 1
    assert result.out.splitlines() == ["starting migration", "TASK ERROR: migration aborted"]
    assert "task failed: migration aborted" in result.err


def test_follow_of_something_that_is_not_a_upid_is_a_usage_error(tasks_cluster: Any, cli: Any) -> None:
    result = cli("discover-tasks", "--follow", "UPID:../../etc")
    assert result.code == 64
    assert "not a task id (UPID)" in result.err and "Traceback" not in result.err
