"""No token, password, ticket or CSRF token in logs, exception texts, reprs or settings."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.errors import ApiError, ConfigError, ProxstateError

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]
TOKEN_SECRET = "7d3c2b1a-aaaa-bbbb-cccc-0123456789ab"
PASSWORD = "pw-Zebra-42-very-secret"


def _texts(errors: list[ProxstateError]) -> str:
    return "\n".join(f"{e}\n{e!r}\n{e.args!r}" for e in errors)


async def test_secrets_stay_secret(
    fakepve: FakePve, make_pve_settings: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    fakepve.password = PASSWORD
    fakepve.apitokens["root@pam!ci"] = TOKEN_SECRET
    fakepve.add_node("pve2")
    fakepve.set_node_offline("pve2")
    token_settings = make_pve_settings(user=None, password=None, token=f"root@pam!ci={TOKEN_SECRET}")
    password_settings = make_pve_settings(password=PASSWORD)
    errors: list[ProxstateError] = []

    async with PveClient(token_settings) as client:
        await client.version()
        for call in (client.get("/nodes/pve2/qemu"), client.get("/nodes/pve1/qemu/999/config")):
            try:
                await call
            except ApiError as exc:
                errors.append(exc)
        token_client = repr(client)
    async with PveClient(password_settings, ticket_renew_after=0.0) as client:
        await client.version()
        await client.post("/nodes/pve1/qemu", data={"vmid": 150})
        revoked = dict(fakepve.tickets)
        fakepve.revoke_tickets()
        await client.get("/nodes")
        password_client = repr(client)
    wrong = [
        make_pve_settings(password="wrong-" + PASSWORD),
        make_pve_settings(user=None, password=None, token=f"root@pam!ci=x{TOKEN_SECRET}"),
    ]
    for settings in wrong:
        async with PveClient(settings) as client:
            try:
                await client.version()
            except ApiError as exc:
                errors.append(exc)
    for bad in (
        {"token": f"root@pam=ci{TOKEN_SECRET}"},
        {"token": f"root@pam!ci={TOKEN_SECRET}", "password": PASSWORD},
    ):
        try:
            ConnectionSettings(url="pve", **bad)
        except ConfigError as exc:
            errors.append(exc)

    assert len(errors) == 6
    sessions = {**revoked, **fakepve.tickets}
    tickets = list(sessions)
    csrf_tokens = [session["csrf"] for session in sessions.values()]
    assert len(tickets) == 3  # renewed before each request
    secrets = [TOKEN_SECRET, PASSWORD, *tickets, *csrf_tokens]
    haystack = "\n".join(
        [
            caplog.text,
            _texts(errors),
            repr(token_settings),
            str(token_settings),
            repr(password_settings),
            str(password_settings.model_dump()),
            token_client,
            password_client,
        ]
    )
    for secret in secrets:
        assert secret not in haystack
    # The debug log does say what was asked, and how it went.
    assert "GET /nodes/pve2/qemu -> 595" in caplog.text
    assert "POST /access/ticket -> 200" in caplog.text
