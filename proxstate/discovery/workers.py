"""Running one call per item with a fixed number of workers.

Discovery makes thousands of calls of one kind (a guest's pending config, a guest's firewall
rules). Starting them all at once would hold one suspended coroutine chain per call while it waits
for one of the few request slots (about 3.7 KiB each, some 55 MiB for the declarative reads of
5,000 guests); a worker pool holds as many as there are workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
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
) -> list[Result]:
    """`call(item)` for every item, at most `workers` at a time; the results in the order of `items`.

    `queued(n)` hears of the calls waiting to start: +len(items) at once, -1 as each starts (for
    a progress total that is right from the start). The first exception cancels the calls still
    running and is raised; calls not yet started never start.
    """
    if not items:
        return []
    results: list[Any] = [None] * len(items)
    waiting = iter(enumerate(items))  # shared by the workers: each item is taken once
    queued(len(items))

    async def worker() -> None:
        for index, item in waiting:
            queued(-1)
            results[index] = await call(item)

    tasks = [asyncio.ensure_future(worker()) for _ in range(min(max(workers, 1), len(items)))]
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
