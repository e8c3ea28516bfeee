"""Translation of PVE's answers and of transport failures into proxstate's exceptions.

PVE puts its human message in the HTTP reason phrase (`403 Permission check failed (/vms/100,
VM.Audit)`); the body is `{"data": null}` or empty, newer versions add `"message"`, and a 400 has
`"errors": {parameter: text}`. Messages here name the HTTP method, the API path and PVE's text.
"""

from __future__ import annotations

import http
import json
import re
import ssl
from typing import Any
from urllib.parse import unquote

import httpx

from proxstate.api.tls import find_pin_mismatch, find_ssl_error
from proxstate.errors import (
    ApiError,
    ApiTimeout,
    AuthenticationError,
    ConnectError,
    FingerprintMismatch,
    NodeUnreachable,
    NotFound,
    ParameterError,
    PermissionDenied,
    ProtocolError,
    ServerError,
    TLSError,
)
from proxstate.limits import MAX_ANSWER_DEPTH, json_too_deep

# Gateway errors: a proxy or a node that is restarting; worth another try.
TRANSIENT_STATUSES = frozenset({502, 503, 504})
_PERMISSION = re.compile(r"Permission check failed \((?P<acl>/[^,()]*), (?P<priv>[A-Za-z][\w.]*)\)")
_GONE = re.compile(r"does not exist|\bno such\b", re.IGNORECASE)
_NODE_PATH = re.compile(r"^/nodes/(?P<node>[^/]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TAG = re.compile(r"<[^>]*>")
TEXT_LIMIT = 300


def clean_text(text: str, *, limit: int = TEXT_LIMIT) -> str:
    """Text from the server made safe for one line of a message: no control characters, bounded."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def display_path(path: str) -> str:
    """The API path as a person reads it (percent-escapes decoded, control characters removed)."""
    return clean_text(unquote(path), limit=500)


def _media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";", 1)[0].strip().lower()


def _first_line(body: str) -> str:
    for line in _TAG.sub("\n", body).splitlines():
        if line.strip():
            return clean_text(line, limit=120)
    return ""


def _not_json(method: str, path: str, response: httpx.Response, detail: str) -> ProtocolError:
    status = "" if response.is_success else f" with status {response.status_code}"
    return ProtocolError(
        f"expected JSON from PVE at {method} {path}, got {detail}{status}",
        path=path,
        status=response.status_code,
    )


EMPTY = object()  # the body of an answer without one


def _json_body(method: str, path: str, response: httpx.Response) -> Any:
    """The decoded JSON body; EMPTY for an empty one; ProtocolError for anything else."""
    body = response.content
    if not body.strip():
        return EMPTY
    media = _media_type(response)
    if "json" not in media:
        page = _first_line(body[:8192].decode("utf-8", "replace"))
        detail = f"{media or 'a body without a content type'} (first line of the page: {page!r})"
        raise _not_json(method, path, response, detail)
    if json_too_deep(body):
        # Checked before decoding: a deep enough text would exhaust the recursion of the decoder
        # or of what reads the value later (normalizing, rendering, comparing).
        raise ProtocolError(
            f"{method} {path}: the answer nests deeper than {MAX_ANSWER_DEPTH} levels, more than any "
            "PVE answer: not read",
            path=path,
            status=response.status_code,
        )
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        where = (
            f" ({exc.msg}, line {exc.lineno} column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise _not_json(method, path, response, f"invalid JSON{where}") from None


def data_of(method: str, path: str, response: httpx.Response) -> Any:
    """The `data` member of a successful answer; ProtocolError if the answer is not PVE's JSON."""
    return envelope_of(method, path, response)["data"]


def envelope_of(method: str, path: str, response: httpx.Response) -> dict[str, Any]:
    """The whole JSON object of a successful answer: `data` and what a handler sets beside it."""
    shown = display_path(path)
    body = _json_body(method, shown, response)
    if body is EMPTY:
        raise _not_json(method, shown, response, "an empty body")
    if not isinstance(body, dict) or "data" not in body:
        raise _not_json(method, shown, response, "JSON without a data member")
    return body


def _pve_text(response: httpx.Response, body: Any) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message.strip():
        return clean_text(message)
    reason = response.reason_phrase
    if reason:
        return clean_text(reason)
    try:
        return http.HTTPStatus(response.status_code).phrase
    except ValueError:
        return "error"


def _parameter_errors(body: Any) -> dict[str, str]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {clean_text(str(k), limit=80): clean_text(str(v)) for k, v in errors.items()}


def error_for_response(
    method: str, path: str, response: httpx.Response, *, user: str | None = None
) -> ApiError:
    """The exception for an error answer (status >= 400) of PVE to `method path`."""
    status = response.status_code
    shown = display_path(path)
    try:
        body = _json_body(method, shown, response)
    except ProtocolError as exc:
        # PVE answers its own errors in JSON or with an empty body; a page means something in between.
        if status not in TRANSIENT_STATUSES | {595, 596}:
            return exc
        body = EMPTY
    text = _pve_text(response, body)
    said = f"({status} {text})"
    if status in (595, 596):
        found = _NODE_PATH.match(shown)
        node = found["node"] if found else None
        who = f"node {node}" if node else "the node"
        return NodeUnreachable(
            f"{method} {shown}: {who} is unreachable {said}", path=shown, status=status, node=node
        )
    if status == 401:
        as_whom = f" as {user}" if user else ""
        return AuthenticationError(
            f"{method} {shown}: authentication{as_whom} failed {said}", path=shown, status=status
        )
    if status == 403:
        found = _PERMISSION.search(text)
        return PermissionDenied(
            f"{method} {shown}: permission denied {said}",
            path=shown,
            status=status,
            acl_path=found["acl"] if found else None,
            privilege=found["priv"] if found else None,
        )
    if status == 404 or (status == 500 and _GONE.search(text)):
        return NotFound(f"{method} {shown}: not found {said}", path=shown, status=status)
    if status == 400:
        errors = _parameter_errors(body)
        listed = "; ".join(f"{name}: {problem}" for name, problem in sorted(errors.items()))
        detail = f": {listed}" if listed else ""
        return ParameterError(
            f"{method} {shown}: invalid parameters {said}{detail}", path=shown, errors=errors
        )
    if status >= 500:
        return ServerError(f"{method} {shown}: PVE server error {said}", path=shown, status=status)
    return ApiError(f"{method} {shown}: request failed {said}", path=shown, status=status)


def _reason(exc: BaseException) -> str:
    return clean_text(str(exc)) or type(exc).__name__


def is_tls_failure(exc: BaseException) -> bool:
    """True if the TLS handshake was refused (certificate, protocol), not merely interrupted."""
    found = find_ssl_error(exc)
    interrupted = ssl.SSLEOFError | ssl.SSLSyscallError | ssl.SSLZeroReturnError | ssl.SSLWantReadError
    return found is not None and not isinstance(found, interrupted | ssl.SSLWantWriteError)


def error_for_exception(
    method: str, path: str, exc: httpx.HTTPError, *, address: str, attempts: int
) -> ApiError:
    """The exception for a request to `address` that got no answer (after `attempts` tries)."""
    shown = display_path(path)
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    pin = find_pin_mismatch(exc)
    if pin is not None:
        return FingerprintMismatch(
            f"the TLS certificate of {address} has the SHA-256 fingerprint {pin.actual or '(none)'}, "
            f"but the fingerprint {pin.expected} is pinned: not connecting",
            path=shown,
        )
    if is_tls_failure(exc):
        found = find_ssl_error(exc)
        reason = clean_text(
            str(getattr(found, "verify_message", None) or getattr(found, "reason", None) or exc)
        )
        if isinstance(found, ssl.SSLCertVerificationError):
            return TLSError(
                f"{method} {shown}: the TLS certificate of {address} is not trusted ({reason}); give the CA "
                "certificate file (ca_cert) or pin the certificate's SHA-256 fingerprint",
                path=shown,
            )
        return TLSError(f"{method} {shown}: TLS with {address} failed ({reason})", path=shown)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return ApiTimeout(f"{method} {shown}: {address} timed out {phase} ({tries})", path=shown)
    if isinstance(exc, httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol | httpx.ProxyError
    ):
        return ConnectError(
            f"{method} {shown}: cannot talk to {address}: {_reason(exc)} ({tries})", path=shown
        )
    return ProtocolError(f"{method} {shown}: bad answer from {address}: {_reason(exc)}", path=shown)


__all__ = [
    "TRANSIENT_STATUSES",
    "clean_text",
    "data_of",
    "display_path",
    "error_for_exception",
    "error_for_response",
    "is_tls_failure",
]
