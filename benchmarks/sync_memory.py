"""Where a first sync holds its memory: the process's RSS after each stage, and what is alive.

    .venv/bin/python benchmarks/sync_memory.py [--guests 3000] [--trace] [--at REV]

Starts the benchmark's fake PVE (benchmarks/fakeserver.py, in its own process, no latency), then
runs one default `proxstate sync` into a fresh repository in this process, with the stages of the
pipeline wrapped so that each prints the process's `VmRSS` and `VmHWM` (its peak so far) when it
ends: discovery, the plan, the commit. `--trace` also starts tracemalloc and prints, after the plan
and after the commit, the allocations alive then by file and line (slow: a smaller `--guests`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sync_bench import Server, point_here_at, use_revision  # noqa: E402


def status() -> str:
    fields = {}
    with open("/proc/self/status", encoding="ascii") as status_file:
        for line in status_file:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return f"RSS {fields['VmRSS']:6.1f} MiB, peak {fields['VmHWM']:6.1f} MiB"


def top(title: str, limit: int = 25) -> None:
    if not tracemalloc.is_tracing():
        return
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    total = sum(stat.size for stat in stats) / 2**20
    print(f"  {title}: {total:.1f} MiB traced", file=sys.stderr)
    for stat in stats[:limit]:
        frame = stat.traceback[0]
        print(
            f"    {stat.size / 2**20:7.2f} MiB {stat.count:8d} {frame.filename}:{frame.lineno}",
            file=sys.stderr,
        )


def staged(name: str, func: Callable[..., Any], *, trace: bool) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            print(f"after {name:10} {status()}  ({time.process_time() - started:.2f} s CPU)", file=sys.stderr)
            if trace:
                top(f"alive after {name}")

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what is alive after each stage")
    parser.add_argument("--at", metavar="REV", help="proxstate as committed at REV instead of the work tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="proxstate-memory-") as tmp:
        work = Path(tmp)
        if args.at:
            use_revision(args.at, work)
            sys.path.insert(0, str(work / "source"))
        server = Server(args.guests, latency=0.0, work=work)
        try:
            point_here_at(server, work)
            import proxstate.app.sync as sync
            import proxstate.cli.main as cli_main
            from proxstate.store import StateRepo

            print(f"proxstate from {Path(cli_main.__file__).parent.parent}, {args.guests} guests")
            print(f"after {'imports':10} {status()}")
            for owner, name, label in (
                (sync, "read_live", "discovery"),
                (sync, "plan_cluster", "the plan"),
                (StateRepo, "commit_files", "the commit"),
            ):
                setattr(owner, name, staged(label, getattr(owner, name), trace=args.trace))
            repo = work / "state"
            with contextlib.suppress(SystemExit), contextlib.redirect_stdout(None):
                cli_main.main(["init", str(repo)])
            if args.trace:
                tracemalloc.start()
            started = time.process_time()
            with contextlib.suppress(SystemExit), contextlib.redirect_stdout(None):
                cli_main.main(["sync", "-C", str(repo)])
            print(f"at the end {status()}  ({time.process_time() - started:.2f} s CPU in all)")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
