"""`proxstate watch` against the fake with a cluster log shaped after PVE's handlers
(proxstate/demo/clusterlog.py): commits within the interval with their author, one commit per change
even when the next one reverts it, survives the server going away, loses nothing when killed.
Changes are made from a timer thread while the watch runs in the test's own thread."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from proxstate.demo.clusterlog import ClusterLog, log_as_pve
from tests.helpers.clusterlog import ALICE, add_tokens, api_as
from tests.helpers.process import proxstate_process, wait_for
from tests.helpers.repo import assert_consistent, git


@pytest.fixture
def log(small_cluster: Any) -> ClusterLog:
    add_tokens(small_cluster)
    return log_as_pve(small_cluster)


Step = tuple[Callable[[], bool], Callable[[], object]]


@pytest.fixture
def drive() -> Iterator[Callable[[list[Step]], None]]:
    """From another thread: for each step, wait for its condition, then act; at the end Ctrl-C
    (SIGINT) stops the watch, which runs in the test's own thread."""
    threads: list[threading.Thread] = []

    def start(steps: list[Step]) -> None:
        def run() -> None:
            try:
                for condition, action in steps:
                    wait_for(condition, timeout=30, what="the watch")
                    action()
            finally:
                os.kill(os.getpid(), signal.SIGINT)

        threads.append(threading.Thread(target=run, daemon=True))
        threads[-1].start()

    yield start
    for thread in threads:
        thread.join(30)


def _now() -> bool:
    return True


def _polled(pve: Any, times: int) -> Callable[[], bool]:
    """The watch polled the cluster this many times (its first poll comes before the first sweep)."""
    return lambda: sum(1 for _, path, _ in list(pve.requests) if path == "/api2/json/cluster/tasks") >= times


def _memory_at(repo: Path, rev: str) -> Any:
    return yaml.safe_load(git(repo, "show", f"{rev}:clusters/lab/qemu/102.yaml"))["config"]["memory"]


def _commits_of(repo: Path, path: str, since: str) -> list[str]:
    return git(repo, "log", "--format=%H", f"{since}..HEAD", "--", path).split()


def test_watch_commits_a_change_within_the_interval_with_its_author(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any, drive: Any
) -> None:
    start = git(synced, "rev-parse", "HEAD").strip()
    changed_at: list[float] = []

    def change() -> None:
        changed_at.append(time.time())
        api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")

    committed = lambda: bool(_commits_of(synced, "clusters/lab/qemu/102.yaml", start))  # noqa: E731
    drive([(_polled(small_cluster, 2), change), (committed, lambda: None)])
    result = cli("watch", "-C", str(synced), "--interval", "0.3")
    assert result.code == 0, result.err
    (commit,) = _commits_of(synced, "clusters/lab/qemu/102.yaml", start)
    assert _memory_at(synced, commit) == 8192
    message = git(synced, "log", "-1", "--format=%B", commit)
    assert f"Proxstate-Actor: {ALICE} qemu/102 exact cluster-log:" in message
    # Within the interval, plus the read and the commit (commit times have whole seconds).
    assert int(git(synced, "log", "-1", "--format=%ct", commit)) - changed_at[0] < 0.3 + 2
    assert f"changed: qemu/102 ({ALICE}): lab: committed" in result.out
    # The burst read only that guest: every other guest, node and storage kept its document.
    touched = git(synced, "show", "--name-only", "--format=", commit).split()
    assert "clusters/lab/qemu/102.yaml" in touched
    assert all(
        p == "clusters/lab/qemu/102.yaml"
        or p.startswith(("clusters/lab/tasks/", "clusters/lab/cluster-log/"))
        for p in touched
    )
    assert (synced / "clusters/lab/qemu/101.yaml").is_file() and (
        synced / "clusters/lab/lxc/200.yaml"
    ).is_file()
    assert result.out.splitlines()[-1].startswith("stopped after ")


def test_a_change_and_its_revert_are_two_commits(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any, drive: Any
) -> None:
    start = git(synced, "rev-parse", "HEAD").strip()
    path = "/nodes/pve2/qemu/102/config"

    def commits(count: int) -> Callable[[], bool]:
        return lambda: len(_commits_of(synced, "clusters/lab/qemu/102.yaml", start)) >= count

    drive(
        [
            (
                _polled(small_cluster, 2),
                lambda: api_as(small_cluster, fakepve_cafile, ALICE, "PUT", path, memory="8192"),
            ),
            (commits(1), lambda: api_as(small_cluster, fakepve_cafile, ALICE, "PUT", path, memory="4096")),
            (commits(2), lambda: None),
        ]
    )
    assert cli("watch", "-C", str(synced), "--interval", "0.2").code == 0
    commits_made = _commits_of(synced, "clusters/lab/qemu/102.yaml", start)
    assert [_memory_at(synced, c) for c in reversed(commits_made)] == [8192, 4096]


def test_watch_says_once_that_the_server_went_away_and_resumes_with_a_sweep(
    log: ClusterLog, small_cluster: Any, synced: Path, cli: Any, drive: Any
) -> None:
    start = git(synced, "rev-parse", "HEAD").strip()
    down = threading.Event()
    refused: list[str] = []
    original = small_cluster._answer

    async def answer(request: Any, *args: Any) -> Any:
        if down.is_set():  # as a server that is gone: the connection closes unanswered
            refused.append(request.path)
            request.transport.close()
            raise web.HTTPBadGateway()
        return await original(request, *args)

    small_cluster._answer = answer

    def come_back() -> None:
        small_cluster.vm(102).config["memory"] = 6144  # changed meanwhile, on the host
        down.clear()

    drive(
        [
            (_polled(small_cluster, 2), down.set),
            # Two polls went unanswered: each request is tried five times before it fails.
            (lambda: len(refused) >= 30, come_back),
            (lambda: bool(_commits_of(synced, "clusters/lab/qemu/102.yaml", start)), lambda: None),
        ]
    )
    # Ctrl-C (SIGINT) at the end ends it cleanly: exit 0.
    result = cli("watch", "-C", str(synced), "--interval", "0.2")
    assert result.code == 0, result.err
    assert result.err.count("lost contact with the cluster") == 1, result.err
    assert "the cluster answers again" in result.out
    (commit,) = _commits_of(synced, "clusters/lab/qemu/102.yaml", start)
    assert _memory_at(synced, commit) == 6144
    assert result.out.splitlines()[-1].startswith("stopped after ")


def test_a_killed_watch_loses_nothing(
    log: ClusterLog, small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any, pve_env: Any
) -> None:
    process = proxstate_process("watch", "-C", str(synced), "--interval", "0.2", env=pve_env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        wait_for(lambda: any("sweep:" in line for line in lines), timeout=20, what="the first sweep")
        api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
        time.sleep(0.25)  # about when a burst reads or commits
    finally:
        process.kill()
        process.wait(10)
    # Whatever the kill cut short, the next start begins with a sweep that records it.
    result = cli("watch", "-C", str(synced), "--max-polls", "1")
    assert result.code == 0, result.err
    assert _memory_at(synced, "HEAD") == 8192
    assert_consistent(synced)
