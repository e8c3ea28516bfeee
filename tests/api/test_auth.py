"""Logins: API token, ticket with CSRF token, ticket renewal and expiry, refused credentials."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.errors import AuthenticationError

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]
TOKEN_SECRET = "0b5f3c1e-2f6d-4c8e-9a7b-123456789abc"


def logins(fakepve: FakePve) -> int:
    return sum(1 for method, path, _ in fakepve.requests if path.endswith("/access/ticket"))


async def test_token_login(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.apitokens["root@pam!proxstate"] = TOKEN_SECRET
    settings = make_pve_settings(user=None, password=None, token=f"root@pam!proxstate={TOKEN_SECRET}")
    async with PveClient(settings) as client:
        assert (await client.version()).version
        await client.post("/nodes/pve1/qemu", data={"vmid": 150, "name": "new"})  # no CSRF token needed
    assert logins(fakepve) == 0
    assert fakepve.vm(150) is not None


async def test_token_from_its_parts(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.apitokens["root@pam!proxstate"] = TOKEN_SECRET
    settings = ConnectionSettings.from_token_parts(
        fakepve.url,
        token_id="root@pam!proxstate",
        token_secret=TOKEN_SECRET,
        ca_cert=make_pve_settings().ca_cert,
    )
    async with PveClient(settings) as client:
        assert (await client.get("/nodes"))[0]["node"] == "pve1"


async def test_wrong_token_is_refused_once(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.apitokens["root@pam!proxstate"] = TOKEN_SECRET
    settings = make_pve_settings(user=None, password=None, token="root@pam!proxstate=wrong")
    async with PveClient(settings) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.version()
    assert (
        str(caught.value)
        == "GET /version: authentication as root@pam!proxstate failed (401 authentication failure)"
    )
    assert client.request_count == 1


async def test_ticket_login_and_csrf_token(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.add_vm(101, "web01")
    async with PveClient(fakepve_settings) as client:
        await client.version()
        await client.put("/nodes/pve1/qemu/101/config", data={"description": "hello"})
        config = await client.get("/nodes/pve1/qemu/101/config")
    assert config["description"] == "hello"
    assert logins(fakepve) == 1


async def test_wrong_password_is_refused(fakepve: FakePve, make_pve_settings: Make) -> None:
    async with PveClient(make_pve_settings(password="not-it")) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.version()
    assert str(caught.value) == (
        f"login as root@pam at 127.0.0.1:{fakepve.port} refused (401 authentication failure)"
    )
    assert logins(fakepve) == 1


async def test_revoked_ticket_means_one_new_login(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    async with PveClient(fakepve_settings) as client:
        await client.version()
        fakepve.revoke_tickets()
        # Many requests refused at once still lead to a single new login.
        results = await asyncio.gather(*(client.get("/nodes") for _ in range(8)))
    assert all(r[0]["node"] == "pve1" for r in results)
    assert logins(fakepve) == 2


async def test_expired_ticket_means_a_new_login(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    fakepve.ticket_ttl = 0.2
    async with PveClient(fakepve_settings) as client:
        await client.version()
        await asyncio.sleep(0.3)
        assert (await client.version()).version
    assert logins(fakepve) == 2


async def test_ticket_is_renewed_before_it_expires(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    async with PveClient(fakepve_settings, ticket_renew_after=0.1) as client:
        await client.version()
        await asyncio.sleep(0.15)
        await client.version()
    paths = [path.removeprefix("/api2/json") for _, path, _ in fakepve.requests]
    assert paths == ["/access/ticket", "/version", "/access/ticket", "/version"]


async def test_refusal_after_a_new_login_is_final(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    fakepve.fail("GET", "/nodes", 401, "permission denied - invalid PVE ticket")
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.get("/nodes")
    assert (
        str(caught.value)
        == "GET /nodes: authentication as root@pam failed (401 permission denied - invalid PVE ticket)"
    )
    assert logins(fakepve) == 2
