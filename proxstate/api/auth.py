"""Authentication to the PVE API: an API token, or a ticket from a user and password.

A ticket (cookie `PVEAuthCookie`) is valid for two hours; it is renewed by logging in again
before then, and once more when PVE refuses it (401), e.g. after a restart of the cluster's
authentication key. Non-GET requests also carry the ticket's CSRFPreventionToken.
The secrets live in SecretStr and leave it only to become a request header.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import SecretStr

from proxstate.errors import AuthenticationError, ProtocolError

TICKET_PATH = "/access/ticket"
# PVE tickets expire after 2 hours; renew well before.
TICKET_RENEW_AFTER = 105 * 60.0
_SAFE_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: fit for a header or cookie

log = logging.getLogger("proxstate.api")

# Sends the login form and returns the `data` of PVE's answer.
LoginSender = Callable[[Mapping[str, str]], Awaitable[Any]]


@dataclass(frozen=True)
class Credentials:
    """Headers that authenticate one request, and which login they come from."""

    headers: dict[str, str] = field(repr=False)
    generation: int = 0


class Authenticator(Protocol):
    user: str

    async def credentials(self, method: str) -> Credentials: ...

    async def refused(self, used: Credentials) -> bool:
        """PVE answered 401 to `used`: True if a new login is worth one more try."""
        ...


class TokenAuth:
    """API token: one header, nothing to renew."""

    def __init__(self, token: SecretStr, *, user: str) -> None:
        self._token = token
        self.user = user

    async def credentials(self, method: str) -> Credentials:
        return Credentials({"Authorization": f"PVEAPIToken={self._token.get_secret_value()}"})

    async def refused(self, used: Credentials) -> bool:
        return False

    def __repr__(self) -> str:
        return f"TokenAuth(user={self.user!r})"


class TicketAuth:
    """User and password: a ticket cookie, plus the CSRF token for requests that change things."""

    def __init__(
        self, *, user: str, password: SecretStr, send: LoginSender, renew_after: float = TICKET_RENEW_AFTER
    ) -> None:
        self.user = user
        self._password = password
        self._send = send
        self.renew_after = renew_after
        self._ticket: SecretStr | None = None
        self._csrf: SecretStr | None = None
        self._obtained = 0.0
        self._generation = 0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"TicketAuth(user={self.user!r}, logged_in={self._ticket is not None})"

    async def credentials(self, method: str) -> Credentials:
        async with self._lock:
            if self._ticket is None or time.monotonic() - self._obtained >= self.renew_after:
                await self._login()
            assert self._ticket is not None and self._csrf is not None
            headers = {"Cookie": f"PVEAuthCookie={self._ticket.get_secret_value()}"}
            if method not in ("GET", "HEAD"):
                headers["CSRFPreventionToken"] = self._csrf.get_secret_value()
            return Credentials(headers, self._generation)

    async def refused(self, used: Credentials) -> bool:
        async with self._lock:
            # Only the first of many refused requests forgets the ticket; the others reuse the new one.
            if used.generation == self._generation:
                self._ticket = None
        return True

    async def _login(self) -> None:
        form = {"username": self.user, "password": self._password.get_secret_value()}
        data = await self._send(form)
        if not isinstance(data, dict):
            raise ProtocolError(
                f"unexpected answer from PVE at POST {TICKET_PATH}: no ticket", path=TICKET_PATH
            )
        if data.get("NeedTFA"):
            raise AuthenticationError(
                f"login as {self.user} needs a second factor (TFA), which proxstate cannot give; "
                "use an API token instead",
                path=TICKET_PATH,
            )
        ticket, csrf = data.get("ticket"), data.get("CSRFPreventionToken")
        if not all(isinstance(v, str) and _SAFE_HEADER_VALUE.fullmatch(v) for v in (ticket, csrf)):
            raise ProtocolError(
                f"unexpected answer from PVE at POST {TICKET_PATH}: no usable ticket and CSRF token",
                path=TICKET_PATH,
            )
        self._ticket, self._csrf = SecretStr(str(ticket)), SecretStr(str(csrf))
        self._obtained = time.monotonic()
        self._generation += 1
        log.debug("logged in as %s (login %d)", self.user, self._generation)


__all__ = ["TICKET_PATH", "TICKET_RENEW_AFTER", "Authenticator", "Credentials", "TicketAuth", "TokenAuth"]
