"""PveClient: an async client of the PVE HTTP API.

It authenticates (API token, or ticket with renewal), keeps at most `settings.concurrency`
requests in flight, and `settings.node_concurrency` on each node (proxstate.api.slots), retries
transient failures with backoff within `settings.retry_budget`, and turns every failure into a
proxstate.errors exception. The raw calls return PVE's `data`; the typed calls (EndpointMethods)
return models.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from proxstate.api.auth import TICKET_PATH, TICKET_RENEW_AFTER, Authenticator, TicketAuth, TokenAuth
from proxstate.api.body import ACCEPT_ENCODING, exchange
from proxstate.api.endpoints import EndpointMethods
from proxstate.api.errors import (
    clean_text,
    data_of,
    display_path,
    envelope_of,
    error_for_exception,
    error_for_response,
)
from proxstate.api.retry import Backoff, attempt_seconds, past, transient_exception, transient_status
from proxstate.api.settings import ConnectionSettings
from proxstate.api.slots import Slots
from proxstate.api.tls import ssl_context
from proxstate.api.transport import http_transport
from proxstate.errors import AuthenticationError, DeadlineReached

log = logging.getLogger("proxstate.api")


Params = Mapping[str, Any]


def _value(value: Any) -> str | int:
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) else str(value)


def _form(values: Params | None) -> dict[str, Any] | None:
    """Parameters as PVE reads them: booleans as 0/1, lists as repeated keys, None left out."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        out[key] = [_value(v) for v in value] if isinstance(value, list | tuple) else _value(value)
    return out


