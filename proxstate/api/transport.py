"""The HTTPS transport of the client: httpx's, with its connections on asyncio's transports
(proxstate/api/netstream.py) and its connection pool's bookkeeping done in one pass."""

from __future__ import annotations

import ssl

import httpcore
import httpx

from proxstate.api.netstream import AsyncioBackend


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool, with its bookkeeping in one pass over the connections.

    httpcore 1.0 counts the idle connections again for every idle connection it looks at (a list
    built inside the loop, of every connection): with 16 connections that is a few hundred calls,
    several times per request. The decisions are httpcore's, unchanged: drop closed and expired
    connections, close idle ones beyond the keep-alive bound, then give each queued request an
    available connection, a new one, or the place of an idle one.
    """

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
        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            available = None
            idle = None
            for connection in self._connections:
                if available is None and connection.can_handle_request(origin) and connection.is_available():
                    available = connection
                    break
                if idle is None and connection.is_idle():
                    idle = connection
            if available is not None:
                pool_request.assign_to_connection(available)
                continue
            if len(self._connections) >= self._max_connections:
                if idle is None:
                    continue  # the request waits for a connection to be free
                self._connections.remove(idle)
                closing.append(idle)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


def http_transport(context: ssl.SSLContext, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's HTTPS transport with `limits`, its connections made by AsyncioBackend.

    httpx takes no network backend, so its connection pool is replaced by an equal one (the
    arguments httpx gives it from the same values) that has this backend. Should a version of
    httpx keep its pool elsewhere, the transport stays as httpx makes it: slower, not wrong; the
    one-pass bookkeeping is used with the httpcore it was written against (1.0) only.
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
