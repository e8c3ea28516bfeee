"""A node's finished tasks of a window, as discovery reads them.

pve-manager's API2/Tasks.pm node_tasks lists a node's tasks newest first, at most `limit` of them
(50 unless asked), and counts every task that passes the filters, past `limit` too: the count is
`total`, beside `data`. A sync records every task of its window, so it reads page after page until
it has `total` of them; `discover-tasks --limit N` shows at most N and reads one page.
"""

from __future__ import annotations

from typing import Any

from proxstate.api.client import PveClient
from proxstate.api.endpoints import api_path
from proxstate.api.errors import display_path
from proxstate.models.base import parse_models
from proxstate.models.task import TaskInfo
from proxstate.resources.inventory import Payload

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


__all__ = ["TASK_PAGE", "finished_tasks"]
