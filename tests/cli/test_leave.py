"""The end of the process: the exit handlers run and the output is whole, the exit status is the
command's, and only the interpreter's teardown is skipped (proxstate/cli/leave.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers.process import ROOT, proxstate_process


def _child(code: str, tmp_path: Path, *, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(tmp_path)],
        cwd=ROOT,
        # Buffered as a command's output to a pipe is: what is left in the buffers is flushed at the end.
        env={name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )


def test_leaving_runs_the_exit_handlers_and_writes_all_the_output(tmp_path: Path) -> None:
    done = _child(
        """
        import atexit, sys
        from pathlib import Path
        from proxstate.cli.leave import leave
        atexit.register(lambda: Path(sys.argv[1], "handler-ran").write_text("yes"))
        class Torn:
            def __del__(self):
                Path(sys.argv[1], "torn-down").write_text("yes")
        kept = Torn()
        sys.stdout.write("line\\n" * 100_000)  # more than any buffer: flushed at the end
        sys.stderr.write("said on stderr")
        leave(3)
        """,
        tmp_path,
    )
    assert done.returncode == 3
    assert done.stdout == "line\n" * 100_000
    assert done.stderr == "said on stderr"
    assert (tmp_path / "handler-ran").read_text() == "yes"
    # What the teardown alone does does not happen: that is the time saved.
    assert not (tmp_path / "torn-down").exists()


def test_a_thread_that_still_runs_is_waited_for(tmp_path: Path) -> None:
    done = _child(
        """
        import sys, threading, time
        from pathlib import Path
        from proxstate.cli.leave import leave
        def late():
            time.sleep(0.3)
            Path(sys.argv[1], "thread-done").write_text("yes")
        threading.Thread(target=late).start()
        leave(5)
        """,
        tmp_path,
    )
    assert done.returncode == 5
    assert (tmp_path / "thread-done").read_text() == "yes"


def test_output_that_cannot_be_written_ends_with_python_s_status(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the flush at the end fails (EPIPE)
    try:
        done = _child(
            """
            import signal, sys
            signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python starts: EPIPE, not a signal
            from proxstate.cli.leave import leave
            sys.stdout.write("lost")
            leave(0)
            """,
            tmp_path,
            stdout=writer,
        )
    finally:
        os.close(writer)
    assert done.returncode == 120


def test_the_command_line_exits_with_the_command_s_status_and_output(tmp_path: Path) -> None:
    process = proxstate_process("log", "-C", str(tmp_path), "qemu/101")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert out == ""
    assert err.startswith("proxstate: error: ")
    process = proxstate_process("--version")
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert out.startswith("proxstate, version ")


def test_without_cpython_s_exit_handlers_call_the_exit_is_python_s_own(tmp_path: Path) -> None:
    done = _child(
        """
        import atexit, sys
        from pathlib import Path
        from proxstate.cli.leave import leave
        atexit.register(lambda: Path(sys.argv[1], "handler-ran").write_text("yes"))
        del atexit._run_exitfuncs  # as on an interpreter that has no such call
        sys.stdout.write("all of it")
        leave(4)
        """,
        tmp_path,
    )
    assert done.returncode == 4
    assert done.stdout == "all of it"
    assert (tmp_path / "handler-ran").read_text() == "yes"
