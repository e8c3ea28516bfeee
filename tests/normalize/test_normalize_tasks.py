"""Tasks: UTC days, finished tasks only, ordering, merging."""

from __future__ import annotations

from typing import Any

from proxstate.normalize import merge_task_documents, normalize_tasks, task_day

UPID = "UPID:pve1:0000AAAA:00001000:{start:08X}:vzdump:101:root@pam:"


def test_task_day_is_the_utc_day() -> None:
    assert task_day({"starttime": 1736467199}) == "2025-01-09"  # 23:59:59 UTC
    assert task_day({"starttime": "1736467200"}) == "2025-01-10"
    assert task_day({"upid": UPID.format(start=1736467200)}) == "2025-01-10"
    assert task_day({}) == "1970-01-01"
    assert task_day({"starttime": 10**20}) == "1970-01-01"


def test_only_finished_tasks_one_document_per_day() -> None:
    tasks: list[dict[str, Any]] = [
        {
            "upid": UPID.format(start=1736467300),
            "starttime": 1736467300,
            "endtime": 1736467310,
            "status": "OK",
        },
        {"upid": UPID.format(start=1736467200), "starttime": 1736467200, "status": "ERROR: x"},
        {
            "upid": UPID.format(start=1736467100),
            "starttime": 1736467100,
            "endtime": 1736467110,
            "status": "OK",
        },
        {"upid": UPID.format(start=1736467400), "starttime": 1736467400},  # still running
        {"upid": UPID.format(start=1736467500), "starttime": 1736467500, "status": "running"},
        {"starttime": 1, "endtime": 2},  # no UPID
    ]
    documents = normalize_tasks("pve1", tasks, logs={UPID.format(start=1736467200): ["TASK ERROR: x"]})
    assert list(documents) == ["tasks/pve1/2025-01-09", "tasks/pve1/2025-01-10"]
    day = documents["tasks/pve1/2025-01-10"]
    assert list(day) == ["kind", "node", "date", "tasks"]
    assert [task["starttime"] for task in day["tasks"].values()] == [1736467200, 1736467300]
    assert day["tasks"][UPID.format(start=1736467200)]["log"] == ["TASK ERROR: x"]


def test_merge_keeps_earlier_tasks_of_the_day() -> None:
    first = normalize_tasks("pve1", [{"upid": UPID.format(start=100), "starttime": 100, "status": "OK"}])
    second = normalize_tasks(
        "pve1",
        [
            {"upid": UPID.format(start=50), "starttime": 50, "status": "OK"},
            {"upid": UPID.format(start=100), "starttime": 100, "status": "WARNINGS: 1"},
        ],
    )
    merged = merge_task_documents(first["tasks/pve1/1970-01-01"], second["tasks/pve1/1970-01-01"])
    assert [task["starttime"] for task in merged["tasks"].values()] == [50, 100]
    assert merged["tasks"][UPID.format(start=100)]["status"] == "WARNINGS: 1"
    assert merge_task_documents(None, second["tasks/pve1/1970-01-01"]) == second["tasks/pve1/1970-01-01"]
