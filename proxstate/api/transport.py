"""The HTTPS transport of the client: httpx's, with its connections on asyncio's transports
(proxstate/api/netstream.py) and its connection pool's bookkeeping done in one pass."""

from __future__ import annotations

import ssl

import httpcore
import httpx

from proxstate.api.netstream import AsyncioBackend


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
    an idle one.
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
