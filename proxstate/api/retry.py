"""When to try a request again, and how long to wait: exponential backoff with full jitter.

Transient failures are connection errors, timeouts, dropped connections and the gateway statuses
502/503/504. A request that may already have reached PVE (a read error, a 504 after a POST) is
tried again only if it is idempotent (GET, or the login); other 4xx/5xx are never retried.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import httpx

from proxstate.api.errors import TRANSIENT_STATUSES, is_tls_failure
from proxstate.api.settings import ConnectionSettings

# Failures that happen before the request reaches the server: safe to retry for any method.
_BEFORE_SENDING = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after the request may have reached the server: retried for idempotent requests only.
_AFTER_SENDING = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def transient_exception(exc: httpx.HTTPError, *, idempotent: bool) -> bool:
    """True if the request that failed with `exc` may be tried again."""
    if is_tls_failure(exc):
        return False  # an untrusted certificate stays untrusted
    if isinstance(exc, _BEFORE_SENDING):
        return True
    return idempotent and isinstance(exc, _AFTER_SENDING)


def transient_status(response: httpx.Response, *, idempotent: bool) -> bool:
    """True if PVE's (or a proxy's) answer says to try again later."""
    return idempotent and response.status_code in TRANSIENT_STATUSES


def _retry_after(response: httpx.Response | None) -> float:
    """Seconds the server asks to wait (Retry-After in seconds), or 0."""
    if response is None:
        return 0.0
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0


@dataclass(kw_only=True)
class Backoff:
    """The retry state of one request: attempts made and the time left in its budget."""

    budget: float  # seconds from the first attempt within which retries may start
    max_attempts: int
    base: float = 0.2
    cap: float = 8.0
    attempts: int = 0
    started: float = field(default_factory=time.monotonic)

    def next_delay(self, response: httpx.Response | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None when the attempts or the budget are spent."""
        if self.attempts >= self.max_attempts:
            return None
        ceiling = min(self.cap, self.base * 2 ** (self.attempts - 1))
        delay = max(random.uniform(0.0, ceiling), _retry_after(response))  # noqa: S311 - jitter, not crypto
        if time.monotonic() + delay - self.started > self.budget:
            return None
        return delay

    def retry_line(self, why: str, *, address: str) -> str | None:
        """`connecting to pve1:8006, attempt 2 of 5 (attempt 1 timed out)`: what a retry waits for,
        said while it lasts (a hanging host would otherwise give a minute of silence). None for a
        failure that cost no waiting (a dropped connection, a 503, sent again at once). Without the
        path: the failure is the host's, and requests in flight together say it once."""
        then, made = f"attempt {self.attempts + 1} of {self.max_attempts}", self.attempts
        if why in _CONNECTING:
            return f"connecting to {address}, {then} (attempt {made} {_CONNECTING[why]})"
        if why in _WAITING:
            return f"waiting for {address} to answer, {then} (attempt {made} {_WAITING[why]})"
        return None


# Failures before a connection exists, in the words of a retry line; the others are named as they are.
_CONNECTING = {
    "ConnectTimeout": "timed out",
    "ConnectError": "failed",
    "PoolTimeout": "found no free connection in time",
}
_WAITING = {"ReadTimeout": "got no answer in time", "WriteTimeout": "could not send in time"}


def past(deadline: float | None, wait: float = 0.0) -> bool:
    """True if `deadline` (a time.monotonic() value, or None for none) is reached `wait` s from now."""
    return deadline is not None and time.monotonic() + wait >= deadline


def attempt_seconds(settings: ConnectionSettings, deadline: float | None) -> float:
    """How long one attempt may take as a whole (connecting, sending, reading all of the answer):
    the larger of the two timeouts, and never past the deadline."""
    seconds = max(settings.connect_timeout, settings.read_timeout)
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
    return max(seconds, 0.0)


__all__ = ["Backoff", "attempt_seconds", "past", "transient_exception", "transient_status"]
