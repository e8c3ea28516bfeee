"""Benchmark of `proxstate sync` against the fetch floor and a naive script, on a fake PVE.

    .venv/bin/python benchmarks/sync_bench.py [--sizes 500,1000,2000,5000] [--quick] [--update-docs]

For each cluster size N it starts fakepve (benchmarks/fakeserver.py) in its own process with N guests
over 5 nodes and a latency added to every answer, and measures, each as a child process:

- sync: `proxstate sync` into a fresh state repository;
- floor: the same GET requests (as the server saw them during that sync) sent by a bare httpx loop
  at the same concurrency (benchmarks/fetch_floor.py);
- no-change sync: a second sync, with nothing changed;
- baseline: proxmoxer, sequential calls, PyYAML, `git add -A && git commit` (benchmarks/naive_baseline.py);
- 1% sync: a sync after 1% of the guests were changed through the API (PUT .../config);
- show-changes: `proxstate show-changes` for that sync;
- log: `proxstate log qemu/101` once the resource has 200 snapshots (commits made with git fast-import).

Reported per child: wall time, CPU time (user + sys, its children such as git included, from
wait4), peak RSS, and the API requests the server answered with the most that were in flight at once.
The table goes to benchmarks/results/latest.md (and results/latest.json); --update-docs also puts
it into docs/performance.md between its result markers.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import pstats
import re
import secrets
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DOC = ROOT / "docs" / "performance.md"
TOKEN_ID = "root@pam!bench"
NODES = 5
CONCURRENCY = 4
LOG_SNAPSHOTS = 200
LOG_RESOURCE = "qemu/101"
CHILD_TIMEOUT = 600.0
SERVER_START_TIMEOUT = 180.0
MIB = 1024 * 1024
SYNC_OPTIONS: list[str] = []  # extra options of every measured sync (--only)

# The targets of the "Performance" issue.
TARGET_SYNC_FLOOR = 1.25
TARGET_BASELINE_SPEEDUP = 6.0
TARGET_BASELINE_AT = 1000
TARGET_NOCHANGE_FLOOR = 1.10
TARGET_SHOW_CHANGES = 0.5
TARGET_SHOW_CHANGES_AT = 5000
TARGET_LOG = 2.0
TARGET_RSS_MIB = 150.0
TARGET_RSS_AT = 5000
TARGET_LINEAR = 1.25  # wall time per guest at any N vs the smallest N measured


@dataclass
class Run:
    """One measured child process."""

    wall: float
    cpu: float
    rss_mib: float
    requests: int | None = None
    max_in_flight: int | None = None
    server_cpu: float | None = None
    note: str = ""


@dataclass
class SizeResult:
    n: int
    runs: dict[str, Run] = field(default_factory=dict)
    changed: int = 0
    checks: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- children


def proxstate_command() -> list[str]:
    script = Path(sys.executable).parent / "proxstate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "proxstate"]


# Runs the command and writes its wall time and rusage (wait4: itself and the children it waited for,
# such as git) to the file named first. A small process of its own, because Linux counts the memory
# of the process that execs a command into the command's peak RSS: spawned straight from this
# harness, every child would show at least the harness's own size.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}, out)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(
    cmd: list[str], *, env: dict[str, str], cwd: Path | None = None, log: Path
) -> tuple[int, Run, str]:
    """Run cmd to its end; (exit code, measures, output)."""
    usage_file = log.with_suffix(".usage.json")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-S", "-I", "-c", LAUNCHER, str(usage_file), *cmd],
            env=env,
            cwd=cwd or log.parent,  # not the checkout: `-m proxstate` would import it from there
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = proc.wait(CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise RuntimeError(f"{' '.join(cmd)} took more than {CHILD_TIMEOUT:.0f} s") from None
    usage = json.loads(usage_file.read_text(encoding="utf-8"))
    run = Run(wall=usage["wall"], cpu=usage["cpu"], rss_mib=usage["maxrss_kib"] * 1024 / MIB)
    return code, run, log.read_text(encoding="utf-8", errors="replace")


class Server:
    """benchmarks/fakeserver.py in its own process, and its request counter."""

    def __init__(self, n: int, *, latency: float, work: Path, extra: tuple[str, ...] = ()) -> None:
        from fakepve.certs import make_cert

        self.cert, self.key, _ = make_cert(str(work), hosts=("127.0.0.1",))
        self.secret = secrets.token_hex(16)
        token_file = work / "token"
        token_file.write_text(self.secret, encoding="utf-8")
        token_file.chmod(0o600)
        cmd = [
            sys.executable,
            str(HERE / "fakeserver.py"),
            "--guests",
            str(n),
            "--nodes",
            str(NODES),
            "--latency",
            str(latency),
            "--cert",
            self.cert,
            "--key",
            self.key,
            "--token-file",
            str(token_file),
            *extra,
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = self._wait_listening()
        self.port = int(self.url.rsplit(":", 1)[1])
        self.http = httpx.Client(
            base_url=self.url,
            verify=ssl.create_default_context(cafile=self.cert),
            trust_env=False,
            timeout=60,
        )

    def _wait_listening(self) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        seen = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1.0)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    break
                seen += line
                found = re.search(rb"listening on (https://127\.0\.0\.1:\d+)", line)
                if found:
                    return found.group(1).decode()
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError("fakepve did not start: " + seen.decode(errors="replace")[-2000:])

    @property
    def token(self) -> str:
        return f"{TOKEN_ID}={self.secret}"

    def reset(self) -> None:
        self.http.post("/_bench/reset").raise_for_status()

    def stats(self, *, paths: bool = False) -> dict[str, Any]:
        response = self.http.get("/_bench/stats", params={"paths": 1} if paths else None)
        response.raise_for_status()
        return dict(response.json())

    def put_config(self, node: str, vmid: int, values: dict[str, Any]) -> None:
        response = self.http.put(
            f"/api2/json/nodes/{node}/qemu/{vmid}/config",
            data=values,
            headers={"Authorization": f"PVEAPIToken={self.token}"},
        )
        response.raise_for_status()

    def stop(self) -> None:
        if getattr(self, "http", None) is not None:
            self.http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def measured(
    server: Server, cmd: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None
) -> tuple[Run, str]:
    """Run a child against the server; its measures with the requests the server answered."""
    server.reset()
    code, run, output = run_child(cmd, env=env, cwd=cwd, log=log)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {code}:\n{output[-3000:]}")
    stats = server.stats()
    run.requests = stats["requests"]
    run.max_in_flight = stats["max_in_flight"]
    run.server_cpu = stats["server_cpu"]
    return run, output


def local_run(cmd: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None) -> tuple[Run, str]:
    code, run, output = run_child(cmd, env=env, cwd=cwd, log=log)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {code}:\n{output[-3000:]}")
    return run, output


def git(repo: Path, *args: str, env: dict[str, str], data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=env, input=data, capture_output=True, check=True)
    return done.stdout.decode()


# --------------------------------------------------------------------------- one size


def proxstate_env(env: dict[str, str], server: Server) -> dict[str, str]:
    """`env` with what a measured proxstate command needs: the server, its token and CA, the
    benchmark's concurrency, no progress and no colour."""
    return {
        **env,
        "PROXSTATE_URL": server.url,
        "PROXSTATE_TOKEN": server.token,
        "PROXSTATE_CA_CERT": server.cert,
        "PROXSTATE_NO_PROGRESS": "1",
        "PROXSTATE_CONCURRENCY": str(CONCURRENCY),
        "NO_COLOR": "1",
    }


