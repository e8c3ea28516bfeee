"""The live read: what sync, drift and the `discover-*` views know of a cluster comes from here.

One function opens the API client and runs discovery under the sync's deadline (when there is one),
reporting progress as it goes. What could not be read travels in the Inventory's failures (a node
unreachable, a 403, a lock timeout); the plan turns them into kept state and into the notes on what
the login may not read, so every command sees a failure the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from proxstate.api.client import PveClient
from proxstate.config import ClusterConfig, ProxstateConfig
from proxstate.deadline import Deadline
from proxstate.discovery import DiscoveryOptions, Progress, discover, run
from proxstate.resources.inventory import Inventory

if TYPE_CHECKING:
    from proxstate.api.settings import ConnectionSettings
    from proxstate.discovery import TaskOutcome


# A line saying what a command waits for (a retry, the repository lock), for the user to see now.
Notice = Callable[[str], None]


def quiet(*, done: int, total: int, what: str) -> None:
    """The progress of a read nobody watches (a library call, the demo, a terminal-less run)."""
    return None


def read_live(
    settings: ConnectionSettings,
    *,
    options: DiscoveryOptions,
    progress: Progress = quiet,
    deadline: Deadline | None = None,
    notice: Notice | None = None,
) -> Inventory:
    """Read the cluster at `settings`; its reads end at the deadline's reading end, if any.
    `notice` hears each wait for a retry, as a line to show (`connecting to pve1:8006, attempt 2
    of 5 ...`)."""
    reads_end = deadline.reading_ends if deadline is not None else None

    async def go() -> Inventory:
        async with PveClient(settings, deadline=reads_end, on_retry=notice) as client:
            return await discover(client, options=options, progress=progress)

    return run(go)


def record_reads(
    cluster: ClusterConfig,
    *,
    config: ProxstateConfig,
    kinds: frozenset[str],
    task_logs: bool,
    guests: frozenset[str] | None = None,
) -> DiscoveryOptions:
    """What a sync or a drift reads: the recorded kinds, with proxstate.yaml's window of tasks;
    `guests`: only these guests (the others keep their last state)."""
    return DiscoveryOptions(
        kinds=kinds,
        cluster_name=cluster.name,
        task_days=config.record.task_days,
        task_logs=task_logs,
        guests=guests,
    )


def view_reads(
    cluster: ClusterConfig,
    *,
    kinds: frozenset[str],
    nodes: frozenset[str] | None,
    details: bool,
    task_limit: int,
    task_errors: bool,
    task_running: bool,
) -> DiscoveryOptions:
    """What a `discover-*` view reads: a guest's details only when asked for, a bounded task list."""
    return DiscoveryOptions(
        kinds=kinds,
        cluster_name=cluster.name,
        nodes=nodes,
        guest_details=details,
        task_limit=task_limit,
        task_errors=task_errors,
        task_running=task_running,
    )


def follow_live_task(
    settings: ConnectionSettings, upid: str, *, on_lines: Callable[[list[str]], None]
) -> TaskOutcome:
    """Follow one running task's log until the task ends (`discover-tasks --follow`)."""
    from proxstate.discovery import follow_task

    async def go() -> TaskOutcome:
        async with PveClient(settings) as client:
            return await follow_task(client, upid, on_lines=on_lines)

    return run(go)
