"""A webhook receiver on loopback: a small threaded HTTP server that keeps every request it gets
(method, path, headers, body) and answers 200 with an empty JSON object, as ntfy, Gotify and the
generic webhooks of Apprise expect. Notification tests point Apprise URLs at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status = 200
        received = self.requests
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                received.append(Received(self.command, self.path, dict(self.headers.items()), body))
                answer = b"{}"
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_PUT = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait(self, count: int, timeout: float = 3.0) -> list[Received]:
        """The requests once there are `count` of them (deliveries end before the command returns;
        this only guards against a slow handler thread)."""
        ends = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < ends:
            time.sleep(0.01)
        return list(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A started Receiver; no proxy of the environment is used on the way to it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    found = Receiver()
    try:
        yield found
    finally:
        found.stop()