def point_here_at(server: Server, work: Path) -> None:
    """This process's environment: the benchmark's, with `server` as the cluster, for the scripts
    that run `proxstate sync` in their own process (sync_phases.py, sync_memory.py), at proxstate's
    default concurrency."""
    env = proxstate_env(base_env(work), server)
    del env["PROXSTATE_CONCURRENCY"]
    os.environ.clear()
    os.environ.update(env)


def base_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROXSTATE_", "GIT_"))}
    env.update(
        HOME=str(work),  # no user's git configuration
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@localhost",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@localhost",
    )
    return env


def changed_guests(n: int) -> list[tuple[str, int]]:
    """1% of the guests (at least one): stopped VMs spread over the vmid range."""
    sys.path.insert(0, str(HERE))
    from fakeserver import guests

    stopped = [
        (g["node"], g["vmid"]) for g in guests(n, NODES) if g["type"] == "qemu" and g["status"] == "stopped"
    ]
    count = max(1, n // 100)
    step = len(stopped) / count
    return [stopped[int(i * step)] for i in range(count)]


def add_log_history(repo: Path, *, env: dict[str, str], count: int) -> str:
    """count commits on the branch, each changing the recorded memory of LOG_RESOURCE; its path."""
    kind, vmid = LOG_RESOURCE.split("/")
    wanted = re.compile(rf"clusters/[^/]+/{kind}/{vmid}\.yaml")
    paths = [p for p in git(repo, "ls-files", env=env).splitlines() if wanted.fullmatch(p)]
    if len(paths) != 1:
        raise RuntimeError(f"cannot find the document of {LOG_RESOURCE}: {paths}")
    path = paths[0]
    text = (repo / path).read_text(encoding="utf-8")
    if not re.search(r"^  memory: \d+$", text, flags=re.M):
        raise RuntimeError(f"no config memory line in {path}")
    branch = git(repo, "symbolic-ref", "HEAD", env=env).strip()
    stream = [f"reset {branch}\nfrom {branch}^0\n".encode()]
    stamp = int(time.time()) - count * 60
    for i in range(count):
        body = re.sub(
            r"^  memory: \d+$", f"  memory: {1024 + 128 * (i + 1)}", text, count=1, flags=re.M
        ).encode()
        message = f"sync: {LOG_RESOURCE} memory {i}\n".encode()
        stream += [
            f"commit {branch}\ncommitter bench <bench@localhost> {stamp + 60 * i} +0000\n".encode(),
            f"data {len(message)}\n".encode() + message,
            f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n",
        ]
    git(repo, "fast-import", "--quiet", env=env, data=b"".join(stream))
    git(repo, "read-tree", "-u", "--reset", "HEAD", env=env)
    return path


def last_line(text: str) -> str:
    """The sync's outcome (`committed ...`, `no changes`), else its last line: notes such as what
    the login may not read come after it."""
    lines = text.strip().splitlines()
    for line in reversed(lines):
        if ": committed " in line or line.endswith(": no changes"):
            return line
    return lines[-1] if lines else ""


def one_round(server: Server, n: int, *, work: Path, round_no: int) -> SizeResult:
    """Every measure of one size once, in a fresh state repository."""
    result = SizeResult(n=n)
    work.mkdir(parents=True)
    env = base_env(work)
    px_env = proxstate_env(env, server)
    proxstate = proxstate_command()
    repo = work / "state"
    subprocess.run([*proxstate, "init", str(repo)], env=px_env, check=True, capture_output=True)
    sync = [*proxstate, "sync", "-C", str(repo), *SYNC_OPTIONS]

    def commits() -> int:
        return int(git(repo, "rev-list", "--count", "HEAD", env=env))

    # 1. A full sync into the fresh repository; what the server saw is the floor's work.
    run, out = measured(server, sync, env=px_env, log=work / "sync.log")
    paths = server.stats(paths=True)["paths"]
    run.note = last_line(out)
    result.runs["sync"] = run
    (work / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")

    # 2. The fetch floor: the same GETs at the same concurrency, the answers thrown away.
    floor_env = {**env, "BENCH_URL": server.url, "BENCH_TOKEN": server.token, "BENCH_CA": server.cert}
    floor = [sys.executable, str(HERE / "fetch_floor.py"), str(work / "paths.txt")]
    floor += ["--concurrency", str(CONCURRENCY)]
    result.runs["floor"], _ = measured(server, floor, env=floor_env, log=work / "floor.log")

    # 3. A second sync with nothing changed: no commit expected.
    before = commits()
    run, out = measured(server, sync, env=px_env, log=work / "sync2.log")
    run.note = last_line(out)
    result.runs["nochange"] = run
    result.checks["nochange_commits"] = commits() - before

    # 4. The naive baseline, into a repository of its own.
    naive = work / "naive"
    naive.mkdir()
    git(naive, "init", "-q", env=env)
    git(naive, "commit", "-q", "--allow-empty", "-m", "start", env=env)
    naive_env = {**floor_env, "BENCH_HOST": "127.0.0.1", "BENCH_PORT": str(server.port)}
    baseline = [sys.executable, str(HERE / "naive_baseline.py"), str(naive)]
    result.runs["baseline"], _ = measured(server, baseline, env=naive_env, log=work / "naive.log")

    # 5. 1% of the guests change (through the API: the fake is another process), then a sync.
    targets = changed_guests(n)
    for i, (node, vmid) in enumerate(targets):
        values = {
            "memory": 4096 + 64 * (i + len(targets) * round_no),
            "description": f"changed {round_no}.{i}",
        }
        server.put_config(node, vmid, values)
    result.changed = len(targets)
    before = commits()
    run, out = measured(server, sync, env=px_env, log=work / "sync3.log")
    run.note = last_line(out)
    result.runs["sync1pct"] = run
    result.checks["sync1pct_commits"] = commits() - before

    # 6. show-changes of that sync.
    show = [*proxstate, "show-changes", "-C", str(repo), "--format", "json"]
    run, out = local_run(show, env=px_env, log=work / "show.log")
    try:
        shown = len(json.loads(out).get("resources") or [])
    except ValueError:
        shown = -1
    run.note = f"{shown} resources reported"
    result.checks["show_changes_resources"] = shown
    result.runs["show_changes"] = run

    # 7. log of one resource once it has LOG_SNAPSHOTS more snapshots.
    add_log_history(repo, env=env, count=LOG_SNAPSHOTS)
    run, out = local_run([*proxstate, "log", LOG_RESOURCE, "-C", str(repo)], env=px_env, log=work / "log.log")
    run.note = f"{commits()} commits in the repository"
    result.checks["log_lines"] = len(out.splitlines())
    result.runs["log"] = run
    return result


def best(rounds: list[SizeResult]) -> SizeResult:
    """Per measure, the round with the shortest wall time (the least disturbed by other work)."""
    out = SizeResult(n=rounds[0].n, changed=rounds[0].changed)
    for key in rounds[0].runs:
        out.runs[key] = min((r.runs[key] for r in rounds), key=lambda run: run.wall)
    for key in rounds[0].checks:
        values = [r.checks[key] for r in rounds]
        out.checks[key] = max(values) if key.endswith("_commits") else values[0]
    out.checks["rounds"] = len(rounds)
    out.checks["spread"] = {key: [round(r.runs[key].wall, 3) for r in rounds] for key in rounds[0].runs}
    return out


def bench_size(n: int, *, latency: float, work: Path, repeat: int, profile: bool) -> SizeResult:
    work.mkdir(parents=True)
    server = Server(n, latency=latency, work=work)
    try:
        rounds = [one_round(server, n, work=work / f"round{i}", round_no=i) for i in range(repeat)]
        if profile:
            profile_runs(server, n, work=work / f"round{repeat - 1}")
    finally:
        server.stop()
    return best(rounds)


def profile_runs(server: Server, n: int, *, work: Path) -> None:
    """Profiles of a no-change sync, show-changes and log into results/.

    cProfile counts every call but inflates small Python functions (the import machinery, asyncio);
    pyinstrument, when installed, samples and shows where the time really goes.
    """
    env = {
        **base_env(work),
        "PROXSTATE_URL": server.url,
        "PROXSTATE_TOKEN": server.token,
        "PROXSTATE_CA_CERT": server.cert,
        "PROXSTATE_NO_PROGRESS": "1",
    }
    repo = str(work / "state")
    commands = {
        "sync-nochange": ["sync", "-C", repo, *SYNC_OPTIONS],
        "show-changes": ["show-changes", "-C", repo, "HEAD~" + str(LOG_SNAPSHOTS)],
        "log": ["log", LOG_RESOURCE, "-C", repo],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, args in commands.items():
        what = f"`proxstate {args[0]}` ({name}) at N={n}"
        stats = work / f"{name}.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "proxstate", *args]
        subprocess.run(cmd, env=env, cwd=work, check=True, capture_output=True, timeout=CHILD_TIMEOUT)
        with open(RESULTS / f"profile-{name}.txt", "w", encoding="utf-8") as out:
            out.write(f"cProfile of {what}\n")
            for order in ("tottime", "cumulative"):
                report = pstats.Stats(str(stats), stream=out)
                report.strip_dirs().sort_stats(order).print_stats(30)
            # proxstate's own functions, and where the HTTP stack and pydantic spend.
            report = pstats.Stats(str(stats), stream=out)
            report.sort_stats("cumulative").print_stats(r"/proxstate/", 40)
            report.sort_stats("tottime").print_stats(r"pydantic|_synchronization|importlib._bootstrap>", 12)
        if importlib.util.find_spec("pyinstrument") is None:
            continue
        text = work / f"{name}.pyinstrument.txt"
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "--no-color", "-o", str(text)]
        cmd += ["-m", "proxstate", *args]
        subprocess.run(cmd, env=env, cwd=work, check=True, capture_output=True, timeout=CHILD_TIMEOUT)
        body = text.read_text(encoding="utf-8")
        (RESULTS / f"pyinstrument-{name}.txt").write_text(f"pyinstrument of {what}\n{body}", encoding="utf-8")


# --------------------------------------------------------------------------- report


ROWS = [
    ("floor", "fetch floor (bare httpx, same GETs)"),
    ("sync", "proxstate sync, fresh repository"),
    ("nochange", "proxstate sync, nothing changed"),
    ("sync1pct", "proxstate sync, 1% changed"),
    ("baseline", "naive script (proxmoxer, sequential)"),
    ("show_changes", "proxstate show-changes (1% changed)"),
    ("log", f"proxstate log {LOG_RESOURCE} ({LOG_SNAPSHOTS} snapshots)"),
]


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model or platform.processor() or "unknown",
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git": version.stdout.strip(),
    }


def working_tree() -> str:
    """The commit of the checkout the children run, and whether proxstate/ has uncommitted edits."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "proxstate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    commit = head.stdout.strip() or "unknown"
    return commit + (" with uncommitted changes" if dirty.stdout.strip() else "")


def use_revision(rev: str, work: Path) -> str:
    """Put proxstate as committed at rev first on the children's PYTHONPATH; its short commit."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev + "^{commit}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    source = work / "source"
    source.mkdir()
    archive = subprocess.run(
        ["git", "archive", commit, "proxstate"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(source), os.environ.get("PYTHONPATH")) if p)
    return commit


def startup(env: dict[str, str], work: Path) -> Run:
    """`proxstate --version`: what every command pays before it does anything (best of 3)."""
    runs = [
        local_run([*proxstate_command(), "--version"], env=env, log=work / "version.log")[0] for _ in range(3)
    ]
    return min(runs, key=lambda run: run.wall)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def verdict(ok: bool, by: str = "") -> str:
    return "met" if ok else "MISSED" + (f" by {by}" if by else "")


def targets(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    rows: list[tuple[str, str, str]] = []
    by_n = {r.n: r for r in results}

    def worst_of(key: str, limit: float, what: str) -> None:
        ratios = {r.n: ratio(r.runs[key].wall, r.runs["floor"].wall) for r in results}
        n, value = max(ratios.items(), key=lambda item: item[1])
        shown = ", ".join(f"N={k}: {v:.2f}x" for k, v in ratios.items())
        extra = ""
        if key == "nochange":
            commits = sum(r.checks.get("nochange_commits", 0) for r in results)
            shown += f"; {commits} commits"
            extra = "" if commits == 0 else f"; {commits} commits made"
        ok = value <= limit and not extra
        rows.append((what, shown, verdict(ok, f"{value / limit - 1:.0%} at N={n}{extra}")))

    worst_of("sync", TARGET_SYNC_FLOOR, f"full sync <= {TARGET_SYNC_FLOOR}x floor at every N")
    if TARGET_BASELINE_AT in by_n:
        r = by_n[TARGET_BASELINE_AT]
        speed = ratio(r.runs["baseline"].wall, r.runs["sync"].wall)
        rows.append(
            (
                f">= {TARGET_BASELINE_SPEEDUP:g}x faster than naive at N={TARGET_BASELINE_AT}",
                f"{speed:.2f}x",
                verdict(speed >= TARGET_BASELINE_SPEEDUP, f"{TARGET_BASELINE_SPEEDUP / speed:.1f}x too slow"),
            )
        )
    worst_of(
        "nochange", TARGET_NOCHANGE_FLOOR, f"no-change sync <= {TARGET_NOCHANGE_FLOOR}x floor, no commit"
    )
    if TARGET_SHOW_CHANGES_AT in by_n:
        value = by_n[TARGET_SHOW_CHANGES_AT].runs["show_changes"].wall
        rows.append(
            (
                f"show-changes, 1% of {TARGET_SHOW_CHANGES_AT} changed, < {TARGET_SHOW_CHANGES} s",
                f"{value:.2f} s",
                verdict(value < TARGET_SHOW_CHANGES, f"{value - TARGET_SHOW_CHANGES:.2f} s"),
            )
        )
    log_n, value = max(((r.n, r.runs["log"].wall) for r in results), key=lambda item: item[1])
    rows.append(
        (
            f"log over {LOG_SNAPSHOTS} snapshots < {TARGET_LOG} s",
            f"{value:.2f} s (slowest, N={log_n})",
            verdict(value < TARGET_LOG, f"{value - TARGET_LOG:.2f} s"),
        )
    )
    if TARGET_RSS_AT in by_n:
        value = max(by_n[TARGET_RSS_AT].runs[k].rss_mib for k in ("sync", "nochange", "sync1pct"))
        rows.append(
            (
                f"peak RSS < {TARGET_RSS_MIB:g} MiB at N={TARGET_RSS_AT}",
                f"{value:.0f} MiB",
                verdict(value < TARGET_RSS_MIB, f"{value - TARGET_RSS_MIB:.0f} MiB"),
            )
        )
    if len(results) >= 2:
        # Fixed costs (start-up, cluster-wide calls) make small clusters dearer per guest, so a
        # growth that is linear or better keeps the cost per guest at or below the smallest N's.
        ordered = sorted(results, key=lambda r: r.n)
        per_guest = {
            key: [r.runs[key].wall / r.n for r in ordered]
            for key in ("floor", "sync", "nochange", "sync1pct")
        }
        value = max(max(costs) / costs[0] for key, costs in per_guest.items() if key != "floor")
        shown = "; ".join(
            f"{key}: " + " / ".join(f"{c * 1000:.2f}" for c in costs) for key, costs in per_guest.items()
        )
        sizes = "/".join(str(r.n) for r in ordered)
        rows.append(
            (
                f"linear growth: wall ms per guest at N={sizes} stays <= {TARGET_LINEAR}x the first",
                shown,
                verdict(value <= TARGET_LINEAR, f"{value / TARGET_LINEAR - 1:.0%}"),
            )
        )
    flights = [r.runs[k].max_in_flight or 0 for r in results for k in ("sync", "nochange", "sync1pct")]
    rows.append(
        (
            f"requests in flight <= concurrency ({CONCURRENCY})",
            f"at most {max(flights)} (counted by the server)",
            verdict(max(flights) <= CONCURRENCY),
        )
    )
    return rows


def summary_rows(results: list[SizeResult]) -> list[str]:
    head = (
        "| N | floor s | sync s | sync/floor | no-change s | no-change/floor | 1% sync s "
        "| naive s | naive/sync | show-changes s | log s | sync peak RSS MiB |"
    )
    lines = [head, "|---:|" + "---:|" * 11]
    for r in results:
        g = r.runs
        cells = [
            str(r.n),
            fmt(g["floor"].wall),
            fmt(g["sync"].wall),
            fmt(ratio(g["sync"].wall, g["floor"].wall)) + "x",
            fmt(g["nochange"].wall),
            fmt(ratio(g["nochange"].wall, g["floor"].wall)) + "x",
            fmt(g["sync1pct"].wall),
            fmt(g["baseline"].wall),
            fmt(ratio(g["baseline"].wall, g["sync"].wall)) + "x",
            fmt(g["show_changes"].wall),
            fmt(g["log"].wall),
            fmt(g["sync"].rss_mib, 0),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def detail_rows(r: SizeResult) -> list[str]:
    lines = [
        "| run | wall s | CPU s | peak RSS MiB | requests | max in flight | server CPU s | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, label in ROWS:
        g = r.runs[key]
        cells = [
            label,
            fmt(g.wall),
            fmt(g.cpu),
            fmt(g.rss_mib, 0),
            "-" if g.requests is None else str(g.requests),
            "-" if g.max_in_flight is None else str(g.max_in_flight),
            fmt(g.server_cpu),
            g.note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(results: list[SizeResult], info: dict[str, Any], *, latency: float, command: str) -> str:
    start = info["startup"]
    lines = [
        f"Run {info['date']} on {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
        f"{info['git']}, {info['platform']}; proxstate at {info['proxstate_commit']}. "
        f"Load average before/after: {info['load_before']} / {info['load_after']}.",
        "",
        f"{NODES} nodes, {latency * 1000:g} ms added to every answer, concurrency {CONCURRENCY}, "
        f"kinds: {SYNC_OPTIONS[1] if SYNC_OPTIONS else 'all (the default)'}, "
        f"best of {info['repeat']} round(s) per measure. Command: `{command}`. "
        f"Start-up of the CLI (`proxstate --version`): {start.wall:.2f} s wall, {start.cpu:.2f} s CPU.",
        "",
        "### Summary (wall times)",
        "",
        *summary_rows(results),
        "",
        "### Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m} | {v} |" for t, m, v in targets(results)],
    ]
    for r in results:
        lines += ["", f"### N = {r.n} ({r.changed} guests changed for the 1% sync)", "", *detail_rows(r)]
    lines += [
        "",
        "CPU is user + system time of the child and the processes it waited for (git); peak RSS is the",
        "largest of those processes. Requests and in-flight counts are the server's.",
    ]
    return "\n".join(lines) + "\n"


def update_doc(table: str, section: str) -> None:
    """Put the table between the `<!-- SECTION:start -->` and `<!-- SECTION:end -->` lines of the doc."""
    text = DOC.read_text(encoding="utf-8")
    first, last = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    start, end = text.find(first), text.find(last)
    if start < 0 or end < start:
        raise SystemExit(f"{DOC} has no {first} ... {last} markers")
    DOC.write_text(text[: start + len(first)] + "\n\n" + table + "\n" + text[end:], encoding="utf-8")


def rerender(args: argparse.Namespace) -> int:
    """The tables of an earlier run, from its .json (e.g. after a change of the report)."""
    raw = json.loads(args.render.read_text(encoding="utf-8"))
    info = {**raw["machine"], "startup": Run(**raw["machine"]["startup"])}
    SYNC_OPTIONS[:] = raw.get("sync_options") or []
    results = []
    for item in raw["results"]:
        runs = {key: Run(**value) for key, value in item.pop("runs").items()}
        results.append(SizeResult(**item, runs=runs))
    command = raw.get("command") or "python benchmarks/sync_bench.py"
    table = render(results, info, latency=raw["latency"], command=command)
    args.output.write_text("# Benchmark results\n\n" + table, encoding="utf-8")
    if args.update_docs:
        update_doc(table, args.doc_section)
    print(table)
    return 0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000,5000", help="guest counts, comma-separated")
    parser.add_argument("--quick", action="store_true", help="only N = 200 and 500: a fast check")
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every answer")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size; the best of them counts")
    parser.add_argument("--profile", action="store_true", help="also profile at the largest N (cProfile)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (repositories, logs)")
    parser.add_argument("--update-docs", action="store_true", help="also write the table into " + str(DOC))
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md")
    parser.add_argument("--doc-section", default="results", help="marker name for --update-docs")
    parser.add_argument(
        "--render", metavar="JSON", type=Path, help="only write the tables again from a results .json file"
    )
    parser.add_argument("--only", metavar="KINDS", help="sync only these kinds (proxstate sync --only)")
    parser.add_argument(
        "--at", metavar="REV", help="measure proxstate as committed at REV instead of the working tree"
    )
    args = parser.parse_args()
    if args.render:
        return rerender(args)
    if args.only:
        SYNC_OPTIONS[:] = ["--only", args.only]
    sizes = [200, 500] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if shutil.which("git") is None:
        raise SystemExit("git is needed")
    work = Path(tempfile.mkdtemp(prefix="proxstate-bench-"))
    info: dict[str, Any] = {**machine(), "repeat": args.repeat, "load_before": load()}
    results = []
    started = time.perf_counter()
    try:
        info["proxstate_commit"] = use_revision(args.at, work) if args.at else working_tree()
        info["startup"] = startup(base_env(work), work)
        for n in sizes:
            print(f"N={n}: running ...", flush=True)
            profile = args.profile and n == max(sizes)
            result = bench_size(
                n, latency=args.latency, work=work / str(n), repeat=args.repeat, profile=profile
            )
            results.append(result)
            print(f"N={n}: " + ", ".join(f"{k} {v.wall:.2f}s" for k, v in result.runs.items()), flush=True)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    info["load_after"] = load()
    command = " ".join(["python benchmarks/sync_bench.py", *sys.argv[1:]])
    table = render(results, info, latency=args.latency, command=command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("# Benchmark results\n\n" + table, encoding="utf-8")
    raw = {
        "machine": {**info, "startup": asdict(info["startup"])},
        "command": command,
        "sync_options": SYNC_OPTIONS,
        "latency": args.latency,
        "results": [asdict(r) for r in results],
    }
    args.output.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    if args.update_docs:
        update_doc(table, args.doc_section)
    print(table)
    print(f"total {time.perf_counter() - started:.0f} s; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
