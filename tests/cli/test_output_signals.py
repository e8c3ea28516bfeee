"""Ctrl-C ends a command with 130, the shell's code for SIGINT, and one line, not a traceback."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.process import proxstate_process, wait_for


@pytest.fixture
def hanging_host() -> Iterator[socket.socket]:
    """A loopback port that takes connections and never answers: a host that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    try:
        yield server
    finally:
        server.close()


def _accepted(server: socket.socket, held: list[socket.socket]) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    held.append(connection)  # kept open, never answered
    return True


def test_ctrl_c_during_a_sync_exits_130(state_repo: Path, hanging_host: socket.socket) -> None:
    port = hanging_host.getsockname()[1]
    env = {
        "PROXSTATE_URL": f"127.0.0.1:{port}",
        "PROXSTATE_TOKEN": "root@pam!t=secret",
        "PROXSTATE_INSECURE": "1",
    }
    process = proxstate_process("sync", "-C", str(state_repo), "--timeout", "30", env=env)
    held: list[socket.socket] = []
    try:
        wait_for(lambda: _accepted(hanging_host, held), timeout=10, what="the sync to connect")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        for connection in held:
            connection.close()
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "proxstate: interrupted"
