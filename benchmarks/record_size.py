"""The size of the record of the benchmark cluster: files, bytes and the time of a fresh sync.

    .venv/bin/python benchmarks/record_size.py [--sizes 1000,5000] [--at REV]

For each cluster size N it starts the benchmark's fake PVE (benchmarks/fakeserver.py: N guests over
5 nodes, every kind), runs `proxstate sync` into a fresh state repository once per round (the best
wall time counts) and counts the files and bytes under `clusters/` of the last one, in total and by
kind (the first folder under the cluster's). `--at REV` measures proxstate as committed at REV, so
two revisions compare like with like on the same machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sync_bench import (  # noqa: E402  (a script beside this one)
    Server,
    base_env,
    measured,
    proxstate_command,
    proxstate_env,
    use_revision,
    working_tree,
)


def record_of(repo: Path) -> tuple[int, int, Counter[str], Counter[str]]:
    """(files, bytes, files by kind, bytes by kind) of the documents under clusters/."""
    files = 0
    size = 0
    by_kind: Counter[str] = Counter()
    bytes_by_kind: Counter[str] = Counter()
    for path in (repo / "clusters").rglob("*.yaml"):
        kind = path.relative_to(repo / "clusters").parts[1].removesuffix(".yaml")
        length = path.stat().st_size
        files += 1
        size += length
        by_kind[kind] += 1
        bytes_by_kind[kind] += length
    return files, size, by_kind, bytes_by_kind


def one_size(n: int, *, work: Path, latency: float, repeat: int) -> str:
    server = Server(n, latency=latency, work=work)
    try:
        best = None
        for round_no in range(repeat):
            folder = work / f"round{round_no}"
            folder.mkdir()
            env = base_env(folder)
            px_env = proxstate_env(env, server)
            repo = folder / "state"
            subprocess.run(
                [*proxstate_command(), "init", str(repo)], env=px_env, check=True, capture_output=True
            )
            sync = [*proxstate_command(), "sync", "-C", str(repo)]
            run, _ = measured(server, sync, env=px_env, log=folder / "sync.log")
            best = run if best is None or run.wall < best.wall else best
        assert best is not None
        files, size, by_kind, bytes_by_kind = record_of(repo)
    finally:
        server.stop()
    kinds = ", ".join(f"{kind} {count} ({bytes_by_kind[kind]:,} B)" for kind, count in by_kind.most_common())
    return (
        f"| {n} | {files:,} | {size:,} | {best.wall:.1f} s | {best.cpu:.1f} s | {best.requests:,} |\n"
        f"\nN={n} by kind: {kinds}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="guest counts, comma-separated")
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every answer")
    parser.add_argument("--repeat", type=int, default=1, help="fresh syncs per size; the best counts")
    parser.add_argument("--at", metavar="REV", help="measure proxstate as committed at REV")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="proxstate-record-"))
    try:
        commit = use_revision(args.at, work) if args.at else working_tree()
        print(f"proxstate at {commit}")
        print("| guests | files | bytes | fresh sync (wall) | CPU | requests |")
        print("|---|---|---|---|---|---|")
        for n in (int(s) for s in args.sizes.split(",") if s.strip()):
            folder = work / str(n)
            folder.mkdir()
            print(one_size(n, work=folder, latency=args.latency, repeat=args.repeat), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
