"""Benchmark of a long history: a year (and more) of hourly syncs, and the commands that read it.

    .venv/bin/python benchmarks/history_bench.py [--commits 10000,100000] [--guests 1000] [--update-docs]

For each history length C it builds a state repository as C hourly syncs of a cluster of G guests
would leave it: one real `proxstate sync` of the benchmark cluster (benchmarks/fakeserver.py) gives
the first commit, proxstate's own renderings of every document; then `git fast-import` adds C - 1
commits, one an hour, each changing 1% of the guests (their memory, as `qm set --memory` would, the
rest of each document as proxstate rendered it) and, once a day, adding each node's tasks of that day
(a copy of a recorded task list with that day's UPIDs and times). fast-import writes one pack, so the
repository is then put through proxstate's own maintenance (proxstate.store.maintenance: `compact`,
what its automatic gc ends with, and the index of the history that `log` and `blame` read) and
measured:

- its size on disk (the .git folder) after fast-import and after the maintenance, and how long one
  sync's maintenance step (`maintain`: a commit-graph layer, `gc --auto`, the index's new commit)
  takes on it;
- `proxstate log RESOURCE` of a guest, `proxstate show-changes` of the last hour and of the last
  day, `proxstate list-vms --at` a date half way back, and `proxstate blame` of a guest when the
  command exists, each as a child process (wall time, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
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
    load,
    local_run,
    machine,
    proxstate_command,
    proxstate_env,
    update_doc,
    working_tree,
)

from proxstate.store import StateRepo

HOUR = 3600
CHANGED_SHARE = 0.01
TASKS_PER_DAY = 20  # on each node: the nightly backups of a few guests, some migrations
TARGET_SIZE_MB = 150.0
TARGET_SECONDS = 1.0
MEMORY = re.compile(rb"^(  memory: )(\d+)$", re.M)


def first_sync(guests: int, work: Path) -> Path:
    """A state repository holding one real sync of the benchmark cluster."""
    work.mkdir(parents=True)
    server = Server(guests, latency=0.0, work=work, extra=("--tasks", str(TASKS_PER_DAY)))
    try:
        env = proxstate_env(base_env(work), server)
        repo = work / "state"
        subprocess.run([*proxstate_command(), "init", str(repo)], env=env, check=True, capture_output=True)
        subprocess.run(
            [*proxstate_command(), "sync", "-C", str(repo)], env=env, check=True, capture_output=True
        )
    finally:
        server.stop()
    return repo


def git(repo: Path, *args: str, env: dict[str, str], data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True)
    return done.stdout.decode()


def tracked(repo: Path, env: dict[str, str]) -> dict[str, bytes]:
    return {
        path: (repo / path).read_bytes()
        for path in git(repo, "ls-files", "clusters", env=env).splitlines()
        if path.endswith(".yaml")
    }


def task_day(template: bytes, day: str, stamp: int) -> bytes:
    """A recorded day of tasks moved to another day: its dates and UPID start times replaced."""
    text = template.decode()
    text = re.sub(r"\d{4}-\d{2}-\d{2}", day, text)
    # A UPID holds its start time in hex (UPID:node:pid:pstart:STARTTIME:...); keep them distinct.
    text = re.sub(r"(UPID:[^:]+:[0-9A-F]+:[0-9A-F]+:)([0-9A-F]{8})", rf"\g<1>{stamp:08X}", text)
    text = re.sub(r"^(    starttime: )\d+$", rf"\g<1>{stamp}", text, flags=re.M)
    return re.sub(r"^(    endtime: )\d+$", rf"\g<1>{stamp + 30}", text, flags=re.M).encode()


def history_stream(files: dict[str, bytes], *, commits: int, branch: str, start: int, seed: int = 1) -> bytes:
    """fast-import commands for `commits` hourly commits after the first."""
    rng = random.Random(seed)
    guests = sorted(p for p in files if re.search(r"/(qemu|lxc)/\d+\.yaml$", p) and MEMORY.search(files[p]))
    changed = max(1, round(len(guests) * CHANGED_SHARE))
    days = sorted(p for p in files if re.search(r"/tasks/[^/]+/\d{4}-\d{2}-\d{2}\.yaml$", p))
    templates = {p.rsplit("/", 1)[0]: files[p] for p in days}  # the last recorded day of each node
    out = [f"reset {branch}\nfrom {branch}^0\n".encode()]
    for hour in range(1, commits):
        stamp = start + hour * HOUR
        changes = []
        for path in rng.sample(guests, changed):
            memory = 512 * rng.randint(1, 64)
            files[path] = MEMORY.sub(rb"\g<1>" + str(memory).encode(), files[path], count=1)
            changes.append(path)
        if hour % 24 == 0:
            day = time.strftime("%Y-%m-%d", time.gmtime(stamp - HOUR))
            for folder, template in templates.items():
                path = f"{folder}/{day}.yaml"
                files[path] = task_day(template, day, stamp - HOUR)
                changes.append(path)
        message = f"sync: {len(changes)} changed\n".encode()
        out.append(
            f"commit {branch}\ncommitter proxstate <proxstate@localhost> {stamp} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
        )
        for path in changes:
            body = files[path]
            out.append(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")
    return b"".join(out)


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def timed(cmd: list[str], *, env: dict[str, str], log: Path) -> dict[str, Any]:
    try:
        run, out = local_run(cmd, env=env, log=log)
    except RuntimeError as exc:
        return {"wall": None, "error": str(exc)[-300:]}
    return {"wall": run.wall, "cpu": run.cpu, "rss_mib": run.rss_mib, "lines": len(out.splitlines())}


def one_length(base: Path, commits: int, *, work: Path, baseline: Path | None) -> dict[str, Any]:
    repo = work / "state"
    shutil.copytree(base, repo, symlinks=True)
    env = base_env(work)
    px_env = {**env, "NO_COLOR": "1", "PROXSTATE_NO_PROGRESS": "1"}
    files = tracked(repo, env)
    branch = git(repo, "symbolic-ref", "HEAD", env=env).strip()
    start = int(time.time()) - commits * HOUR
    # The first commit moves back to the start of the history, so that dates fall inside it.
    git(
        repo,
        "commit",
        "--amend",
        "--no-edit",
        "--date",
        f"@{start}",
        env={**env, "GIT_COMMITTER_DATE": f"@{start}"},
    )
    began = time.perf_counter()
    stream = history_stream(files, commits=commits, branch=branch, start=start)
    git(repo, "fast-import", "--quiet", env=env, data=stream)
    build = time.perf_counter() - began
    git(repo, "read-tree", "-u", "--reset", "HEAD", env=env)
    imported = size_mb(repo / ".git")
    state = StateRepo.open(repo)
    began = time.perf_counter()
    state.compact()
    compacted = time.perf_counter() - began
    after = size_mb(repo / ".git")
    # One more sync's commit, then its maintenance step: what every sync pays.
    git(repo, "commit", "--allow-empty", "-q", "-m", "sync: nothing", env=env)
    began = time.perf_counter()
    said = state.maintain()
    per_sync = time.perf_counter() - began
    qemus = sorted(p for p in files if "/qemu/" in p)
    guest = qemus[len(qemus) // 3]
    rid = "qemu/" + guest.rsplit("/", 1)[1].removesuffix(".yaml")
    half = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + commits * HOUR // 2))
    px = proxstate_command()
    measures = {
        "log": [*px, "log", rid, "-C", str(repo)],
        "show_hour": [*px, "show-changes", "-C", str(repo), "HEAD~2..HEAD~1"],
        "show_day": [*px, "show-changes", "-C", str(repo), "HEAD~25..HEAD~1"],
        "list_at": [*px, "list-vms", "-C", str(repo), "--at", half],
    }
    if subprocess.run([*px, "blame", "--help"], env=px_env, capture_output=True, check=False).returncode == 0:
        measures["blame"] = [*px, "blame", rid, "-C", str(repo)]
    runs = {name: timed(cmd, env=px_env, log=work / f"{name}.log") for name, cmd in measures.items()}
    before: dict[str, Any] = {}
    if baseline is not None:
        # The same commands on the same repository by another checkout's proxstate package.
        then_env = {**px_env, "PYTHONPATH": str(baseline)}
        base_px = [sys.executable, "-m", "proxstate"]
        for name, cmd in measures.items():
            before[name] = timed([*base_px, *cmd[len(px) :]], env=then_env, log=work / f"{name}-base.log")
    return {
        "commits": int(git(repo, "rev-list", "--count", "HEAD", env=env)),
        "build": build,
        "imported_mb": imported,
        "compact": compacted,
        "after_mb": after,
        "per_sync": per_sync,
        "maintain_said": said,
        "resource": rid,
        "runs": runs,
        "baseline_runs": before,
    }


def cell(run: dict[str, Any] | None) -> str:
    if run is None:
        return "-"
    if run.get("wall") is None:
        return "failed"
    return f"{run['wall']:.2f} ({run['cpu']:.2f})"


def _label(baseline: Path | None) -> str | None:
    """The commit a baseline folder was taken from, when its name ends in it after a dash
    (`base-8d90d45`)."""
    if baseline is None:
        return None
    found = re.search(r"(?<=-)[0-9a-f]{7,40}$", baseline.name)
    return found.group() if found else str(baseline)


def side_by_side(rows: list[dict[str, Any]], baseline: str) -> list[str]:
    lines = [
        "",
        f"The same commands on the same repositories, by proxstate at {baseline} and now:",
        "",
        f"| commits | command | {baseline} | now |",
        "|---:|---|---:|---:|",
    ]
    for r in rows:
        for name, run in r["runs"].items():
            lines.append(
                f"| {r['commits']} | {name.replace('_', ' ')} | {cell(r['baseline_runs'].get(name))} "
                f"| {cell(run)} |"
            )
    return lines


def render(
    rows: list[dict[str, Any]], info: dict[str, Any], *, guests: int, command: str, baseline: str | None
) -> str:
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
        f"{info['git']}; proxstate at {info['proxstate_commit']}. Load average before/after: "
        f"{info['load_before']} / {info['load_after']}.",
        "",
        f"{guests} guests, one commit an hour, {CHANGED_SHARE:.0%} of the guests changed in each, "
        f"each node's tasks once a day. Command: `{command}`.",
        "",
        "Commands: wall time (CPU time, which a loaded machine does not stretch), in seconds.",
        "",
        "| commits | build s | .git after fast-import MB | maintenance s | .git after it MB | one sync's "
        "maintenance s | log | show-changes 1 hour | show-changes 1 day | list-vms --at | blame |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        g = r["runs"]
        lines.append(
            f"| {r['commits']} | {r['build']:.1f} | {r['imported_mb']:.1f} | {r['compact']:.1f} "
            f"| {r['after_mb']:.1f} | {r['per_sync']:.2f} | {cell(g.get('log'))} "
            f"| {cell(g.get('show_hour'))} | {cell(g.get('show_day'))} | {cell(g.get('list_at'))} "
            f"| {cell(g.get('blame'))} |"
        )
    if baseline is not None:
        lines += side_by_side(rows, baseline)
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    for r in rows:
        ok = r["after_mb"] < TARGET_SIZE_MB
        lines.append(
            f"| size after maintenance < {TARGET_SIZE_MB:g} MB at {r['commits']} commits "
            f"| {r['after_mb']:.1f} MB | {'met' if ok else 'MISSED'} |"
        )
        for name in ("log", "show_hour", "list_at", "blame"):
            run = r["runs"].get(name)
            if run is None:
                continue
            wall = run.get("wall")
            ok = wall is not None and wall < TARGET_SECONDS
            lines.append(
                f"| {name.replace('_', ' ')} < {TARGET_SECONDS:g} s at {r['commits']} commits "
                f"| {cell(run)} | {'met' if ok else 'MISSED'} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", default="10000,100000", help="history lengths, comma-separated")
    parser.add_argument("--guests", type=int, default=1000)
    parser.add_argument("--update-docs", action="store_true", help="also write the table into " + str(DOC))
    parser.add_argument("--output", type=Path, default=RESULTS / "history.md")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a folder holding another checkout's proxstate package (git archive REV proxstate | "
        "tar -x -C DIR): its reading commands are measured on the same repositories, side by side",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="proxstate-history-"))
    info: dict[str, Any] = {**machine(), "load_before": load(), "proxstate_commit": working_tree()}
    started = time.perf_counter()
    rows = []
    try:
        base = first_sync(args.guests, work / "base")
        for commits in [int(c) for c in args.commits.split(",") if c.strip()]:
            (work / str(commits)).mkdir()
            row = one_length(base, commits, work=work / str(commits), baseline=args.baseline)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if not args.keep:
                shutil.rmtree(work / str(commits) / "state", ignore_errors=True)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = load()
    command = " ".join(["python benchmarks/history_bench.py", *sys.argv[1:]])
    table = render(rows, info, guests=args.guests, command=command, baseline=_label(args.baseline))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# History benchmark\n\n" + table, encoding="utf-8")
    args.output.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.update_docs:
        update_doc(table, "history")
    print(table)
    print(f"total {time.perf_counter() - started:.0f} s; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
