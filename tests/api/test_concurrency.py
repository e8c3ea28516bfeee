"""At most `concurrency` requests are in flight, however many calls run at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]


def _watch_in_flight(pve: FakePve) -> dict[str, Any]:
    """What the server sees: the most requests it was answering at once, and the connections
    (client ports) they came on. Each answer takes 20 ms, so that requests sent together overlap."""
    original = pve._answer
    seen: dict[str, Any] = {"now": 0, "most": 0, "ports": set()}

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        seen["ports"].add(request.transport.get_extra_info("peername")[1])
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        try:
            await asyncio.sleep(0.02)
            return await original(request, handler, generic, path_node)
        finally:
            seen["now"] -= 1

    pve._answer = answer
    return seen


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_concurrency_is_never_exceeded(
    fakepve: FakePve, make_pve_settings: Make, concurrency: int
) -> None:
    for vmid in range(100, 110):
        fakepve.add_vm(vmid, f"vm{vmid}")
    seen = _watch_in_flight(fakepve)
    async with PveClient(make_pve_settings(concurrency=concurrency)) as client:
        configs = await asyncio.gather(
            *(client.get(f"/nodes/pve1/qemu/{100 + i % 10}/config") for i in range(50))
        )
    assert [c["name"] for c in configs] == [f"vm{100 + i % 10}" for i in range(50)]
    # The server was answering `concurrency` requests at once, never more, on as many connections.
    assert seen["most"] == concurrency
    assert len(seen["ports"]) <= concurrency
    assert len(fakepve.requests) == 51  # the login, then one request per call
