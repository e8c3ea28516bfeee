"""One attempt of a request: sent and its whole answer read within one bound, the body as a stream
with a bound on its decompressed size.

httpx would decompress a gzip body in one piece per network read, however far it expands (a
1 MB answer of zeros becomes 1 GB). Here the body is decompressed with zlib's `max_length`, so
no more than the bound plus one network read is ever held, and reading stops at the bound.
PVE compresses with gzip only (pveproxy), so the client asks for gzip and nothing else.
"""

from __future__ import annotations

import asyncio
import zlib

import httpx

from proxstate.errors import ProtocolError
from proxstate.limits import MAX_ANSWER_BYTES

ACCEPT_ENCODING = "gzip"
# Headers that describe the body as it came over the wire, not as it is after decoding.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _decoder(response: httpx.Response, *, shown: str) -> zlib._Decompress | None:
    encoding = str(response.headers.get("content-encoding", "")).strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ProtocolError(
        f"{shown}: the answer is compressed as {encoding[:40]!r}, which PVE does not use", path=shown
    )


def _check_size(body: bytearray, *, limit: int, shown: str) -> None:
    if len(body) > limit:
        raise ProtocolError(
            f"{shown}: the answer is larger than {_size(limit)} (decompressed), more than any PVE "
            "answer: not read",
            path=shown,
        )


async def read_body(response: httpx.Response, *, shown: str, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The decoded body of a streamed answer; ProtocolError once it grows beyond `limit` bytes.

    `shown` is the request as messages name it (`GET /nodes/pve1/status`).
    """
    if response.is_stream_consumed:
        # A response made in memory (a transport for tooling or tests) is decoded already.
        body = bytearray(response.content)
        _check_size(body, limit=limit, shown=shown)
        return bytes(body)
    decoder = _decoder(response, shown=shown)
    body = bytearray()
    try:
        async for raw in response.aiter_raw():
            data = raw
            while data:
                if decoder is None:
                    body += data
                    data = b""
                else:
                    # Never more than one byte past the bound: that byte says the answer is too big.
                    body += decoder.decompress(data, limit + 1 - len(body))
                    data = decoder.unconsumed_tail
                _check_size(body, limit=limit, shown=shown)
        if decoder is not None:
            body += decoder.flush()
            _check_size(body, limit=limit, shown=shown)
    except zlib.error as exc:
        raise ProtocolError(f"{shown}: the answer's compressed body is corrupt ({exc})", path=shown) from None
    return bytes(body)


def buffered(response: httpx.Response, body: bytes) -> httpx.Response:
    """A complete response with the decoded `body`, for the code that reads status, headers and content."""
    try:
        response.content  # noqa: B018 - loaded already (a response made in memory): nothing to do
    except httpx.ResponseNotRead:
        pass
    else:
        return response
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )


async def exchange(
    transport: httpx.AsyncBaseTransport, request: httpx.Request, *, seconds: float, shown: str
) -> httpx.Response:
    """Send `request` and read its whole answer within `seconds`, as a whole.

    httpx's own timeouts bound each read, so a server that drips one byte a second would never
    end; here connecting, sending and every read share one bound. Going over it is a ReadTimeout,
    retried like httpx's own.
    """
    try:
        async with asyncio.timeout(seconds):
            streamed = await transport.handle_async_request(request)
            streamed.request = request
            try:
                body = await read_body(streamed, shown=shown)
            finally:
                await streamed.aclose()
    except TimeoutError:
        raise httpx.ReadTimeout(f"no complete answer within {seconds:.3g} s", request=request) from None
    return buffered(streamed, body)


__all__ = ["ACCEPT_ENCODING", "buffered", "exchange", "read_body"]
