"""proxstate.discovery.workers.each: a fixed number of workers, results in order, the first error ends it."""

from __future__ import annotations

import asyncio

import pytest

from proxstate.discovery.workers import each, together


def test_results_keep_the_order_of_the_items_and_at_most_workers_run() -> None:
    running = 0
    most = 0
    queued: list[int] = []

    async def call(item: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001 * (item % 3))  # later items finish first now and then
        running -= 1
        return item * 10

    results = asyncio.run(each(list(range(20)), call, workers=4, queued=queued.append))
    assert results == [item * 10 for item in range(20)]
    assert most == 4
    assert queued[0] == 20 and queued[1:] == [-1] * 20  # announced at once, then one by one


def test_no_items_and_fewer_items_than_workers() -> None:
    async def call(item: str) -> str:
        return item.upper()

    assert asyncio.run(each([], call, workers=4)) == []
    assert asyncio.run(each(["a", "b"], call, workers=8)) == ["A", "B"]


def test_the_first_error_cancels_the_running_calls_and_starts_no_more() -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def call(item: int) -> int:
        started.append(item)
        if item == 1:
            raise ValueError("item 1 failed")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(item)
            raise
        return item

    with pytest.raises(ValueError, match="item 1 failed"):
        asyncio.run(each(list(range(100)), call, workers=3))
    assert sorted(started) == [0, 1, 2]  # one item per worker; none taken after the failure
    assert sorted(cancelled) == [0, 2]


def test_together_ends_the_other_calls_before_it_raises_the_first_failure() -> None:
    ended: list[str] = []

    async def refused() -> None:
        await asyncio.sleep(0.01)
        raise PermissionError("login refused")

    async def slow(name: str) -> str:
        try:
            await asyncio.sleep(10)
            return name
        finally:
            ended.append(name)

    async def main() -> None:
        with pytest.raises(PermissionError, match="login refused"):  # as it is, not in a group
            await together(slow("status"), refused(), slow("resources"))
        # Both were cancelled and had ended by the time the failure was raised.
        assert sorted(ended) == ["resources", "status"]

    asyncio.run(main())


def test_together_gives_the_results_in_order() -> None:
    async def after(delay: float, value: int) -> int:
        await asyncio.sleep(delay)
        return value

    assert asyncio.run(together(after(0.02, 1), after(0.0, 2))) == [1, 2]


def test_with_the_node_of_each_item_every_node_has_workers_of_its_own() -> None:
    """A node whose calls are slow does not hold the workers of the others: each node's items have
    `node_workers` of their own, and the items of no node `workers`."""
    running: dict[str | None, int] = {}
    most: dict[str | None, int] = {}
    items = [("pve1", i) for i in range(6)] + [("pve2", i) for i in range(6)] + [(None, i) for i in range(6)]

    async def call(item: tuple[str | None, int]) -> int:
        node = item[0]
        running[node] = running.get(node, 0) + 1
        most[node] = max(most.get(node, 0), running[node])
        await asyncio.sleep(0.01 if node == "pve1" else 0.001)
        running[node] -= 1
        return item[1]

    results = asyncio.run(each(items, call, workers=4, node=lambda item: item[0], node_workers=2))
    assert results == [i for _ in range(3) for i in range(6)]
    assert most == {"pve1": 2, "pve2": 2, None: 4}
