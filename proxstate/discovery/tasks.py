"""Tasks: each node's finished tasks of a window, the running ones (`discover-tasks --running`),
and the logs of failed tasks (`task_logs`).

pve-manager's API2/Tasks.pm node_tasks lists a node's tasks newest first, at most `limit` of them
(50 unless asked), and counts every task that passes the filters, past `limit` too: the count is
`total`, beside `data`. A sync records every task of its window, so it reads page after page until
it has `total` of them; `discover-tasks --limit N` shows at most N and reads one page.
"""

from __future__ import annotations

import time
from typing import Any

from proxstate.api.client import PveClient
from proxstate.api.endpoints import api_path
from proxstate.api.errors import display_path
from proxstate.discovery.reader import Reader
from proxstate.models.base import parse_models
from proxstate.models.task import TaskInfo
from proxstate.resources.inventory import Inventory, Payload, ReadFailure
from proxstate.resources.kinds import TASKS

# Tasks per request while a sync reads every task of its window.
TASK_PAGE = 5000


async def finished_tasks(
    client: PveClient, node: str, *, since: int, limit: int | None, errors: bool
) -> list[Payload]:
    """The archived tasks of `node` started since `since`: at most `limit`, or all with None."""
    if limit is not None:
        capped = client.node_tasks(node, since=since, limit=limit, source="archive", errors=errors or None)
        return [task.payload() for task in await capped]
    params: dict[str, Any] = {"since": since, "source": "archive", "errors": errors or None}
    path = api_path("nodes", node, "tasks")
    found: dict[str, Payload] = {}
    start = 0
    while True:
        answer = await client.get_envelope(path, params={**params, "start": start, "limit": TASK_PAGE})
        page = parse_models(TaskInfo, answer.get("data"), source=f"GET {display_path(path)}")
        for task in page:
            payload = task.payload()
            # Tasks started between two pages push older ones down the list: one seen twice is
            # kept once.
            found.setdefault(str(payload.get("upid")), payload)
        start += len(page)
        total = answer.get("total")
        # Without `total` (not PVE's own answer), the pages go on until a short one.
        done = start >= total if isinstance(total, int) else len(page) < TASK_PAGE
        if not page or done:
            return list(found.values())


async def read_tasks(reader: Reader, inventory: Inventory, nodes: list[str]) -> None:
    """The finished tasks of each node, the running ones and the failed ones' logs when asked for."""
    options = reader.options
    for item in await reader.each(nodes, lambda node: _tasks(reader, node), node=str):
        if item is not None:
            node, tasks = item
            finished = [t for t in tasks if t.get("endtime") or t.get("status") not in (None, "running")]
            if options.task_errors:
                # Older PVE versions ignore the `errors` filter; apply it here as well.
                finished = [t for t in finished if t.get("status") not in (None, "OK")]
            inventory.tasks[node] = finished
    if options.task_running:
        for item in await reader.each(nodes, lambda node: _running_tasks(reader, node), node=str):
            if item is not None:
                node, tasks = item
                # PVE marks a running task's status `RUNNING`; a finished one has its end time.
                inventory.running_tasks[node] = [
                    t
                    for t in tasks
                    if not t.get("endtime") and t.get("status") in (None, "RUNNING", "running")
                ]
    if options.task_logs:
        await _read_task_logs(reader, inventory)


async def _tasks(reader: Reader, node: str) -> tuple[str, list[Payload]] | None:
    options = reader.options
    now = options.now if options.now is not None else time.time()
    since = int(now - options.task_days * 86400)
    call = finished_tasks(
        reader.client, node, since=since, limit=options.task_limit, errors=options.task_errors
    )
    found = await reader.attempt(f"{TASKS}/{node}/*", call, f"tasks on {node}", node=node)
    return None if isinstance(found, ReadFailure) else (node, found)


async def _running_tasks(reader: Reader, node: str) -> tuple[str, list[Payload]] | None:
    # pve-manager API2/Tasks.pm: `source=active` lists the node's active-tasks file, the running
    # tasks and those just finished but not yet archived.
    call = reader.client.node_tasks(node, source="active")
    found = await reader.attempt(f"{TASKS}/{node}/*", call, f"running tasks on {node}", node=node)
    return None if isinstance(found, ReadFailure) else (node, [t.payload() for t in found])


async def _read_task_logs(reader: Reader, inventory: Inventory) -> None:
    async def one(node: str, upid: str) -> tuple[str, list[str]] | None:
        call = reader.client.task_log(node, upid)
        lines = await reader.attempt(f"{TASKS}/{node}", call, f"task log {upid}", node=node)
        return None if isinstance(lines, ReadFailure) else (upid, [str(line.t) for line in lines])

    failed = [
        (node, str(task["upid"]))
        for node, tasks in inventory.tasks.items()
        for task in tasks
        if task.get("status") not in (None, "OK") and task.get("upid")
    ]
    for item in await reader.each(failed, lambda task: one(*task), node=lambda task: task[0]):
        if item is not None:
            inventory.task_logs[item[0]] = item[1]


__all__ = ["TASK_PAGE", "finished_tasks", "read_tasks"]
