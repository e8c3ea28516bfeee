"""The connections under httpx: asyncio's own transports, without anyio in between.

httpx reaches the network through httpcore, which on asyncio goes through anyio by default. Most
of a sync's CPU is that stack, and anyio adds a good part of it to every request: a cancel scope
around every read and write, and a chain of attribute lookups each time the connection pool checks
whether an idle connection was closed by the server (it does so for every connection, several
times per request). This backend speaks httpcore's network interface (`AsyncNetworkBackend`,
`AsyncNetworkStream`) with an asyncio protocol: reads come from the bytes the event loop has
already received, TLS is asyncio's own (the SSL context, with its pinned-fingerprint check, is the
same), and failures are httpcore's exceptions, which httpx turns into its own as before.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

# Stop reading from the socket while this many received bytes wait to be read: a reader that falls
# behind holds at most about this much (the body's own bound is applied above, in api/body.py).
_HIGH_WATER = 256 * 1024


class _Protocol(asyncio.Protocol):
    """Collects what the event loop receives on one connection, for AsyncioStream to read."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.closed = False
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self.reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _HIGH_WATER and self.transport is not None and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close the transport: HTTP/1.1 never sends after the server's end

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.eof = True
        self.error = exc
        self._wake_reader()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _wake_reader(self) -> None:
        if self._readable is not None and not self._readable.done():
            self._readable.set_result(None)

    async def readable(self) -> None:
        """Wait until bytes, the end of the stream or a failure are there to be read."""
        self._readable = asyncio.get_running_loop().create_future()
        try:
            await self._readable
        finally:
            self._readable = None

    @property
    def write_paused(self) -> bool:
        return self._writable is not None and not self._writable.done()

    async def writable(self) -> None:
        """Wait until the transport takes more bytes (asyncio's flow control)."""
        if self._writable is not None:
            await self._writable


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection (plain TCP, or TLS after start_tls) as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            try:
                async with asyncio.timeout(timeout):
                    await protocol.readable()
            except TimeoutError as exc:
                raise httpcore.ReadTimeout(exc) from exc
        if protocol.buffer:
            data = bytes(protocol.buffer[:max_bytes])
            del protocol.buffer[:max_bytes]
            if protocol.reading_paused and len(protocol.buffer) <= _HIGH_WATER // 4:
                protocol.reading_paused = False
                # also once the server has closed: TLS holds back the rest of the answer until then
                self._transport.resume_reading()
            return data
        if protocol.error is not None:
            raise httpcore.ReadError(protocol.error) from protocol.error
        return b""  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if protocol.closed or self._transport.is_closing():
            error = protocol.error or ConnectionResetError("the connection is closed")
            raise httpcore.WriteError(error) from error
        self._transport.write(buffer)
        if protocol.write_paused:
            try:
                async with asyncio.timeout(timeout):
                    await protocol.writable()
            except TimeoutError as exc:
                raise httpcore.WriteTimeout(exc) from exc

    async def aclose(self) -> None:
        # Without TLS's close_notify, as httpcore's anyio streams close (standard_compatible=False):
        # the answer has been read whole, and a server that is gone would hold the close up.
        self._transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.abort()
            raise httpcore.ConnectTimeout(exc) from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._transport.abort()
            raise httpcore.ConnectError(exc) from exc
        if transport is None:  # the connection was closed during the handshake
            error = ConnectionResetError("the connection was closed during the TLS handshake")
            raise httpcore.ConnectError(error) from error
        assert isinstance(transport, asyncio.Transport)
        # asyncio does not call connection_made again: reading is paused on the TLS transport now
        self._protocol.transport = transport
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # The event loop reads the socket as soon as bytes arrive, so the socket itself is never
            # readable here: what the server sent (its close, above all) is in the protocol.
            protocol = self._protocol
            return bool(protocol.buffer) or protocol.eof or self._transport.is_closing()
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


def _connected(transport: asyncio.BaseTransport, protocol: asyncio.BaseProtocol) -> AsyncioStream:
    assert isinstance(transport, asyncio.Transport) and isinstance(protocol, _Protocol)
    return AsyncioStream(transport, protocol)


def _set_options(stream: AsyncioStream, options: Iterable[Any] | None) -> None:
    sock = stream.get_extra_info("socket")
    for option in options or ():
        sock.setsockopt(*option)


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's transports (see the module's text)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _Protocol,
                    host,
                    port,
                    local_addr=(local_address, 0) if local_address else None,
                    # as anyio.connect_tcp: try the next address of a host after 250 ms
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except (OSError, socket.gaierror) as exc:
            raise httpcore.ConnectError(exc) from exc
        stream = _connected(transport, protocol)
        _set_options(stream, socket_options)
        return stream

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_unix_connection(_Protocol, path)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        stream = _connected(transport, protocol)
        _set_options(stream, socket_options)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


__all__ = ["AsyncioBackend", "AsyncioStream"]
