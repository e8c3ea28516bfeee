"""TLS trust: CA file, fingerprint pinning on every connection, untrusted certificates, insecure."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakepve import FakePve
from fakepve.certs import make_cert
from fakepve.pytest_plugin import _Serving

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


@pytest.fixture
def misnamed_pve(_fakepve_pki: tuple[str, str]) -> Iterator[FakePve]:
    """A fake served on 127.0.0.2 with the fixture's certificate, which names only localhost and
    127.0.0.1: trusted by the fixture's CA file, but not for the address the client dials."""
    serving = _Serving(FakePve(host="127.0.0.2", port=0), *_fakepve_pki)
    try:
        yield serving.pve
    finally:
        serving.stop()


def _sent(pve: FakePve) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in pve.requests]


async def test_ca_file_verifies_the_server(fakepve: FakePve, make_pve_settings: Make, tmp_path: Path) -> None:
    """The fake's own CA file: its answer. Another CA's file: refused before anything is sent."""
    async with PveClient(make_pve_settings()) as client:
        assert (await client.version()).version == fakepve.version
    assert _sent(fakepve) == [("POST", "/api2/json/access/ticket"), ("GET", "/api2/json/version")]
    fakepve.requests.clear()
    other_ca, _, _ = make_cert(str(tmp_path), name="other-ca")
    async with PveClient(make_pve_settings(ca_cert=Path(other_ca))) as client:
        with pytest.raises(TLSError) as caught:
            await client.version()
    assert str(caught.value) == (
        f"POST /access/ticket: the TLS certificate of 127.0.0.1:{fakepve.port} is not trusted (self-signed "
        "certificate); give the CA certificate file (ca_cert) or pin the certificate's SHA-256 fingerprint"
    )
    assert fakepve.requests == []


async def test_ca_file_verifies_the_host_name(
    fakepve: FakePve, misnamed_pve: FakePve, make_pve_settings: Make
) -> None:
    """A certificate the CA file vouches for, served under a name it does not carry, is refused."""
    async with PveClient(make_pve_settings(url=misnamed_pve.url)) as client:
        with pytest.raises(TLSError) as caught:
            await client.version()
    assert str(caught.value) == (
        f"POST /access/ticket: the TLS certificate of 127.0.0.2:{misnamed_pve.port} is not trusted "
        "(IP address mismatch, certificate is not valid for '127.0.0.2'.); give the CA certificate file "
        "(ca_cert) or pin the certificate's SHA-256 fingerprint"
    )
    assert misnamed_pve.requests == []
    # The names it carries, localhost and 127.0.0.1, are both accepted.
    for url in (f"localhost:{fakepve.port}", f"127.0.0.1:{fakepve.port}"):
        async with PveClient(make_pve_settings(url=url)) as client:
            assert (await client.version()).version == fakepve.version


async def test_pinned_fingerprint_is_trusted_without_a_ca(
    fakepve: FakePve, make_pve_settings: Make, server_fingerprint: str
) -> None:
    pin = server_fingerprint.replace(":", "").lower()  # accepted in any case, with or without colons
    settings = make_pve_settings(ca_cert=None, fingerprint=pin, concurrency=4, node_concurrency=4)
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


async def test_insecure_skips_verification(misnamed_pve: FakePve, make_pve_settings: Make) -> None:
    """No CA, and a certificate for other names: insecure talks to the server all the same."""
    settings = make_pve_settings(url=misnamed_pve.url, ca_cert=None, insecure=True)
    async with PveClient(settings) as client:
        assert (await client.version()).version == misnamed_pve.version
    assert _sent(misnamed_pve) == [("POST", "/api2/json/access/ticket"), ("GET", "/api2/json/version")]
