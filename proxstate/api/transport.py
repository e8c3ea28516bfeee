"""The HTTPS transport of the client: httpx's, with its connections on asyncio's transports
(proxstate/api/netstream.py), its connection pool's bookkeeping done in one pass, and its
connections' locks taken without a pause."""

from __future__ import annotations

import asyncio
import ssl
from types import TracebackType
from typing import Any

import httpcore
import httpx

from proxstate.api.netstream import AsyncioBackend


class _Lock:
    """A lock that is taken at once when it is free, without giving the event loop a turn.

    httpcore guards each connection with anyio's lock, which hands the event loop a turn on every
    acquire, free or not: twice on a request's way to the socket and once when its answer has been
    read. Each turn lets every other ready task run first (the decoding of the other answers), so a
    request waited about 0.5 ms more to be sent and its answer 0.4 ms more to be read (5 ms model,
    N=1000: 1.7 to 2.1 ms from an answer's last bytes to the next request's first, 0.74 to 0.85 ms
    with this lock; docs/performance.md). A connection carries one request at a time (_Pool), so the
    lock is never contended and only its turns cost; asyncio's lock takes none when free.
    """

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self._lock.acquire()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._lock.release()


class _Connection(httpcore.AsyncHTTPConnection):
    """httpcore's connection, HTTP/1.1 only (the pool's setting), with _Lock for its locks.

    `handle_async_request` is httpcore 1.0's without its HTTP/2 branch: the HTTP/1.1 connection is
    made here so that its lock can be replaced before its first request.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._request_lock = _Lock()  # type: ignore[assignment]

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if not self.can_handle_request(request.url.origin):
            raise RuntimeError(f"a request for {request.url.origin} on a connection to {self._origin}")
        try:
            async with self._request_lock:
                if self._connection is None:
                    stream = await self._connect(request)
                    connection = httpcore.AsyncHTTP11Connection(
                        origin=self._origin, stream=stream, keepalive_expiry=self._keepalive_expiry
                    )
                    connection._state_lock = _Lock()  # type: ignore[assignment]
                    self._connection = connection
        except BaseException:
            self._connect_failed = True
            raise
        return await self._connection.handle_async_request(request)


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool, with its bookkeeping in one pass, and one request per connection.

    httpcore 1.0 counts the idle connections again for every idle connection it looks at (a list
    built inside the loop, of every connection): with 16 connections that is a few hundred calls,
    several times per request. And it gives every queued request the first idle connection, the
    same one to all of them: each but one then finds it busy and goes round again (about 3 more
    rounds per request in a sync). Here a connection given to a request is not given to another
    until that request is done with it (HTTP/1.1 carries one request at a time). Otherwise the
    decisions are httpcore's: drop closed and expired connections, close idle ones beyond the
    keep-alive bound, then give each queued request an idle connection, a new one, or the place of
    an idle one. The connections it makes are _Connection: the same as httpcore's, with _Lock.
    """

    def create_connection(self, origin: httpcore.Origin) -> httpcore.AsyncConnectionInterface:
        return _Connection(
            origin=origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._keepalive_expiry,
            http1=True,
            http2=False,
            retries=self._retries,
            local_address=self._local_address,
            uds=self._uds,
            network_backend=self._network_backend,
            socket_options=self._socket_options,
        )

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired():
                self._connections.remove(connection)
                closing.append(connection)
            elif connection.is_idle() and len(self._connections) > self._max_keepalive_connections:
                # httpcore compares the number of all connections, not of the idle ones, here
                self._connections.remove(connection)
                closing.append(connection)
        queued = [request for request in self._requests if request.is_queued()]
        if not queued:
            return closing
        taken = {id(request.connection) for request in self._requests if not request.is_queued()}
        for pool_request in queued:
            origin = pool_request.request.url.origin
            available = idle = None
            for connection in self._connections:
                if id(connection) in taken:
                    continue
                if connection.can_handle_request(origin) and connection.is_available():
                    available = connection
                    break
                if idle is None and connection.is_idle():
                    idle = connection
            if available is None:
                if len(self._connections) >= self._max_connections:
                    if idle is None:
                        continue  # the request waits for a connection to be free
                    self._connections.remove(idle)
                    closing.append(idle)
                available = self.create_connection(origin)
                self._connections.append(available)
            pool_request.assign_to_connection(available)
            taken.add(id(available))
        return closing


def http_transport(context: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's HTTPS transport with `limits`, its connections made by AsyncioBackend.

    httpx takes no network backend, so its connection pool is replaced by an equal one (the
    arguments httpx gives it from the same values) that has this backend. Should a version of
    httpx keep its pool elsewhere, the transport stays as httpx makes it: slower, not wrong; the
    one-pass bookkeeping and the connections with _Lock are used with the httpcore they were
    written against (1.0) only.
    """
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits)
    if isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        pool = _Pool if httpcore.__version__.startswith("1.0.") else httpcore.AsyncConnectionPool
        transport._pool = pool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=AsyncioBackend(),
        )
    return transport


__all__ = ["http_transport"]
