"""Following a running task: its log as it grows, until the task ends (`discover-tasks --follow`).

PVE has no push for task logs; its web interface polls the log with `start` and the task's status,
and so does this. The status is read before the log, so the log read after a `stopped` status holds
every line the task wrote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from proxstate.api.client import PveClient
from proxstate.errors import ProtocolError, UsageError
from proxstate.models import TaskLogLine, decode_upid

PAGE = 500  # lines asked for at once: a long log is read in a few requests, not one huge answer
FIRST_WAIT = 0.2  # seconds between polls while lines keep coming ...
LONGEST_WAIT = 2.0  # ... growing to this while the task is quiet
# PVE::Tools::dump_logfile answers an empty log with this one line (for ExtJS), numbered 1.
PLACEHOLDER = "no content"


@dataclass(frozen=True)
class TaskOutcome:
    exitstatus: str  # `OK`, `WARNINGS: n`, or the error

    @property
    def ok(self) -> bool:
        """OK, or finished with warnings (PVE counts those as done, not failed)."""
        return self.exitstatus == "OK" or self.exitstatus.startswith("WARNINGS:")


def node_of(upid: str) -> str:
    """The node a task runs on, from its UPID; a usage error when it is not a UPID."""
    try:
        return decode_upid(upid.strip()).node
    except ProtocolError:
        raise UsageError(
            f"not a task id (UPID): {upid[:120]!r}; `proxstate discover-tasks --running` lists them"
        ) from None


async def follow_task(
    client: PveClient,
    upid: str,
    *,
    on_lines: Callable[[list[str]], None],
    first_wait: float = FIRST_WAIT,
    longest_wait: float = LONGEST_WAIT,
) -> TaskOutcome:
    """Hand each new log line of the task to `on_lines` until it ends; its outcome."""
    upid = upid.strip()
    node = node_of(upid)
    seen = 0  # the number of the last line handed on
    wait = first_wait
    while True:
        status = await client.task_status(node, upid)
        stopped = status.status == "stopped"
        new = await _lines_after(client, node, upid, seen, stopped=stopped)
        if new:
            seen = new[-1].n
            on_lines([line.t for line in new])
        if stopped:
            return TaskOutcome(exitstatus=status.exitstatus or "unexpected status")
        wait = first_wait if new else min(wait * 2, longest_wait)
        await asyncio.sleep(wait)


async def _lines_after(
    client: PveClient, node: str, upid: str, seen: int, *, stopped: bool
) -> list[TaskLogLine]:
    lines: list[TaskLogLine] = []
    while True:
        page = await client.task_log_page(node, upid, start=seen + len(lines), limit=PAGE)
        page = [line for line in page if line.n > seen + len(lines)]  # a server that ignores `start`
        if seen == 0 and not lines and not stopped and [(x.n, x.t) for x in page] == [(1, PLACEHOLDER)]:
            return []  # nothing written yet; the real first line comes as line 1 later
        lines.extend(page)
        if len(page) < PAGE:
            return lines
