"""Where a sync spends its time and memory: CPU, wall time and peak RSS by stage.

    .venv/bin/python benchmarks/sync_phases.py [--guests 5000]

Starts the benchmark's fake PVE (benchmarks/fakeserver.py), then runs `proxstate sync` three times
in this process (fresh repository, nothing changed, 1% changed) with timers wrapped around the
stages of the pipeline: discovery, reading the recorded tree, loading the recorded documents,
normalizing, rendering YAML, comparing, committing. One line per stage and run; the peak RSS column
is the high-water mark of the process when the stage ended.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sync_bench import Server, changed_guests, point_here_at, use_revision  # noqa: E402

totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0.0])  # cpu, wall, calls, rss


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            entry = totals[name]
            entry[0] += time.process_time() - cpu
            entry[1] += time.perf_counter() - wall
            entry[2] += 1
            entry[3] = rss_mib()

    return wrapper


def instrument() -> Callable[[list[str]], None]:
    """Import proxstate, wrap its stages in timers; the CLI's entry point and the import times."""
    cpu, wall = time.process_time(), time.perf_counter()
    import proxstate.app.plan as plan
    import proxstate.app.sync as sync
    import proxstate.cli.main as cli_main
    from proxstate.store import StateRepo

    print(
        f"import of the CLI: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU"
    )
    print(f"proxstate from {Path(cli_main.__file__).parent.parent}")
    from proxstate import yamlio

    # Each stage is replaced where its caller looks it up (setattr: the names are imports there).
    for owner, name, label in (
        (sync, "read_live", "discover (API, models)"),
        (StateRepo, "read_tree", "read recorded tree (git)"),
        (StateRepo, "dirty_paths", "dirty paths (git status)"),
        (StateRepo, "commit_files", "commit (git plumbing, work tree)"),
        (plan, "load_documents", "plan: parse recorded YAML"),
        (plan, "made_document", "plan: normalize (each document)"),
        (yamlio, "dump", "plan: render YAML"),
        (plan, "compare", "plan: compare changed"),
        (sync, "plan_cluster", "plan (all)"),
    ):
        setattr(owner, name, timed(label, getattr(owner, name)))
    main: Callable[[list[str]], None] = cli_main.main
    return main


def run_sync(cli: Callable[[list[str]], None], repo: Path, options: list[str]) -> tuple[float, float]:
    totals.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        cli(["sync", "-C", str(repo), *options])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    return time.process_time() - cpu, time.perf_counter() - wall


def report(title: str, cpu: float, wall: float) -> None:
    print(f"\n{title}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss_mib():.0f} MiB")
    print(f"{'stage':38} {'CPU s':>7} {'wall s':>7} {'calls':>6} {'RSS MiB':>8}")
    for name, (c, w, calls, rss) in totals.items():
        print(f"{name:38} {c:7.2f} {w:7.2f} {int(calls):6d} {rss:8.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument("--only", metavar="KINDS", help="sync only these kinds (proxstate sync --only)")
    parser.add_argument(
        "--at", metavar="REV", help="proxstate as committed at REV instead of the working tree"
    )
    args = parser.parse_args()
    options = ["--only", args.only] if args.only else []
    with tempfile.TemporaryDirectory(prefix="proxstate-phases-") as tmp:
        work = Path(tmp)
        if args.at:
            use_revision(args.at, work)
            sys.path.insert(0, str(work / "source"))
        cli = instrument()
        server = Server(args.guests, latency=args.latency, work=work)
        try:
            point_here_at(server, work)
            repo = work / "state"
            with contextlib.suppress(SystemExit), contextlib.redirect_stdout(None):
                cli(["init", str(repo)])
            report("sync, fresh repository", *run_sync(cli, repo, options))
            report("sync, nothing changed", *run_sync(cli, repo, options))
            for i, (node, vmid) in enumerate(changed_guests(args.guests)):
                server.put_config(node, vmid, {"memory": 8192 + i, "description": f"phases {i}"})
            report("sync, 1% changed", *run_sync(cli, repo, options))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
