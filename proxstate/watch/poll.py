"""One poll of a cluster: the cheap cluster-wide reads, and which guests may have changed since the
poll before.

Three requests, whatever the number of guests: `/cluster/resources?type=vm` (placement, power
state, name, tags, lock, template, HA state and pool of every guest), `/cluster/log` (the newest
POLL_LOG_MAX entries: who updated which guest, and every task start and end) and `/cluster/tasks`
(pmxcfs's list of recent tasks of every node, also those a login without Sys.Syslog cannot see in
the log). A guest may have changed when its entry in the resource list differs, when it appeared or
went away, when a new log entry names it (`update VM 104: ...`, a task of it) or when a task of it
appeared or finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from proxstate.api.client import PveClient
from proxstate.models.base import objects_of
from proxstate.resources.kinds import LXC, QEMU
from proxstate.resources.logmessages import parse_update, task_upid

# Entries per poll: more than a busy cluster logs in one interval (about one per API write).
POLL_LOG_MAX = 500
# What of a guest's entry in /cluster/resources is state; the rest are gauges (cpu, mem, uptime).
_STATE_KEYS = ("node", "status", "name", "tags", "lock", "template", "hastate", "pool")


@dataclass(frozen=True)
class Poll:
    guests: dict[str, tuple[Any, ...]]  # `qemu/101` -> its state in the resource list
    log: frozenset[str]  # the log entries seen, as `<uid>:<node>`
    log_names: dict[str, frozenset[str]]  # entry -> the guests it names
    tasks: dict[str, tuple[str, str]]  # UPID -> (status, the guest it names or "")
    log_users: dict[str, str] = field(default_factory=dict)  # entry -> the login it names


def _guest_of_upid(upid: str, vmids: Mapping[str, str]) -> str:
    """The guest a task names (`UPID:node:pid:pstart:start:type:id:user:`): qm* and vz* by type,
    any other (vzdump, resize, hastart) through the resource list."""
    parts = upid.split(":")
    if len(parts) < 8 or not parts[6].isdigit():
        return ""
    task_type, vmid = parts[5], parts[6]
    if task_type.startswith("qm"):
        return f"{QEMU}/{vmid}"
    if task_type.startswith("vz") and task_type != "vzdump":
        return f"{LXC}/{vmid}"
    return vmids.get(vmid, "")


async def poll(client: PveClient) -> Poll:
    """Read the cheap endpoints once."""
    resources, log, tasks = await asyncio.gather(
        client.get("/cluster/resources", params={"type": "vm"}),
        client.cluster_log(POLL_LOG_MAX),
        client.get("/cluster/tasks"),
    )
    guests: dict[str, tuple[Any, ...]] = {}
    vmids: dict[str, str] = {}
    for entry in objects_of(resources, source="GET /cluster/resources"):
        if entry.get("type") in (QEMU, LXC) and entry.get("vmid") is not None:
            rid = f"{entry['type']}/{entry['vmid']}"
            guests[rid] = tuple(str(entry.get(key)) for key in _STATE_KEYS)
            vmids[str(entry["vmid"])] = rid
    names: dict[str, frozenset[str]] = {}
    who: dict[str, str] = {}
    for entry in log:
        key = f"{entry.get('uid')}:{entry.get('node')}"
        message = str(entry.get("msg", ""))
        update = parse_update(message)
        upid = task_upid(message)
        named = f"{update.kind}/{update.vmid}" if update else _guest_of_upid(upid, vmids) if upid else ""
        names[key] = frozenset({named} if named else ())
        who[key] = str(entry.get("user", ""))
    listed: dict[str, tuple[str, str]] = {}
    for task in objects_of(tasks, source="GET /cluster/tasks"):
        upid = str(task.get("upid", ""))
        if upid:
            listed[upid] = (str(task.get("status", "")), _guest_of_upid(upid, vmids))
    return Poll(guests=guests, log=frozenset(names), log_names=names, tasks=listed, log_users=who)


def changed_guests(before: Poll, now: Poll) -> dict[str, set[str]]:
    """The guests that may have changed between two polls, each with the logins that the new log
    entries naming it name (empty when nothing names one: a change seen in the resource list only)."""
    changed: dict[str, set[str]] = {}
    for rid in set(before.guests) | set(now.guests):
        if before.guests.get(rid) != now.guests.get(rid):
            changed.setdefault(rid, set())
    for key in now.log - before.log:
        for rid in now.log_names.get(key, ()):
            changed.setdefault(rid, set()).add(now.log_users.get(key, ""))
    for upid, (status, rid) in now.tasks.items():
        if rid and before.tasks.get(upid, ("", ""))[0] != status:
            changed.setdefault(rid, set())
    return changed


__all__ = ["POLL_LOG_MAX", "Poll", "changed_guests", "poll"]
