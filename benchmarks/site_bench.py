"""Benchmark of the static site: `proxstate site` over a large record with a long history.

    .venv/bin/python benchmarks/site_bench.py [--guests 5000] [--snapshots 1000] [--update-docs]

The record is built as benchmarks/history_bench.py builds its own (and with its functions): one
real `proxstate sync` of the benchmark cluster (benchmarks/fakeserver.py) gives the first commit,
proxstate's own renderings of every document; `git fast-import` adds the other snapshots, one an
hour, each changing 1% of the guests' memory (and each node's tasks once a day). Then, each as a
child process (wall time, CPU time, peak RSS):

- the first build of the site into an empty folder (target: under a minute), and how many pages it
  wrote;
- a rebuild after one more snapshot of the same kind, and how many pages it wrote: only the pages
  that changed (the snapshot's guests, the new snapshot's page and the pages that list snapshots or
  the guests' last change) should be;
- a rebuild without any new snapshot, which should write nothing.

`--profile` runs the first build once more under cProfile and prints where its time goes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from history_bench import HOUR, first_sync, history_stream, tracked
from sync_bench import (
    RESULTS,
    base_env,
    load,
    local_run,
    machine,
    proxstate_command,
    update_doc,
    working_tree,
)

TARGET_FIRST = 60.0  # seconds
SUMMARY = re.compile(r"site: (\d+) pages \((\d+) written, (\d+) unchanged, (\d+) removed\)")


def git(repo: Path, *args: str, env: dict[str, str], data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True)
    return done.stdout.decode()


def record(
    base: Path, snapshots: int, *, work: Path, env: dict[str, str]
) -> tuple[Path, dict[str, bytes], int]:
    """The state repository with `snapshots` hourly snapshots; its files as the last one left them
    and the time of the last."""
    repo = work / "state"
    shutil.copytree(base, repo, symlinks=True)
    files = tracked(repo, env)
    branch = git(repo, "symbolic-ref", "HEAD", env=env).strip()
    start = int(time.time()) - (snapshots + 1) * HOUR
    # The first snapshot moves back to the start of the history, as history_bench's does.
    git(
        repo,
        "commit",
        "--amend",
        "--no-edit",
        "--date",
        f"@{start}",
        env={**env, "GIT_COMMITTER_DATE": f"@{start}"},
    )
    git(
        repo,
        "fast-import",
        "--quiet",
        env=env,
        data=history_stream(files, commits=snapshots, branch=branch, start=start),
    )
    git(repo, "read-tree", "-u", "--reset", "HEAD", env=env)
    return repo, files, start + (snapshots - 1) * HOUR


def one_more(repo: Path, files: dict[str, bytes], *, last: int, env: dict[str, str]) -> None:
    """One more hourly snapshot, of the same kind as the others (another 1% of the guests)."""
    branch = git(repo, "symbolic-ref", "HEAD", env=env).strip()
    git(
        repo,
        "fast-import",
        "--quiet",
        env=env,
        data=history_stream(files, commits=2, branch=branch, start=last, seed=2),
    )
    git(repo, "read-tree", "-u", "--reset", "HEAD", env=env)


def site(repo: Path, out: Path, *, env: dict[str, str], log: Path) -> dict[str, Any]:
    run, output = local_run(
        [*proxstate_command(), "site", "-C", str(repo), "--out", str(out)], env=env, log=log
    )
    found = SUMMARY.search(output)
    if found is None:
        raise RuntimeError(f"no summary line in: {output[-500:]}")
    pages, written, unchanged, removed = (int(group) for group in found.groups())
    return {**vars(run), "pages": pages, "written": written, "unchanged": unchanged, "removed": removed}


def profile(repo: Path, out: Path, *, env: dict[str, str], work: Path) -> str:
    """The first build again (an empty folder, no cache of reports) under cProfile: the top entries."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(repo / ".git" / "proxstate" / "site-cache", ignore_errors=True)
    stats = work / "site.prof"
    code = (
        "import cProfile, sys; from proxstate.cli.main import main; "
        f"sys.argv = ['proxstate', 'site', '-C', {str(repo)!r}, '--out', {str(out)!r}]; "
        f"cProfile.run('main()', {str(stats)!r})"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=work, capture_output=True, check=False)
    report = (
        "import pstats, sys; "
        f"pstats.Stats({str(stats)!r}, stream=sys.stdout).sort_stats('cumulative').print_stats(40)"
    )
    return subprocess.run([sys.executable, "-c", report], capture_output=True, text=True, check=False).stdout


def cell(run: dict[str, Any]) -> str:
    return f"{run['wall']:.1f} ({run['cpu']:.1f})"


