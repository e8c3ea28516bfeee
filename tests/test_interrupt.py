"""A first Ctrl-C ends a run even when the work it cancels goes on (a lost cancellation)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from proxstate.discovery.stages import INTERRUPT_GRACE, run
from tests.helpers.process import default_sigint

_STUBBORN = textwrap.dedent(
    """
    import asyncio, os, signal, threading
    from proxstate.discovery import run

    async def stubborn():
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            pass  # what a library that loses the cancellation does
        print("cancelled, going on", flush=True)
        await asyncio.sleep(60)

    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        run(stubborn)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        raise SystemExit(130)
    """
)


def test_a_first_ctrl_c_ends_a_run_whose_work_swallows_the_cancellation() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _STUBBORN],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=default_sigint,
    )
    took = time.monotonic() - started
    assert (done.returncode, done.stdout) == (130, "cancelled, going on\ninterrupted\n"), done.stderr
    assert took < INTERRUPT_GRACE + 5, took  # not the 60 s the work would have gone on for


def test_a_run_returns_its_value_without_ever_writing_it_out() -> None:
    """The value a run ends with (an inventory of every guest) is handed back as it is: asyncio's
    SIGINT handler names the main task, and putting the handler back formats its repr(), which
    would write out the whole value (60 MiB at 15,000 guests) only to drop it."""
    written = []

    class Inventory:
        def __repr__(self) -> str:
            written.append(self)
            return "Inventory(...)"

    async def read() -> Inventory:
        return Inventory()

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # asyncio then adds its own
    value = run(read)
    assert isinstance(value, Inventory)
    assert written == []
