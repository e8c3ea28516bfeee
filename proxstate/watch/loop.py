"""The watch loop: a sweep (a full sync), then each interval a poll of the cheap endpoints and a
sync of only the guests that may have changed (a burst), one commit per burst; a sweep again every
`sweep` seconds, and after the API or the network came back.

Every commit is made by `proxstate.app.sync`, under the repository lock it takes and releases per
commit (a `proxstate sync` run by hand waits for the burst in progress, never longer), so a commit
is as safe as a sync's: a watch killed at any moment leaves the last commit and the work tree as
they were, and the next start begins with a sweep, which records whatever it missed.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from proxstate.api.client import PveClient
from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.multicluster import selected_clusters
from proxstate.app.sync import SyncRequest, SyncResult, sync
from proxstate.config import ClusterConfig, ProxstateConfig
from proxstate.discovery import run
from proxstate.errors import ApiError, ClustersFailed, LockBusy
from proxstate.memory import give_back
from proxstate.resources.kinds import CLUSTER_LOG, LXC, QEMU, SNAPSHOT_CONFIG, TASKS
from proxstate.watch.poll import Poll, changed_guests, poll

# What a burst reads for the guests that may have changed; the rest waits for the sweep.
BURST_KINDS = frozenset({QEMU, LXC, SNAPSHOT_CONFIG, TASKS, CLUSTER_LOG})
MAX_BACKOFF = 300.0  # seconds between tries while the cluster does not answer


@dataclass(frozen=True, kw_only=True)
class WatchRequest:
    interval: float = 30.0  # seconds between polls
    sweep: float = 3600.0  # seconds between full syncs
    push: bool = False
    remote: str = "origin"
    cluster: str | None = None
    max_polls: int | None = None  # stop after this many polls (None: until stopped)
    notify: bool = True  # --no-notify: each commit and failure tells no target of `notify:`
    overrides: ConnectionOverrides = field(default_factory=ConnectionOverrides)


@dataclass(frozen=True, kw_only=True)
class WatchEvent:
    what: Literal["sweep", "burst", "lost", "back", "busy"]
    result: SyncResult | None = None
    guests: Mapping[str, set[str]] = field(default_factory=dict)  # a burst: guest -> logins named
    reason: str = ""


def watch(
    root: Path,
    *,
    config: ProxstateConfig,
    request: WatchRequest,
    env: Mapping[str, str],
    stop: threading.Event,
    report: Callable[[WatchEvent], None],
) -> int:
    """Watch until `stop` is set (or max_polls polls); returns the number of polls."""
    clusters = selected_clusters(config, name=request.cluster, overrides=request.overrides)
    last: dict[int, Poll] = {}
    polls = 0
    next_sweep = 0.0  # a sweep first: whatever happened while nobody watched is recorded
    lost = False
    wait = request.interval

    def record(only: frozenset[str] | None = None, guests: frozenset[str] | None = None) -> SyncResult:
        what = SyncRequest(
            cluster=request.cluster,
            only=only,
            guests=guests,
            push=request.push,
            remote=request.remote,
            notify=request.notify,
            overrides=request.overrides,
        )
        try:
            return sync(root, config=config, request=what, env=env)
        finally:
            _give_back_memory()

    while not stop.is_set():
        try:
            if time.monotonic() >= next_sweep:
                # Polled before the sweep reads: what changes while it reads is seen by the next poll.
                last = {n: _poll(c, request, env) for n, c in enumerate(clusters)}
                report(WatchEvent(what="sweep", result=record()))
                next_sweep = time.monotonic() + request.sweep
            else:
                for index, cluster in enumerate(clusters):
                    now = _poll(cluster, request, env)
                    changed = changed_guests(last[index], now)
                    last[index] = now
                    if changed:
                        result = record(
                            only=BURST_KINDS & set(config.record.kinds), guests=frozenset(changed)
                        )
                        report(WatchEvent(what="burst", result=result, guests=changed))
            if lost:
                lost = False
                report(WatchEvent(what="back"))
            wait = request.interval
        except (ApiError, ClustersFailed) as error:
            if not lost:  # said once; the next line is when it answers again
                report(WatchEvent(what="lost", reason=error.message))
            lost = True
            next_sweep = 0.0  # what changed meanwhile is read in full
            wait = min(max(wait * 2, request.interval), MAX_BACKOFF)
        except LockBusy as error:
            report(WatchEvent(what="busy", reason=error.message))
        polls += 1
        if request.max_polls is not None and polls >= request.max_polls:
            break
        stop.wait(wait)
    return polls


def _give_back_memory() -> None:
    """Return what a sweep or burst freed to the system. A sync's process gives its memory back
    when it exits; a watch lives on, and glibc's allocator keeps freed arenas for the next
    allocation, so without this the watch would sit above one sync's peak for good."""
    gc.collect()
    give_back()


def _poll(cluster: ClusterConfig, request: WatchRequest, env: Mapping[str, str]) -> Poll:
    settings = resolve_connection(cluster, overrides=request.overrides, env=env)

    async def once() -> Poll:
        async with PveClient(settings) as client:
            return await poll(client)

    return run(once)


__all__ = ["BURST_KINDS", "WatchEvent", "WatchRequest", "watch"]
