"""Benchmark of `proxstate watch` on the benchmark cluster: what a poll costs, how soon a change is
committed, and whether memory grows over many polls.

    .venv/bin/python benchmarks/watch_bench.py [--guests 1000] [--interval 2] [--bursts 100] [--update-docs]

The server is benchmarks/fakeserver.py (N guests over 5 nodes, `--cluster-log`: the cluster log as
PVE keeps it, proxstate/demo/clusterlog.py) in its own process. After a first sync (not measured),
`proxstate watch --interval I` runs as a child process for the whole benchmark:

- idle: the requests the server answered over 10 polls with nothing changing, per poll;
- latency: 10 times, a VM's memory is changed through the API (PUT .../config) and the time until
  the watch printed the commit of that guest is taken (target: under the interval plus 2 s);
- bursts: `--bursts` more changes, one per poll (a day at a change a minute, compressed); the
  requests of a burst, and the watch's resident memory (VmRSS) after the first sweep and at the
  end, against the peak RSS of one `proxstate sync` of the same cluster.

The table goes to benchmarks/results/watch-latest.md; --update-docs also puts it into
docs/performance.md between `<!-- watch:start -->` and `<!-- watch:end -->`.
"""

from __future__ import annotations

import argparse
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from fakeserver import guests
from sync_bench import (
    DOC,
    NODES,
    RESULTS,
    Server,
    base_env,
    load,
    machine,
    measured,
    proxstate_command,
    proxstate_env,
    working_tree,
)

IDLE_POLLS = 10
LATENCY_CHANGES = 10


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Watch:
    """`proxstate watch` as a child process, its output lines in a queue."""

    def __init__(self, repo: Path, *, interval: float, env: dict[str, str]) -> None:
        cmd = [*proxstate_command(), "watch", "-C", str(repo), "--interval", str(interval), "--sweep", "600"]
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 600.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if text in line:
                return line

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def polls_in(stats: dict[str, Any]) -> int:
    return sum(1 for path in stats["paths"] or [] if path.startswith("/api2/json/cluster/tasks"))


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    server = Server(args.guests, latency=args.latency, work=work, extra=("--cluster-log",))
    try:
        env = proxstate_env(base_env(work), server)
        repo = work / "state"
        subprocess.run([*proxstate_command(), "init", str(repo)], env=env, check=True, capture_output=True)
        sync, _ = measured(
            server, [*proxstate_command(), "sync", "-C", str(repo)], env=env, log=work / "sync.log"
        )
        watch = Watch(repo, interval=args.interval, env=env)
        try:
            watch.wait_for(" sweep: ")
            sweep_rss = _rss_mib(watch.proc.pid)
            server.reset()
            time.sleep(args.interval * IDLE_POLLS)
            idle = server.stats(paths=True)
            idle_polls = max(polls_in(idle), 1)
            latencies = []
            vms = [(g["node"], g["vmid"]) for g in guests(args.guests, NODES) if g["type"] == "qemu"]
            vms = vms[: LATENCY_CHANGES + args.bursts]
            burst_requests = []
            for index, (node, vmid) in enumerate(vms):
                before = server.stats()["requests"]
                changed = time.monotonic()
                server.put_config(node, vmid, {"memory": str(4096 + 512 * (index % 7 + 1))})
                watch.wait_for(f"changed: qemu/{vmid}")
                took = time.monotonic() - changed
                if index < LATENCY_CHANGES:
                    latencies.append(took)
                burst_requests.append(server.stats()["requests"] - before - 1)  # the PUT itself aside
            end_rss = _rss_mib(watch.proc.pid)
        finally:
            watch.stop()
        return {
            "guests": args.guests,
            "interval": args.interval,
            "sync_wall": sync.wall,
            "sync_rss": sync.rss_mib,
            "idle_requests": idle["requests"],
            "idle_polls": idle_polls,
            "per_poll": idle["requests"] / idle_polls,
            "latency_median": statistics.median(latencies),
            "latency_max": max(latencies),
            "burst_requests": statistics.median(burst_requests),
            "bursts": len(vms),
            "sweep_rss": sweep_rss,
            "end_rss": end_rss,
        }
    finally:
        server.stop()


def render(r: dict[str, Any], info: dict[str, Any], command: str) -> str:
    target = r["interval"] + 2
    rows = [
        (
            "requests per idle poll",
            f"{r['per_poll']:.1f} ({r['idle_requests']} over {r['idle_polls']} polls)",
            "a handful, independent of N",
            "met" if r["per_poll"] <= 5 else "MISSED",
        ),
        (
            "change to commit, median / worst of 10",
            f"{r['latency_median']:.2f} s / {r['latency_max']:.2f} s",
            f"< interval + 2 s = {target:g} s",
            "met" if r["latency_max"] < target else "MISSED",
        ),
        ("requests per burst (one VM), median", f"{r['burst_requests']:.0f} (poll included)", "-", "-"),
        (
            f"watch RSS after the first sweep / after {r['bursts']} bursts",
            f"{r['sweep_rss']:.0f} MiB / {r['end_rss']:.0f} MiB",
            f"<= one sync's peak ({r['sync_rss']:.0f} MiB)",
            "met" if r["end_rss"] <= r["sync_rss"] * 1.05 else "MISSED",
        ),
    ]
    lines = [
        f"{r['guests']} guests on {NODES} nodes, `--interval {r['interval']:g}`; one sync of that cluster: "
        f"{r['sync_wall']:.1f} s, peak RSS {r['sync_rss']:.0f} MiB. Measured at {info['tree']} "
        f"on {info['nproc']} CPUs ({info['cpu']}), load average {info['load']}, {info['date']}.",
        "",
        "| measure | result | target | verdict |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        f"Command: `{command}`",
    ]
    return "\n".join(lines)


def update_doc(table: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    first, last = "<!-- watch:start -->", "<!-- watch:end -->"
    start, end = text.find(first), text.find(last)
    if start < 0 or end < start:
        raise SystemExit(f"{DOC} has no {first} ... {last} markers")
    DOC.write_text(text[: start + len(first)] + "\n\n" + table + "\n" + text[end:], encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=2.0, help="the watch's --interval, seconds")
    parser.add_argument(
        "--bursts", type=int, default=100, help="changes after the latency ones, one per poll"
    )
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every answer")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--update-docs", action="store_true", help="also write the table into " + str(DOC))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="proxstate-watch-bench-"))
    try:
        result = run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    info = {**machine(), "tree": working_tree(), "load": load()}
    command = " ".join(["benchmarks/watch_bench.py", *sys.argv[1:]])
    table = render(result, info, command)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "watch-latest.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    if args.update_docs:
        update_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
