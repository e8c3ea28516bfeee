"""Waits are said while they last (a host that hangs, the lock of another sync), and Ctrl-C ends a
command with 130, the shell's code for SIGINT, and one line, not a traceback."""

from __future__ import annotations

import re
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.process import proxstate_process, wait_for
from tests.helpers.repo import git


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


def _hanging_env(server: socket.socket) -> dict[str, str]:
    port = server.getsockname()[1]
    return {
        "PROXSTATE_URL": f"127.0.0.1:{port}",
        "PROXSTATE_TOKEN": "root@pam!t=secret",
        "PROXSTATE_INSECURE": "1",
    }


def test_retries_on_a_hanging_host_are_said_one_line_each(
    state_repo: Path, hanging_host: socket.socket, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _hanging_env(hanging_host).items():
        monkeypatch.setenv(key, value)
    config = state_repo / "proxstate.yaml"
    config.write_text("version: 2\nclusters:\n  - timeout:\n      connect: 0.3\n      read: 5\n")
    git(state_repo, "commit", "-qam", "short connect timeout")
    result = cli("sync", "-C", str(state_repo), "--deadline", "2")
    assert result.code == 1
    address = f"127.0.0.1:{hanging_host.getsockname()[1]}"
    waits = [line for line in result.err.splitlines() if line.startswith("proxstate: connecting to")]
    assert waits[:2] == [
        f"proxstate: connecting to {address}, attempt 2 of 5 (attempt 1 timed out)",
        f"proxstate: connecting to {address}, attempt 3 of 5 (attempt 2 timed out)",
    ], result.err  # one line a step: the four requests in flight together say it once
    assert "\r" not in result.err and "\x1b" not in result.err  # no progress bar outside a terminal


def test_the_wait_for_the_lock_of_another_sync_is_said(
    state_repo: Path, hanging_host: socket.socket, cli: Any
) -> None:
    holder = proxstate_process(
        "sync", "-C", str(state_repo), "--timeout", "30", env=_hanging_env(hanging_host)
    )
    held: list[socket.socket] = []
    try:
        wait_for(lambda: _accepted(hanging_host, held), timeout=10, what="the first sync to connect")
        result = cli("sync", "-C", str(state_repo), "--deadline", "1.5")
    finally:
        holder.kill()
        holder.wait()
        for connection in held:
            connection.close()
    assert result.code == 1
    said = result.err.splitlines()[0]
    assert said.startswith(f"proxstate: waiting for the sync of pid {holder.pid} (started at "), result.err
    assert re.search(r"to finish: 0 s of at most \d+(\.\d+)? s$", said), said
    assert "holds the lock" in result.err.splitlines()[-1]


def test_ctrl_c_during_a_sync_exits_130(state_repo: Path, hanging_host: socket.socket) -> None:
    env = _hanging_env(hanging_host)
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
