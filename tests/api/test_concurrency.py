"""At most `concurrency` requests are in flight, however many calls run at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]


@pytest.mark.fakepve(time_scale=1.0)
@pytest.mark.parametrize("concurrency", [1, 3])
async def test_concurrency_is_never_exceeded(
    fakepve: FakePve, make_pve_settings: Make, concurrency: int
) -> None:
    fakepve.slow_network(0.01)
    for vmid in range(100, 110):
        fakepve.add_vm(vmid, f"vm{vmid}")
    async with PveClient(make_pve_settings(concurrency=concurrency)) as client:
        configs = await asyncio.gather(
            *(client.get(f"/nodes/pve1/qemu/{100 + i % 10}/config") for i in range(50))
        )
    assert [c["name"] for c in configs] == [f"vm{100 + i % 10}" for i in range(50)]
    assert client.max_in_flight == concurrency
    assert client.request_count == 51  # the login, then one request per call