def render(result: dict[str, Any], info: dict[str, Any], *, command: str) -> str:
    first, again, idle = result["first"], result["again"], result["idle"]
    ok = first["wall"] < TARGET_FIRST
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
        f"{info['git']}; proxstate at {info['proxstate_commit']}. Load average before/after: "
        f"{info['load_before']} / {info['load_after']}.",
        "",
        f"{result['guests']} guests, {result['snapshots']} snapshots (one an hour, 1% of the guests "
        f"changed in each, each node's tasks once a day); record built in {result['build']:.0f} s. "
        f"Command: `{command}`.",
        "",
        "Wall time (CPU time, which a loaded machine does not stretch) in seconds; peak RSS in MiB.",
        "",
        "| build | pages | written | unchanged | removed | seconds | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in (
        ("first build (empty folder)", first),
        ("after one more snapshot", again),
        ("again, nothing new", idle),
    ):
        lines.append(
            f"| {name} | {run['pages']} | {run['written']} | {run['unchanged']} | {run['removed']} "
            f"| {cell(run)} | {run['rss_mib']:.0f} |"
        )
    lines += [
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| first build < {TARGET_FIRST:.0f} s | {cell(first)} | {'met' if ok else 'MISSED'} |",
        f"| first build < {TARGET_FIRST:.0f} s of CPU time (what the machine's load does not stretch) "
        f"| {first['cpu']:.1f} | {'met' if first['cpu'] < TARGET_FIRST else 'MISSED'} |",
        f"| rebuild after one more snapshot writes only the changed pages | {again['written']} of "
        f"{again['pages']} written; {result['expected']} pages hold what the snapshot changed "
        f"| {'met' if again['written'] <= result['expected'] else 'MISSED'} |",
        f"| rebuild with nothing new writes nothing | {idle['written']} written "
        f"| {'met' if idle['written'] == 0 else 'MISSED'} |",
    ]
    return "\n".join(lines) + "\n"


def expected_pages(repo: Path, env: dict[str, str]) -> int:
    """The pages one more snapshot changes: each changed resource's page, the new snapshot's and
    the one before it (its `next` link), the clusters' pages (the last change of each guest), the
    front page, the timeline, the policy page and the search index."""
    changed = git(repo, "diff", "--name-only", "HEAD~1", "HEAD", "--", "clusters", env=env).split()
    clusters = {path.split("/")[1] for path in changed}
    return len(changed) + 2 + len(clusters) + 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=5000)
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    parser.add_argument("--output", type=Path, default=RESULTS / "site.md")
    parser.add_argument(
        "--profile", action="store_true", help="profile a first build and print the top entries"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only render the tables of an earlier run"
    )
    args = parser.parse_args()
    if args.render is not None:
        raw = json.loads(args.render.read_text(encoding="utf-8"))
        table = render(raw, raw["machine"], command=raw.get("command", "python benchmarks/site_bench.py"))
        if args.update_docs:
            update_doc(table, "site")
        print(table)
        return 0
    work = Path(tempfile.mkdtemp(prefix="proxstate-site-"))
    info: dict[str, Any] = {**machine(), "load_before": load(), "proxstate_commit": working_tree()}
    env = base_env(work)
    px_env = {**env, "NO_COLOR": "1", "PROXSTATE_NO_PROGRESS": "1"}
    try:
        base = first_sync(args.guests, work / "base")
        began = time.perf_counter()
        repo, files, last = record(base, args.snapshots, work=work, env=env)
        build = time.perf_counter() - began
        out = work / "public"
        first = site(repo, out, env=px_env, log=work / "first.log")
        print(json.dumps({"first": first}), flush=True)
        one_more(repo, files, last=last, env=env)
        again = site(repo, out, env=px_env, log=work / "again.log")
        idle = site(repo, out, env=px_env, log=work / "idle.log")
        result = {
            "guests": args.guests,
            "snapshots": int(git(repo, "rev-list", "--count", "HEAD", "--", "clusters", env=env)),
            "build": build,
            "first": first,
            "again": again,
            "idle": idle,
            "expected": expected_pages(repo, env),
        }
        if args.profile:
            print(profile(repo, work / "profiled", env=px_env, work=work))
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = load()
    command = " ".join(["python benchmarks/site_bench.py", *sys.argv[1:]])
    table = render(result, info, command=command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Site benchmark\n\n" + table, encoding="utf-8")
    saved = {**result, "machine": info, "command": command}
    args.output.with_suffix(".json").write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    if args.update_docs:
        update_doc(table, "site")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
