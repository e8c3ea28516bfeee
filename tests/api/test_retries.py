"""Transient failures are retried with backoff within the budget; the rest fail at once."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.errors import ApiTimeout, ConnectError, PermissionDenied, ServerError

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]


def sent(fakepve: FakePve, suffix: str) -> int:
    return sum(1 for _, path, _ in fakepve.requests if path.endswith(suffix))


async def test_flaky_network_ends_well(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.add_vm(101, "web01")
    fakepve.flaky_network(drop_rate=0.3, seed=7)
    settings = make_pve_settings(retry_budget=30.0, max_attempts=10)
    async with PveClient(settings) as client:
        results = await asyncio.gather(*(client.get("/nodes/pve1/qemu/101/config") for _ in range(30)))
    assert all(r["name"] == "web01" for r in results)
    assert client.request_count > 31  # some of the 30 calls and the login were sent again


async def test_gateway_error_then_success(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.fail("GET", "/version", 502, "Bad Gateway", times=1)
    async with PveClient(fakepve_settings) as client:
        assert (await client.version()).version == fakepve.version
    assert sent(fakepve, "/version") == 2


async def test_gateway_errors_until_the_attempts_run_out(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.fail("GET", "/version", 503, "Service Unavailable")
    async with PveClient(make_pve_settings(max_attempts=3, retry_budget=30.0)) as client:
        with pytest.raises(
            ServerError, match=r"^GET /version: PVE server error \(503 Service Unavailable\)$"
        ):
            await client.version()
    assert sent(fakepve, "/version") == 3


async def test_retries_stop_at_the_budget(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.fail("GET", "/version", 504, "Gateway Timeout")
    async with PveClient(make_pve_settings(max_attempts=20, retry_budget=0.0)) as client:
        with pytest.raises(ServerError):
            await client.version()
    assert sent(fakepve, "/version") == 1


async def test_no_retry_on_permission_denied(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.fail("GET", "/version", 403, "Permission check failed (/, Sys.Audit)")
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.version()
    assert (caught.value.acl_path, caught.value.privilege) == ("/", "Sys.Audit")
    assert sent(fakepve, "/version") == 1


async def test_changes_are_not_sent_twice_after_a_gateway_error(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    fakepve.add_vm(101, "web01")
    fakepve.fail("PUT", "/nodes/pve1/qemu/101/config", 504, "Gateway Timeout", times=1)
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ServerError):
            await client.put("/nodes/pve1/qemu/101/config", data={"description": "x"})
    assert sent(fakepve, "/qemu/101/config") == 1


@pytest.mark.fakepve(time_scale=1.0)
async def test_hanging_server_times_out(fakepve: FakePve, make_pve_settings: Make) -> None:
    settings = make_pve_settings(read_timeout=0.2, max_attempts=2, retry_budget=5.0)
    async with PveClient(settings) as client:
        await client.version()
        fakepve.flaky_network(hang_rate=1.0, hang_secs=0.5)
        with pytest.raises(ApiTimeout) as caught:
            await client.version()
    assert (
        str(caught.value)
        == f"GET /version: 127.0.0.1:{fakepve.port} timed out waiting for the answer (after 2 attempts)"
    )


async def test_closed_port_is_a_connect_error(make_pve_settings: Make) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_pve_settings(url=f"127.0.0.1:{port}", max_attempts=3, retry_budget=5.0)
    started = time.monotonic()
    async with PveClient(settings) as client:
        with pytest.raises(ConnectError) as caught:
            await client.version()
    assert str(caught.value).startswith(f"POST /access/ticket: cannot talk to 127.0.0.1:{port}: ")
    assert str(caught.value).endswith("(after 3 attempts)")
    assert client.request_count == 3 and time.monotonic() - started < 5.0
