"""The client's transport (proxstate/api/transport.py): a request on a free connection goes to the
socket without the event loop running other work first, and the connection's lock still keeps a
second user out while it is held."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpcore
import pytest
from fakepve import FakePve

from proxstate.api import netstream
from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.api.transport import _Lock

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]


@pytest.mark.skipif(
    not httpcore.__version__.startswith("1.0."),
    reason=f"httpcore {httpcore.__version__}: the transport keeps httpcore's connections (api/transport.py)",
)
async def test_a_request_on_a_free_connection_is_written_before_other_ready_work_runs(
    fakepve: FakePve, make_pve_settings: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakepve.add_vm(100, "web")
    turns = 0
    turns_at_write: list[int] = []
    write = netstream.AsyncioStream.write

    async def recorded_write(
        self: netstream.AsyncioStream, buffer: bytes, timeout: float | None = None
    ) -> None:
        turns_at_write.append(turns)
        await write(self, buffer, timeout)

    async def bystander() -> None:
        """Other ready work (the decoding of other answers): a step at every turn of the loop."""
        nonlocal turns
        while not turns_at_write:
            turns += 1
            await asyncio.sleep(0)

    async with PveClient(make_pve_settings()) as client:
        await client.get("/version")  # logged in, the connection made and free again
        monkeypatch.setattr(netstream.AsyncioStream, "write", recorded_write)
        request = asyncio.ensure_future(client.get("/nodes/pve1/qemu/100/config"))
        other = asyncio.ensure_future(bystander())
        assert (await request)["name"] == "web"
        await other
    # httpcore's own (anyio) locks gave the loop two turns on the way: the other work ran first
    assert turns_at_write[0] == 0


async def test_the_lock_keeps_a_second_holder_out_until_released() -> None:
    lock = _Lock()
    order: list[str] = []

    async def hold(name: str, seconds: float) -> None:
        async with lock:
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    await asyncio.gather(hold("first", 0.02), hold("second", 0))
    assert order == ["first in", "first out", "second in", "second out"]


async def test_the_lock_is_released_when_its_holder_fails() -> None:
    lock = _Lock()
    with pytest.raises(RuntimeError):
        async with lock:
            raise RuntimeError("the request failed")
    entered: list[Any] = []
    async with lock:
        entered.append(True)
    assert entered == [True]
