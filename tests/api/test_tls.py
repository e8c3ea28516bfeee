"""TLS trust: CA file, fingerprint pinning on every connection, untrusted certificates, insecure."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.api.tls import PinMismatchError, ssl_context
from proxstate.errors import FingerprintMismatch, TLSError

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]
WRONG_PIN = ":".join(["AB"] * 32)


@pytest.fixture
def server_fingerprint(fakepve_cafile: str) -> str:
    """SHA-256 of the fixture certificate's DER, as PVE shows it (AB:CD:...)."""
    der = ssl.PEM_cert_to_DER_cert(Path(fakepve_cafile).read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


async def test_ca_file_verifies_the_server(make_pve_settings: Make) -> None:
    async with PveClient(make_pve_settings()) as client:
        assert (await client.version()).version


async def test_ca_file_verifies_the_host_name(fakepve: FakePve, make_pve_settings: Make) -> None:
    # The certificate names localhost and 127.0.0.1; both work.
    async with PveClient(make_pve_settings(url=f"localhost:{fakepve.port}")) as client:
        assert (await client.version()).version


async def test_pinned_fingerprint_is_trusted_without_a_ca(
    fakepve: FakePve, make_pve_settings: Make, server_fingerprint: str
) -> None:
    pin = server_fingerprint.replace(":", "").lower()  # accepted in any case, with or without colons
    settings = make_pve_settings(ca_cert=None, fingerprint=pin, concurrency=4)
    assert settings.fingerprint == server_fingerprint
    fakepve.time_scale = 1.0
    fakepve.slow_network(0.02)  # so that parallel calls open several connections
    async with PveClient(settings) as client:
        versions = await asyncio.gather(*(client.version() for _ in range(12)))
    assert len(versions) == 12 and client.max_in_flight == 4


async def test_wrong_fingerprint_is_refused_before_any_request(
    fakepve: FakePve, make_pve_settings: Make, server_fingerprint: str
) -> None:
    settings = make_pve_settings(ca_cert=None, fingerprint=WRONG_PIN)
    async with PveClient(settings) as client:
        with pytest.raises(FingerprintMismatch) as caught:
            await client.version()
    message = str(caught.value)
    assert WRONG_PIN in message and server_fingerprint in message
    assert fakepve.requests == []  # not even the login went out
    assert client.request_count == 1  # a certificate that does not match is not retried


async def test_pin_applies_on_top_of_a_ca_file(make_pve_settings: Make, server_fingerprint: str) -> None:
    async with PveClient(make_pve_settings(fingerprint=server_fingerprint)) as client:
        assert (await client.version()).version
    async with PveClient(make_pve_settings(fingerprint=WRONG_PIN)) as client:
        with pytest.raises(FingerprintMismatch):
            await client.version()


async def test_every_connection_checks_the_pin(
    fakepve: FakePve, make_pve_settings: Make, server_fingerprint: str
) -> None:
    good = ssl_context(make_pve_settings(ca_cert=None, fingerprint=server_fingerprint))
    bad = ssl_context(make_pve_settings(ca_cert=None, fingerprint=WRONG_PIN))
    for _ in range(3):
        _, writer = await asyncio.open_connection(fakepve.host, fakepve.port, ssl=good)
        writer.close()
        with pytest.raises(PinMismatchError) as caught:
            await asyncio.open_connection(fakepve.host, fakepve.port, ssl=bad)
        assert caught.value.actual == server_fingerprint


async def test_untrusted_certificate_is_refused(fakepve: FakePve, make_pve_settings: Make) -> None:
    async with PveClient(make_pve_settings(ca_cert=None)) as client:
        with pytest.raises(TLSError) as caught:
            await client.version()
    assert not isinstance(caught.value, FingerprintMismatch)
    assert str(caught.value) == (
        f"POST /access/ticket: the TLS certificate of 127.0.0.1:{fakepve.port} is not trusted (self-signed "
        "certificate); give the CA certificate file (ca_cert) or pin the certificate's SHA-256 fingerprint"
    )
    assert fakepve.requests == [] and client.request_count == 1


async def test_insecure_skips_verification(make_pve_settings: Make) -> None:
    async with PveClient(make_pve_settings(ca_cert=None, insecure=True)) as client:
        assert (await client.version()).version
