"""The reader every discovery stage reads through: one per run, it counts progress and collects
what could not be read.

`Reader.attempt` makes one call and returns its answer, or the ReadFailure it became (the resource
keeps its last state; the failure is also collected for the summary). Credentials that stop
working (401) end the whole run instead: nothing more can be read with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from proxstate.api.client import PveClient
from proxstate.discovery.workers import each
from proxstate.errors import (
    ApiError,
    ApiTimeout,
    AuthenticationError,
    ConnectError,
    NodeUnreachable,
)
from proxstate.resources.inventory import ReadFailure

if TYPE_CHECKING:
    from proxstate.discovery.privileges import Permissions

T = TypeVar("T")
Item = TypeVar("Item")

# Errors that say the node as a whole could not be reached, not that one resource failed.
UNREACHABLE = (NodeUnreachable, ApiTimeout, ConnectError)


class Progress(Protocol):
    def __call__(self, *, done: int, total: int, what: str) -> None: ...


def no_progress(*, done: int, total: int, what: str) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class DiscoveryOptions:
    kinds: frozenset[str]
    cluster_name: str | None = None  # from proxstate.yaml; else PVE's own
    task_days: int = 7
    task_logs: bool = False
    nodes: frozenset[str] | None = None  # only these nodes (discover-* --node)
    guest_details: bool = True  # read each guest's config, pending changes and snapshots
    # At most this many tasks per node (discover-tasks --limit); None: every task of the window.
    task_limit: int | None = None
    task_errors: bool = False  # only failed tasks
    task_running: bool = False  # also the tasks running now (discover-tasks; never recorded)
    now: float | None = None
    guests: frozenset[str] | None = None  # only these guests (`qemu/101`); None: every guest


class Reader:
    """One discovery run: the client, the failures collected so far, and the progress count."""

    def __init__(self, client: PveClient, options: DiscoveryOptions, progress: Progress) -> None:
        self.client = client
        self.options = options
        self.progress = progress
        self.done = 0
        self.total = 0  # requests started
        self.queued = 0  # calls waiting for a worker (each makes one request or more)
        self.failures: list[ReadFailure] = []
        self.gone: dict[str, str] = {}  # nodes PVE said were unreachable (595/596) after all
        # Set by proxstate.discovery.privileges.restrict when PVE says what the login holds.
        self.not_permitted: frozenset[str] = frozenset()  # catalog entries the login may not read
        self.permissions: Permissions | None = None  # the login's effective privileges

    async def attempt(
        self, resource_id: str, call: Awaitable[T], what: str, *, node: str | None = None
    ) -> T | ReadFailure:
        """Run one call (for `node`, if it is for one): its answer, or on an API error the failure
        it became, which is also collected.

        A refused login or token ends the whole discovery: nothing more can be read with it.
        """
        self.total += 1
        try:
            return await call
        except AuthenticationError:
            raise
        except ApiError as exc:
            if isinstance(exc, NodeUnreachable) and node is not None:
                self.gone.setdefault(node, exc.message)
            failure = ReadFailure(
                resource_id=resource_id,
                reason=exc.message,
                # Only a read of one node is that node's; a cluster-wide one is named on its own.
                node_unreachable=node is not None and isinstance(exc, UNREACHABLE),
                node=node,
            )
            self.failures.append(failure)
            return failure
        finally:
            self.done += 1
            self.report(what)

    async def get(self, path: str, *, envelope: bool = False) -> Any:
        """GET for the catalog's reads, counted; their errors are the caller's to turn into failures
        (proxstate.discovery.catalog_reads), except that a node answering 595/596 is marked gone."""
        self.total += 1
        try:
            return await (self.client.get_envelope(path) if envelope else self.client.get(path))
        except NodeUnreachable as exc:
            if exc.node is not None:
                self.gone.setdefault(exc.node, exc.message)
            raise
        finally:
            self.done += 1
            self.report(path)

    def report(self, what: str) -> None:
        self.progress(done=self.done, total=self.total + self.queued, what=what)

    def count_queued(self, change: int) -> None:
        self.queued += change

    async def each(
        self,
        items: Sequence[Item],
        call: Callable[[Item], Awaitable[T]],
        *,
        node: Callable[[Item], str | None] | None = None,
    ) -> list[T]:
        """`call(item)` for every item, with as many workers as requests may be in flight: given the
        node that serves each item, as many per node as may be in flight on one node."""
        settings = self.client.settings
        return await each(
            items,
            call,
            workers=settings.concurrency,
            queued=self.count_queued,
            node=node,
            node_workers=settings.node_concurrency,
        )


__all__ = ["UNREACHABLE", "DiscoveryOptions", "Progress", "Reader", "no_progress"]
