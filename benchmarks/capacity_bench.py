"""Benchmark of `proxstate sync` against the cluster's capacity, on a fake PVE with workers per node.

    .venv/bin/python benchmarks/capacity_bench.py [--sizes 1000,5000] [--compare REV] [--update-docs]

PVE serves its API with a few worker processes on each node, and serves `/nodes/X/...` on X. The
benchmark server (benchmarks/fakeserver.py, `--workers K --service S`) models that: each of its 5
nodes serves K requests at once and spends S ms on each. No client can read the cluster faster than
its busiest node serves its share: the limit of a sync is that node's requests x S / K (the server
counts the requests of each node). For each size N the benchmark runs one default sync (no
`--concurrency`: proxstate's own bounds, in total and per node) into a fresh state repository, and
reports its wall time against that limit and against the fetch floor (the same requests sent by a
bare httpx loop with the same bounds, benchmarks/fetch_floor.py `--node-concurrency`), the most
requests the server had in flight on one node, and the requests per guest. `--compare REV` runs
proxstate as committed at REV too, side by side. `--repeat K` makes K rounds of each (the syncs of
one round one after the other, revision by revision) and keeps the round with the fastest sync,
with the range of the K ratios beside it: one run moves by 5 % and more with the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sync_bench import (
    DOC,
    RESULTS,
    Server,
    base_env,
    last_line,
    load,
    machine,
    measured,
    proxstate_command,
    proxstate_env,
    update_doc,
    working_tree,
)

WORKERS = 3
SERVICE_MS = 20.0
TARGET_RATIO = 1.5
NODE_BOUND = 3  # proxstate's default node_concurrency, which no sync may exceed
TOTAL_BOUND = 16  # proxstate's default concurrency
HERE = Path(__file__).resolve().parent


def revision_source(rev: str, work: Path) -> tuple[str, Path]:
    """proxstate as committed at rev, extracted into work; (short commit, folder for PYTHONPATH)."""
    root = Path(__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev + "^{commit}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    source = work / f"source-{commit}"
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", commit, "proxstate"], cwd=root, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    return commit, source


def one_sync(server: Server, *, work: Path, source: Path | None) -> dict[str, Any]:
    work.mkdir(parents=True)
    env = base_env(work)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    px_env = proxstate_env(env, server)
    del px_env["PROXSTATE_CONCURRENCY"]  # the default bounds are what is measured
    repo = work / "state"
    # A revision of --compare through `python -m`: the installed script names the entry point of the
    # working tree, which an older revision may not have. From the work folder, not the checkout.
    command = proxstate_command() if source is None else [sys.executable, "-m", "proxstate"]
    subprocess.run([*command, "init", str(repo)], env=px_env, check=True, capture_output=True, cwd=work)
    run, out = measured(server, [*command, "sync", "-C", str(repo)], env=px_env, log=work / "sync.log")
    stats = server.stats(paths=True)
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(stats["paths"]) + "\n", encoding="utf-8")
    floor_env = {**env, "BENCH_URL": server.url, "BENCH_TOKEN": server.token, "BENCH_CA": server.cert}
    floor_cmd = [sys.executable, str(HERE / "fetch_floor.py"), str(paths_file)]
    floor_cmd += ["--concurrency", str(TOTAL_BOUND), "--node-concurrency", str(NODE_BOUND)]
    floor, _ = measured(server, floor_cmd, env=floor_env, log=work / "floor.log")
    busiest = max(stats["by_node"].values())
    limit = busiest * SERVICE_MS / 1000 / WORKERS
    return {
        "wall": run.wall,
        "cpu": run.cpu,
        "rss_mib": run.rss_mib,
        "requests": run.requests,
        "by_node": stats["by_node"],
        "limit": limit,
        "ratio": run.wall / limit,
        "floor": floor.wall,
        "max_in_flight": run.max_in_flight,
        "max_node_in_flight": max(stats["max_node_in_flight"].values()),
        "note": last_line(out),
    }


def render(rows: list[dict[str, Any]], info: dict[str, Any], command: str) -> str:
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
        f"{info['git']}. Load average before/after: {info['load_before']} / {info['load_after']}.",
        "",
        f"5 nodes x {WORKERS} workers x {SERVICE_MS:g} ms per request; a default sync (every kind, "
        f"proxstate's own bounds) into a fresh repository; the fastest of {info['repeat']} round(s), "
        f"each ratio of every round beside it. Command: `{command}`.",
        "",
        "| N | proxstate | requests | per guest | busiest node | limit s | floor s | floor/limit | sync s "
        "| sync/limit | sync/limit, all rounds | most in flight (one node / all) | CPU s | peak RSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['rev']} | {r['requests']} | {r['requests'] / r['n']:.2f} "
            f"| {max(r['by_node'].values())} | {r['limit']:.2f} | {r['floor']:.2f} "
            f"| {r['floor'] / r['limit']:.2f}x | {r['wall']:.2f} | {r['ratio']:.2f}x "
            f"| {', '.join(f'{x:.2f}x' for x in r['ratios'])} "
            f"| {r['max_node_in_flight']} / {r['max_in_flight']} | {r['cpu']:.2f} | {r['rss_mib']:.0f} |"
        )
    current = [r for r in rows if r["current"]]
    polite = max(r["max_node_in_flight"] for r in current)
    # Judged on the median round: the fastest alone would flatter, the slowest measures the machine.
    medians = {r["n"]: statistics.median(r["ratios"]) for r in current}
    met = sum(ratio <= TARGET_RATIO for r in current for ratio in r["ratios"])
    rounds = sum(len(r["ratios"]) for r in current)
    lines += [
        "",
        "| target | measured (median of the rounds) | verdict |",
        "|---|---|---|",
        f"| default sync <= {TARGET_RATIO}x the limit | "
        + ", ".join(f"N={n}: {ratio:.2f}x" for n, ratio in medians.items())
        + f"; within it in {met} of {rounds} rounds"
        + f" | {'met' if max(medians.values()) <= TARGET_RATIO else 'MISSED'} |",
        f"| never more than {NODE_BOUND} requests in flight on one node | at most {polite} "
        f"| {'met' if polite <= NODE_BOUND else 'MISSED'} |",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="guest counts, comma-separated")
    parser.add_argument("--compare", metavar="REV", help="also measure proxstate as committed at REV")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size; the fastest sync counts")
    parser.add_argument("--update-docs", action="store_true", help="also write the table into " + str(DOC))
    parser.add_argument("--output", type=Path, default=RESULTS / "capacity.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="proxstate-capacity-"))
    info: dict[str, Any] = {**machine(), "load_before": load(), "repeat": args.repeat}
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        sources: list[tuple[str, Path | None, bool]] = [(working_tree(), None, True)]
        if args.compare:
            commit, extracted = revision_source(args.compare, work)
            sources.append((commit, extracted, False))
        for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
            extra = ("--workers", str(WORKERS), "--service", str(SERVICE_MS))
            (work / str(n)).mkdir()
            server = Server(n, latency=0.0, work=work / str(n), extra=extra)
            try:
                rounds: dict[str, list[dict[str, Any]]] = {rev: [] for rev, _, _ in sources}
                for round_no in range(args.repeat):
                    for rev, source, _ in sources:
                        row = one_sync(server, work=work / str(n) / f"{rev}-{round_no}", source=source)
                        rounds[rev].append(row)
                        print(f"N={n} {rev}: {row['wall']:.2f} s, limit {row['limit']:.2f} s", flush=True)
                for rev, _, current in sources:
                    best = min(rounds[rev], key=lambda row: float(row["wall"]))
                    ratios = [float(row["ratio"]) for row in rounds[rev]]
                    rows.append({"n": n, "rev": rev, "current": current, **best, "ratios": ratios})
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = load()
    command = " ".join(["python benchmarks/capacity_bench.py", *sys.argv[1:]])
    table = render(rows, info, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Capacity benchmark\n\n" + table, encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.update_docs:
        update_doc(table, "capacity")
    print(table)
    print(f"total {time.perf_counter() - started:.0f} s; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
