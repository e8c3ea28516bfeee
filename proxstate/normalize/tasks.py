"""Finished tasks, one document per node and UTC day (`tasks/<node>/<YYYY-MM-DD>`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.normalize.rules import TASK_FIELDS
from proxstate.normalize.values import int_or_keep, plain
from proxstate.resources.coerce import to_int_or_none
from proxstate.resources.inventory import Payload
from proxstate.resources.kinds import TASKS

# A task whose start time cannot be read is filed under the first day of Unix time.
UNKNOWN_DAY = "1970-01-01"
_TIME_FIELDS = frozenset({"starttime", "endtime"})


def _upid_start(upid: Any) -> int | None:
    # UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>: with hexadecimal numbers.
    if not isinstance(upid, str):
        return None
    parts = upid.split(":")
    if len(parts) < 8 or parts[0] != "UPID":
        return None
    try:
        return int(parts[4], 16)
    except ValueError:
        return None


def _start(task: Mapping[str, Any]) -> int | None:
    start = to_int_or_none(task.get("starttime"))
    return start if start is not None else _upid_start(task.get("upid"))


def task_day(task: Mapping[str, Any]) -> str:
    """The UTC day (`YYYY-MM-DD`) of a task's start time (from its UPID if starttime is missing)."""
    start = _start(task)
    if start is None:
        return UNKNOWN_DAY
    try:
        return datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return UNKNOWN_DAY


def is_finished(task: Mapping[str, Any]) -> bool:
    """A task with an end time, or with a status other than running."""
    if task.get("endtime") not in (None, ""):
        return True
    status = task.get("status")
    return isinstance(status, str) and bool(status) and status.lower() != "running"


def _entry(task: Mapping[str, Any], log: list[str] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for key in TASK_FIELDS:
        value = task.get(key)
        if key == "starttime" and value in (None, ""):
            value = _upid_start(task.get("upid"))  # the UPID holds the start time too
        if value is None or value == "":
            continue
        entry[key] = int_or_keep(value) if key in _TIME_FIELDS else plain(value)
    # PVE splits a token's task into `user` and `tokenid` (pve-manager API2/Tasks.pm,
    # convert_token_task): join them again so the record names the token, as the UPID does.
    tokenid = task.get("tokenid")
    user = entry.get("user")
    if isinstance(tokenid, str) and tokenid and isinstance(user, str) and "!" not in user:
        entry["user"] = f"{user}!{tokenid}"
    if log is not None:
        entry["log"] = [str(line) for line in log]
    return entry


def _order(task: tuple[str, dict[str, Any]]) -> tuple[int, str]:
    start = task[1].get("starttime")
    return (start if isinstance(start, int) else _upid_start(task[0]) or 0, task[0])


def _document(node: str, day: str, tasks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"kind": TASKS, "node": node, "date": day, "tasks": dict(sorted(tasks.items(), key=_order))}


def normalize_tasks(
    node: str,
    tasks: Iterable[Payload],
    *,
    logs: Mapping[str, list[str]] | None = None,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> dict[str, dict[str, Any]]:
    """The finished tasks of one node, one document per UTC day, keyed by resource id.

    Tasks are keyed by UPID and ordered by start time, then UPID; `log` is recorded for the
    tasks that have lines in `logs` (discovery reads the logs of failed tasks).
    """
    logs = logs or {}
    days: dict[str, dict[str, dict[str, Any]]] = {}
    for task in tasks:
        if not isinstance(task, Mapping):
            continue
        upid = task.get("upid")
        if not isinstance(upid, str) or not upid or not is_finished(task):
            continue
        days.setdefault(task_day(task), {})[upid] = _entry(task, logs.get(upid))
    documents: dict[str, dict[str, Any]] = {}
    for day in sorted(days):
        resource_id = f"{TASKS}/{node}/{day}"
        documents[resource_id] = _document(node, day, days[day])
        apply_ignore_rules(resource_id, documents[resource_id], options.ignore)
    return documents


def merge_task_documents(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """One day's tasks as recorded before plus those read now (a sync may read only new tasks).

    Tasks are matched by UPID; the newer reading wins, except that a recorded log is kept.
    """
    merged: dict[str, dict[str, Any]] = {}
    for document in (old or {}, new):
        tasks = document.get("tasks")
        if isinstance(tasks, Mapping):
            for upid, task in tasks.items():
                before = merged.get(str(upid))
                merged[str(upid)] = dict(task)
                # Logs are read only by `sync --task-logs`: a reading without one keeps the log.
                if before is not None and "log" in before and "log" not in task:
                    merged[str(upid)]["log"] = before["log"]
    return _document(str(new.get("node", "")), str(new.get("date", "")), merged)
