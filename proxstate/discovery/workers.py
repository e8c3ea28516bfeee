"""Running one call per item with a fixed number of workers.

Discovery makes thousands of calls of one kind (a guest's pending config, a guest's firewall
rules). Starting them all at once would hold one suspended coroutine chain per call while it waits
for one of the few request slots (about 3.7 KiB each, some 55 MiB for the declarative reads of
5,000 guests); a worker pool holds as many as there are workers.

PVE serves `/nodes/X/...` on node X, with a few worker processes per node (docs/performance.md,
"The cluster's capacity"). Given the node of each item, `each` runs a pool per node: one pool for
all would let the calls queued behind a busy node hold workers that another node could serve.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def _not_counted(change: int) -> None:
    return None


async def each(
    items: Sequence[Item],
    call: Callable[[Item], Awaitable[Result]],
    *,
    workers: int,
    queued: Callable[[int], None] = _not_counted,
    node: Callable[[Item], str | None] | None = None,
    node_workers: int = 1,
) -> list[Result]:
    """`call(item)` for every item, at most `workers` at a time; the results in the order of `items`.

    With `node` (the node that serves an item, None for a cluster-wide one), the items of each node
    have `node_workers` workers of their own, and those of no node `workers`: the client's bounds
    decide how many of them send at once (PveClient).

    `queued(n)` hears of the calls waiting to start: +len(items) at once, -1 as each starts (for
    a progress total that is right from the start). The first exception cancels the calls still
    running and is raised; calls not yet started never start.
    """
    if not items:
        return []
    results: list[Any] = [None] * len(items)
    groups: dict[str | None, list[tuple[int, Item]]] = {}
    for index, item in enumerate(items):
        groups.setdefault(None if node is None else node(item), []).append((index, item))
    queued(len(items))

    async def worker(waiting: Iterator[tuple[int, Item]]) -> None:
        for index, item in waiting:
            queued(-1)
            results[index] = await call(item)

    tasks = []
    for key, group in groups.items():
        waiting = iter(group)  # shared by the group's workers: each item is taken once
        count = max(workers if key is None else node_workers, 1)
        tasks += [asyncio.ensure_future(worker(waiting)) for _ in range(min(count, len(group)))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return results


async def together(*calls: Awaitable[Any]) -> list[Any]:
    """Await the calls at the same time; their results in order.

    Unlike a bare `asyncio.gather`, the first exception cancels the other calls and waits for them
    to end before it is raised (as it is, not in an ExceptionGroup as a TaskGroup would): a call
    left running past a refused login would be cut off by the end of the event loop, half way
    through opening a connection.
    """
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


__all__ = ["each", "together"]
