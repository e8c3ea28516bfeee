"""Benchmark of `proxstate check` (the built-in rules) and `proxstate query` over a large record.

    .venv/bin/python benchmarks/policy_bench.py [--guests 5000] [--repo PATH] [--keep PATH] [--repeat 3]

The record is made by one `proxstate sync` of the benchmark's fake PVE (benchmarks/fakeserver.py:
N guests over 5 nodes, every kind), or taken from `--repo` (a record an earlier run kept with
`--keep`). Then, best of `--repeat`:

- check and query in this process (the use cases alone, without starting Python and importing
  proxstate): the check of the built-in library at HEAD, and a query by MAC address across every
  document; each with the cache of decoded documents (app/doccache.py) as a check leaves it, and
  the check once more without it (cold: every document decoded from YAML, as in a fresh clone);
- `proxstate check --format json` and `proxstate query` as child processes (warm cache).

The targets (docs/performance.md): the check and the query each < 1 s in process, warm. Times are
wall times; the CPU time of this process is given beside them, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fakeserver import mac  # noqa: E402  (a script beside this one)
from sync_bench import (  # noqa: E402
    Server,
    base_env,
    local_run,
    proxstate_command,
    proxstate_env,
    working_tree,
)

from proxstate.app.check import CheckRequest, check, load_policy  # noqa: E402
from proxstate.app.query import QueryRequest, query  # noqa: E402
from proxstate.store import StateRepo  # noqa: E402

TARGET = 1.0  # seconds, for the check and for the query


def record(n: int, work: Path) -> Path:
    """A state repository holding one sync of the benchmark cluster of n guests."""
    server = Server(n, latency=0.0, work=work)
    try:
        env = proxstate_env(base_env(work), server)
        repo = work / "state"
        subprocess.run([*proxstate_command(), "init", str(repo)], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        local_run([*proxstate_command(), "sync", "-C", str(repo)], env=env, log=work / "sync.log")
        print(f"record: {n} guests synced in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        server.stop()
    return repo


def best(
    repeat: int, action: Callable[[], object], *, before: Callable[[], object] = lambda: None
) -> tuple[float, float]:
    """(wall, CPU of this process) of the fastest of `repeat` runs of `action`."""
    times = []
    for _ in range(repeat):
        before()
        started, cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    return min(times)


def drop_cache(repo: Path) -> Callable[[], None]:
    def drop() -> None:
        (repo / ".git" / "proxstate" / "documents.sqlite").unlink(missing_ok=True)

    return drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=5000)
    parser.add_argument("--repo", type=Path, help="a record kept by an earlier run (no sync)")
    parser.add_argument("--keep", type=Path, help="copy the record made here to PATH")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="proxstate-policy-"))
    try:
        repo = args.repo or record(args.guests, work)
        if args.keep and not args.repo:
            shutil.copytree(repo, args.keep, symlinks=True)
        files = sum(1 for _ in (repo / "clusters").rglob("*.yaml"))
        expression = f"contains(facts.nics[].mac, '{mac(101)}') && {{name: facts.name, node: doc.node}}"
        env = base_env(work) | {"NO_COLOR": "1"}
        cli_check = [*proxstate_command(), "check", "-C", str(repo), "--format", "json"]
        cli_query = [*proxstate_command(), "query", expression, "-C", str(repo), "--format", "json"]
        store = StateRepo.open(repo)
        policy = load_policy(repo)
        result = check(store, policy, CheckRequest())
        found = query(store, policy, QueryRequest(expression=expression))
        cold = best(args.repeat, lambda: check(store, policy, CheckRequest()), before=drop_cache(repo))
        check(store, policy, CheckRequest())  # the cache as a check leaves it
        by_mac = QueryRequest(expression=expression)
        rows = [
            ("check, in process", best(args.repeat, lambda: check(store, policy, CheckRequest())), True),
            ("query, in process", best(args.repeat, lambda: query(store, policy, by_mac)), True),
            ("check, in process, cold cache", cold, False),
            ("`proxstate check --format json`", best(args.repeat, lambda: _child(cli_check, env)), False),
            ("`proxstate query` (by MAC)", best(args.repeat, lambda: _child(cli_query, env)), False),
        ]
        print(f"proxstate at {working_tree()}; {files:,} documents, {result.documents:,} read by the check")
        rules, violations = len(policy.rules), len(result.violations)
        print(f"check: {rules} rules, {violations:,} violations; query: {len(found.matches)} match")
        print(f"| measure | wall, best of {args.repeat} | CPU (this process) | target |")
        print("|---|---|---|---|")
        for name, (wall, cpu), bound in rows:
            verdict = f"< {TARGET:.0f} s: {'met' if wall < TARGET else 'MISSED'}" if bound else "-"
            shown_cpu = f"{cpu:.2f} s" if "in process" in name else "-"
            print(f"| {name} | {wall:.2f} s | {shown_cpu} | {verdict} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _child(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    if done.returncode not in (0, 2):  # 2: the check found violations
        raise RuntimeError(f"{' '.join(cmd)} exited with {done.returncode}: {done.stderr.decode()[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
