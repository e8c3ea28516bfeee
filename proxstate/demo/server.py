"""Serve a FakePve on 127.0.0.1 from a background thread, with a certificate proxstate pins."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from proxstate.errors import UsageError

T = TypeVar("T")
START_TIMEOUT = 30.0
HOST = "127.0.0.1"
# One line, with the command that fixes it: a plain `pip install proxstate` has no fakepve.
MISSING_EXTRA = "the demo needs the 'demo' extra, which brings fakepve: pip install 'proxstate[demo]'"


# Who makes the demo's changes: a CI token of an administrator, as the cluster log names it.
ADMIN = "alice@pve!ci"


def require_fakepve() -> None:
    """Refuse, before anything is created, when the demo extra is not installed."""
    if importlib.util.find_spec("fakepve") is None:
        raise UsageError(MISSING_EXTRA)


@dataclass(frozen=True, kw_only=True)
class DemoServer:
    url: str
    fingerprint: str  # SHA-256 of the server certificate, colon hex as PVE shows it
    ca_file: Path
    token: str  # USER@REALM!TOKENID=SECRET of a token the fake accepts
    # The token of the administrator who changes the demo cluster: the cluster log names it.
    admin_token: str = ""
    pve: Any  # the FakePve, for changes the HTTP API of the fake does not model
    loop: asyncio.AbstractEventLoop

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop (the fake's own scenario methods are async)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(START_TIMEOUT)


def _fingerprint(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@contextmanager
def serve(pve: Any) -> Iterator[DemoServer]:
    """Start the given FakePve on a free loopback port; stop it on exit."""
    require_fakepve()
    from fakepve.certs import make_cert

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="proxstate-demo-pve", daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory(prefix="proxstate-demo-") as tmp:
        certfile, keyfile, der = make_cert(tmp, hosts=(HOST,))
        pve.host, pve.port = HOST, 0
        asyncio.run_coroutine_threadsafe(pve.start(certfile, keyfile), loop).result(START_TIMEOUT)
        secret = "demo-" + hashlib.sha256(der).hexdigest()[:24]
        pve.apitokens["root@pam!proxstate"] = secret
        pve.apitokens[ADMIN] = admin_secret = "admin-" + hashlib.sha256(der).hexdigest()[24:48]
        ca_copy = Path(tmp) / "demo-ca.pem"
        ca_copy.write_bytes(Path(certfile).read_bytes())
        server = DemoServer(
            url=f"https://{HOST}:{pve.port}",
            fingerprint=_fingerprint(der),
            ca_file=ca_copy,
            token=f"root@pam!proxstate={secret}",
            admin_token=f"{ADMIN}={admin_secret}",
            pve=pve,
            loop=loop,
        )
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(pve.stop(), loop).result(START_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(START_TIMEOUT)
            loop.close()
