"""Settings a user gets wrong: a timeout that would turn timeouts off, a token file that is not a
token file. Each is one clear line, names the setting or file, and shows nothing of the secret."""

from __future__ import annotations

import codecs
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET
from tests.helpers.repo import git

# ------------------------------------------------------------------ timeouts


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "0", "1e400"])
def test_a_timeout_that_is_not_a_finite_number_of_seconds_is_refused(
    state_repo: Path, pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    head = git(state_repo, "rev-parse", "HEAD")
    monkeypatch.setenv("PROXSTATE_TIMEOUT", value)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 64, result.err
    assert f"PROXSTATE_TIMEOUT={value} is not a finite number of seconds" in result.err
    assert "Traceback" not in result.err
    monkeypatch.delenv("PROXSTATE_TIMEOUT")
    flag = cli("sync", "-C", str(state_repo), "--timeout", value)
    assert flag.code == 64 and "--timeout" in flag.err and "finite number of seconds" in flag.err
    assert git(state_repo, "rev-parse", "HEAD") == head


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("clusters:\n  - name: lab\n    timeout:\n      read: .inf\n", "clusters[0].timeout.read (line 5)"),
        (
            "clusters:\n  - name: lab\n    timeout:\n      connect: .nan\n",
            "clusters[0].timeout.connect (line 5)",
        ),
        ("sync:\n  deadline: .inf\n", "sync.deadline (line 3)"),
        ("sync:\n  deadline: -.inf\n", "sync.deadline (line 3)"),
    ],
)
def test_an_infinite_timeout_or_deadline_in_proxstate_yaml_is_refused(
    state_repo: Path, pve_env: dict[str, str], cli: Any, text: str, where: str
) -> None:
    (state_repo / "proxstate.yaml").write_text("version: 2\n" + text)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 1, result.err
    assert where in result.err, result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1


# ------------------------------------------------------------------ token files


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


BAD_TOKEN_FILES: dict[str, tuple[Callable[[Path], object], str]] = {
    # name: (how to make it, words of the one line)
    "utf-16 le": (lambda p: p.write_bytes(f"{TOKEN_ID}={TOKEN_SECRET}\n".encode("utf-16")), "UTF-16"),
    "utf-16 be": (
        lambda p: p.write_bytes(codecs.BOM_UTF16_BE + f"{TOKEN_ID}={TOKEN_SECRET}".encode("utf-16-be")),
        "UTF-16",
    ),
    "latin-1": (lambda p: p.write_bytes(f"{TOKEN_ID}={TOKEN_SECRET}\xe9".encode("latin-1")), "not UTF-8"),
    "non-ascii": (lambda p: p.write_text(f"{TOKEN_ID}={TOKEN_SECRET}\u00e9", "utf-8"), "not ASCII"),
    "dev zero": (lambda p: Path("/dev/zero"), "a device"),
    "huge": (lambda p: p.write_bytes(b"x" * 10_000_000), "10000000 bytes long"),
    "fifo": (_fifo, "a FIFO"),
    "directory": (lambda p: p.mkdir(), "a directory"),
    "missing": (lambda p: None, "No such file"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKEN_FILES))
def test_a_token_file_that_cannot_hold_a_token_is_one_clear_line(
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    case: str,
) -> None:
    make, words = BAD_TOKEN_FILES[case]
    path = tmp_path / "token"
    made = make(path)
    if isinstance(made, Path):
        path = made
    monkeypatch.delenv("PROXSTATE_TOKEN")
    monkeypatch.setenv("PROXSTATE_TOKEN_FILE", str(path))
    timer = threading.Timer(5, lambda: open(path, "wb").close() if case == "fifo" else None)
    timer.start()  # a read that waits for a writer would end here, and the test would fail
    try:
        result = cli("sync", "-C", str(state_repo))
    finally:
        timer.cancel()
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("proxstate: error: "), result.err
    assert words in lines[0], lines[0]
    if case != "non-ascii":
        assert "PROXSTATE_TOKEN_FILE" in lines[0] and str(path) in lines[0]
    for secret_part in (TOKEN_SECRET, TOKEN_SECRET[:6], "\u00e9", "\\xe9", "é"):
        assert secret_part not in result.err + result.out, secret_part


def test_a_token_file_with_a_utf8_byte_order_mark_is_read(
    state_repo: Path, pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Notepad saves UTF-8 with a byte order mark; the token is read as written."""
    path = tmp_path / "token"
    path.write_bytes(codecs.BOM_UTF8 + f"{TOKEN_ID}={TOKEN_SECRET}\r\n".encode())
    monkeypatch.delenv("PROXSTATE_TOKEN")
    monkeypatch.setenv("PROXSTATE_TOKEN_FILE", str(path))
    result = cli("sync", "-C", str(state_repo), "--only", "cluster")
    assert result.code == 0, result.err
    assert (state_repo / "clusters" / "lab" / "cluster.yaml").is_file()
