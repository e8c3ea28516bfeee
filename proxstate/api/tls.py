"""TLS trust for the PVE API: system CAs, a CA file, a pinned certificate fingerprint, or none.

A pinned fingerprint is checked on every TLS connection, not once: the SSL context carries an
SSLObject (and SSLSocket) class whose handshake compares the SHA-256 of the server certificate
(DER) with the pin and fails the handshake on a mismatch, before any request is sent.
"""

from __future__ import annotations

import hashlib
import ssl
from typing import TypeVar

import certifi

from proxstate.api.settings import ConnectionSettings
from proxstate.errors import ConfigError

ErrorT = TypeVar("ErrorT", bound=BaseException)


class PinMismatchError(ssl.SSLCertVerificationError):
    """The server certificate's fingerprint is not the pinned one (raised inside the handshake)."""

    def __init__(self, *, expected: str, actual: str | None) -> None:
        super().__init__(f"certificate fingerprint {actual or '(none)'} does not match the pin {expected}")
        self.expected = expected
        self.actual = actual


def fingerprint_of(der: bytes) -> str:
    """SHA-256 of a DER certificate in PVE's form, AB:CD:..."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _check_pin(der: bytes | None, expected: str) -> None:
    actual = fingerprint_of(der) if der else None
    if actual != expected:
        raise PinMismatchError(expected=expected, actual=actual)


def _pin(context: ssl.SSLContext, expected: str) -> None:
    """Make every handshake made with `context` check the peer certificate against `expected`."""

    class PinnedSSLObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            super().do_handshake()
            _check_pin(self.getpeercert(binary_form=True), expected)

    class PinnedSSLSocket(ssl.SSLSocket):
        def do_handshake(self, block: bool = False) -> None:
            super().do_handshake(block)
            _check_pin(self.getpeercert(binary_form=True), expected)

    context.sslobject_class = PinnedSSLObject
    context.sslsocket_class = PinnedSSLSocket


def _load_ca_file(context: ssl.SSLContext, settings: ConnectionSettings) -> None:
    try:
        context.load_verify_locations(cafile=str(settings.ca_cert))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ConfigError(f"cannot use the CA certificate file {settings.ca_cert}: {reason}") from exc


def ssl_context(settings: ConnectionSettings) -> ssl.SSLContext:
    """The SSL context that carries the trust the settings ask for."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if settings.ca_cert is not None:
        _load_ca_file(context, settings)
    elif settings.fingerprint is not None:
        # The pin alone decides: PVE's self-signed certificates name no host the client may use.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        context.load_verify_locations(cafile=certifi.where())
    if settings.fingerprint is not None:
        _pin(context, settings.fingerprint)
    return context


def find_pin_mismatch(exc: BaseException) -> PinMismatchError | None:
    """The PinMismatchError behind an exception (httpx wraps it twice), if any."""
    return _find(exc, PinMismatchError)


def find_ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The ssl.SSLError behind an exception, if any."""
    return _find(exc, ssl.SSLError)


def _find(exc: BaseException, kind: type[ErrorT]) -> ErrorT | None:
    # Follow explicit causes (`raise ... from`) and exceptions wrapped as arguments: httpcore wraps
    # the ssl error as its argument and its pool re-raises `from None`. Not the implicit context:
    # it may hold unrelated errors, such as the SSLWantReadError that a timeout interrupted.
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        if current.__cause__ is not None:
            pending.append(current.__cause__)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return None


__all__ = ["PinMismatchError", "find_pin_mismatch", "find_ssl_error", "fingerprint_of", "ssl_context"]