class PveClient(EndpointMethods):
    """`async with PveClient(settings) as client: await client.version()`.

    `transport` replaces the HTTPS transport (and with it the TLS settings), e.g. for tooling.
    `deadline` (a `time.monotonic()` value) ends every request still unanswered then, and no
    request starts after it: a sync's reads stop at its deadline.
    Counters: `request_count` (HTTP requests sent, logins and retries included), `max_in_flight`
    (the most requests that were in flight at once) and `slots.max_node_in_flight` (on one node).
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        ticket_renew_after: float = TICKET_RENEW_AFTER,
        deadline: float | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.deadline = deadline
        self.on_retry = on_retry
        self.request_count = 0
        self.slots = Slots(total=settings.concurrency, per_node=settings.node_concurrency)
        if transport is None:
            limits = httpx.Limits(
                max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
            )
            transport = http_transport(ssl_context(settings), limits)
        # Requests go to the transport directly, not through an httpx.AsyncClient: the client's
        # auth flows, redirects, cookie jar and hooks are all unused here (redirects are not
        # followed, credentials are headers of ours, PVE sets no cookies), and its cookie
        # bookkeeping alone builds two urllib objects per request.
        self._transport = transport
        self._base = settings.url.rstrip("/")
        self._headers = httpx.Headers(
            {
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "Connection": "keep-alive",
                "User-Agent": "proxstate",
            }
        )
        self._extensions = {
            "timeout": httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.read_timeout,
            ).as_dict()
        }
        self._auth: Authenticator
        if settings.token is not None:
            self._auth = TokenAuth(settings.token, user=settings.auth_user)
        else:
            assert settings.user is not None and settings.password is not None
            self._auth = TicketAuth(
                user=settings.user,
                password=settings.password,
                send=self._login,
                renew_after=ticket_renew_after,
            )

    @property
    def max_in_flight(self) -> int:
        return self.slots.max_in_flight

    def __repr__(self) -> str:
        return f"PveClient(url={self.settings.url!r}, user={self.settings.auth_user!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._transport.aclose()

    # ------------------------------------------------------------------ raw calls

    async def get(self, path: str, *, params: Params | None = None, data: Params | None = None) -> Any:
        return await self.request("GET", path, params=params, data=data)

    async def post(self, path: str, *, params: Params | None = None, data: Params | None = None) -> Any:
        return await self.request("POST", path, params=params, data=data)

    async def put(self, path: str, *, params: Params | None = None, data: Params | None = None) -> Any:
        return await self.request("PUT", path, params=params, data=data)

    async def delete(self, path: str, *, params: Params | None = None, data: Params | None = None) -> Any:
        return await self.request("DELETE", path, params=params, data=data)

    async def get_envelope(self, path: str, *, params: Params | None = None) -> dict[str, Any]:
        """GET returning PVE's whole answer object: `data` and the fields some handlers set beside
        it (`changes` of /nodes/{node}/network while /etc/network/interfaces.new exists)."""
        answer: dict[str, Any] = await self._call("GET", path, params=params, data=None, envelope=True)
        return answer

    async def request(
        self, method: str, path: str, *, params: Params | None = None, data: Params | None = None
    ) -> Any:
        """One API call; returns the `data` member of PVE's answer."""
        return await self._call(method, path, params=params, data=data, envelope=False)

    async def _call(
        self, method: str, path: str, *, params: Params | None, data: Params | None, envelope: bool
    ) -> Any:
        method = method.upper()
        path = "/" + path.lstrip("/")
        for attempt in (1, 2):
            credentials = await self._auth.credentials(method)
            response = await self._send(
                method, path, params=_form(params), data=_form(data), headers=credentials.headers
            )
            if response.status_code == 401 and attempt == 1 and await self._auth.refused(credentials):
                log.debug("%s %s: ticket refused, logging in again", method, display_path(path))
                continue
            break
        # Let the call that waits for the slot just freed send its request before this answer is
        # decoded: the server works on the next request while this one is parsed.
        await asyncio.sleep(0)
        if response.is_error:
            raise error_for_response(method, path, response, user=self._auth.user)
        return envelope_of(method, path, response) if envelope else data_of(method, path, response)

    # ------------------------------------------------------------------ plumbing

    async def _login(self, form: Mapping[str, str]) -> Any:
        """POST /access/ticket with the login form; the `data` of the answer."""
        response = await self._send(
            "POST", TICKET_PATH, params=None, data=dict(form), headers={}, idempotent=True
        )
        if response.status_code == 401:
            text = clean_text(response.reason_phrase or "authentication failure")
            raise AuthenticationError(
                f"login as {self._auth.user} at {self.settings.address} refused (401 {text})",
                path=TICKET_PATH,
                status=401,
            )
        if response.is_error:
            raise error_for_response("POST", TICKET_PATH, response)
        return data_of("POST", TICKET_PATH, response)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None,
        data: Params | None,
        headers: Mapping[str, str],
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send with retries; the last answer, or the translated failure of the last attempt."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        backoff = Backoff(budget=self.settings.retry_budget, max_attempts=self.settings.max_attempts)
        while True:
            self._check_deadline(method, path)
            backoff.attempts += 1
            try:
                response = await self._exchange(method, path, params=params, data=data, headers=headers)
            except httpx.HTTPError as exc:
                self._check_deadline(method, path)
                delay = backoff.next_delay() if transient_exception(exc, idempotent=idempotent) else None
                if delay is None or past(self.deadline, delay):
                    raise error_for_exception(
                        method, path, exc, address=self.settings.address, attempts=backoff.attempts
                    ) from exc
                why = type(exc).__name__
            else:
                delay = (
                    backoff.next_delay(response)
                    if transient_status(response, idempotent=idempotent)
                    else None
                )
                if delay is None or past(self.deadline, delay):
                    return response
                why = f"status {response.status_code}"
            request = f"{method} {display_path(path)}"
            said = backoff.retry_line(why, address=self.settings.address)
            log.debug("%s: attempt %d failed (%s); next in %.2fs", request, backoff.attempts, why, delay)
            if said is not None and self.on_retry is not None:
                self.on_retry(said)
            await asyncio.sleep(delay)

    def _request_headers(self, headers: Mapping[str, str]) -> httpx.Headers:
        merged = self._headers.copy()
        merged.update(headers)
        return merged

    def _check_deadline(self, method: str, path: str) -> None:
        if past(self.deadline):
            raise DeadlineReached(
                f"{method} {display_path(path)}: not read, the sync reached its deadline (--deadline)",
                path=display_path(path),
            )

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Params | None,
        data: Params | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        """One HTTP request, within the concurrency limit, counted and logged."""
        async with self.slots.hold(path):
            self.request_count += 1
            started = time.monotonic()
            try:
                request = httpx.Request(
                    method,
                    self._base + path,
                    params=params,
                    data=data,
                    headers=self._request_headers(headers),
                    extensions=self._extensions,
                )
                response = await exchange(
                    self._transport,
                    request,
                    seconds=attempt_seconds(self.settings, self.deadline),
                    shown=f"{method} {display_path(path)}",
                )
            except httpx.HTTPError as exc:
                if log.isEnabledFor(logging.DEBUG):
                    log.debug(
                        "%s %s failed after %.3fs: %s",
                        method,
                        display_path(path),
                        time.monotonic() - started,
                        type(exc).__name__,
                    )
                raise
        if log.isEnabledFor(logging.DEBUG):  # display_path is not free, and this runs per request
            log.debug(
                "%s %s -> %d in %.3fs",
                method,
                display_path(path),
                response.status_code,
                time.monotonic() - started,
            )
        return response


__all__ = ["PveClient"]
