"""proxstate in a child process, for what an in-process run cannot show (signals, locks, limits)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.cli import Result

ROOT = Path(__file__).resolve().parents[2]


def proxstate_process(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[str]:
    """`python -m proxstate ARGS` in a child process (with this test's environment)."""
    also: Callable[[], object] | None = kwargs.pop("preexec_fn", None)  # a test's own (a resource limit)

    def prepare() -> None:
        default_sigint()
        if also is not None:
            also()

    return subprocess.Popen(
        [sys.executable, "-m", "proxstate", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=prepare,  # noqa: PLW1509 - a sigaction (and a test's own limit) in the child
        **kwargs,
    )


def default_sigint() -> None:
    """SIGINT back to its default in a child: a suite started in the background (`nohup`, `cmd &`
    in a script) ignores SIGINT, every child would inherit that, and no Ctrl-C test could pass."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_proxstate(*args: str, timeout: float = 30, **kwargs: Any) -> Result:
    process = proxstate_process(*args, **kwargs)
    out, err = process.communicate(timeout=timeout)
    return Result(code=process.returncode, out=out, err=err)


def wait_for(predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def python_output(code: str) -> str:
    """What a fresh Python prints running `code` (a test of what an import loads); it must succeed."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
