"""The client's connections (proxstate/api/netstream.py): kept alive, given up when the server
closes them, and read whole however fast the answer arrives."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.netstream import AsyncioBackend
from proxstate.api.settings import ConnectionSettings

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]


def _close_after_answering(pve: FakePve) -> dict[str, Any]:
    """The server answers each GET, keeps the connection open (no `Connection: close`), and closes
    it 50 ms later, as a pveproxy worker that ends or a keep-alive timeout does."""
    original = pve._answer
    seen: dict[str, Any] = {"ports": []}

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        seen["ports"].append(request.transport.get_extra_info("peername")[1])
        if request.method == "GET":
            asyncio.get_running_loop().call_later(0.05, request.transport.close)
        return await original(request, handler, generic, path_node)

    pve._answer = answer
    return seen


async def test_requests_one_after_another_share_one_connection(
    fakepve: FakePve, make_pve_settings: Make
) -> None:
    fakepve.add_vm(100, "web")
    original = fakepve._answer
    ports: list[int] = []

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        ports.append(request.transport.get_extra_info("peername")[1])
        return await original(request, handler, generic, path_node)

    fakepve._answer = answer
    async with PveClient(make_pve_settings()) as client:
        for _ in range(5):
            assert (await client.get("/nodes/pve1/qemu/100/config"))["name"] == "web"
    assert len(ports) == 6 and len(set(ports)) == 1  # the login and 5 reads, on one connection


async def test_a_connection_the_server_closed_while_idle_is_not_used_again(
    fakepve: FakePve, make_pve_settings: Make
) -> None:
    fakepve.add_vm(100, "web")
    seen = _close_after_answering(fakepve)
    async with PveClient(make_pve_settings()) as client:
        for _ in range(3):
            await asyncio.sleep(0.2)  # the server has closed the connection of the last answer
            assert (await client.get("/nodes/pve1/qemu/100/config"))["name"] == "web"
        # Each read went out once, on a new connection: none was sent into a closed one and retried.
        assert client.request_count == 4
    # the login and the first read on one connection, then one new connection for each read
    assert len(seen["ports"]) == 4 and len(set(seen["ports"])) == 3


async def test_an_answer_larger_than_the_read_buffer_arrives_whole_when_read_late(
    fakepve: FakePve, fakepve_cafile: str
) -> None:
    # 3 MiB of text that does not compress, received while nobody reads: the connection stops
    # reading from the socket at its high-water mark and resumes as the answer is read.
    description = "".join(f"{i:08x}" for i in range(3 * 1024 * 1024 // 8))
    fakepve.add_vm(100, "big", config={"description": description})
    host, port = fakepve.url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    context = ssl.create_default_context(cafile=fakepve_cafile)
    fakepve.apitokens["root@pam!t"] = "s3cret"
    stream = await AsyncioBackend().connect_tcp(host, int(port), timeout=5)
    stream = await stream.start_tls(context, server_hostname=host, timeout=5)
    await stream.write(
        b"GET /api2/json/nodes/pve1/qemu/100/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Authorization: PVEAPIToken=root@pam!t=s3cret\r\n\r\n"
    )
    await asyncio.sleep(0.5)
    answer = bytearray()
    while chunk := await stream.read(65536, timeout=5):
        answer += chunk
    await stream.aclose()
    assert answer.startswith(b"HTTP/1.1 200")
    assert description.encode() in answer
