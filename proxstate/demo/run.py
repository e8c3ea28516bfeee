"""`proxstate demo`: the whole idea in one command, against the built-in demo cluster.

Serve the demo cluster, create a state repository, sync, change the cluster, sync again, and return
the change report of the second snapshot and the drift that one more change causes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxstate import yamlio
from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.app.changes import show_changes
from proxstate.app.drift import DriftRequest, drift
from proxstate.app.init import init_repository
from proxstate.app.sync import SyncRequest, SyncResult, sync
from proxstate.config import parse_config
from proxstate.demo import scenario
from proxstate.demo.cluster import build_demo_cluster
from proxstate.demo.server import DemoServer, require_fakepve, serve
from proxstate.diff import ChangeSet
from proxstate.discovery import run
from proxstate.resources.stateformat import FORMAT_VERSION
from proxstate.store import Identity, StateRepo

DEMO_AUTHOR = Identity(name="proxstate demo", email="demo@proxstate.invalid")
# What the demo's syncs run with; printed by `proxstate demo --serve` for the syncs a user runs.
MASK_KEY = "demo-mask-key"
Step = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class DemoResult:
    root: Path
    first: SyncResult
    second: SyncResult
    changes: ChangeSet
    drift: ChangeSet


def demo_config(server: DemoServer) -> str:
    document = {
        "version": FORMAT_VERSION,
        "clusters": [{"name": "demo", "url": server.url, "tls": {"fingerprint": server.fingerprint}}],
        "record": {"task_days": 30},
        "commit": {"author": {"name": DEMO_AUTHOR.name, "email": DEMO_AUTHOR.email}},
    }
    header = "# proxstate demo: the built-in demo cluster (the token comes from PROXSTATE_TOKEN)\n"
    return header + yamlio.dump(document)


def _api(server: DemoServer, action: Callable[[PveClient], Coroutine[Any, Any, None]]) -> None:
    """Run `action` as the demo's administrator (alice@pve!ci), not as the recording token."""
    token = server.admin_token or server.token
    settings = ConnectionSettings(url=server.url, token=token, fingerprint=server.fingerprint)

    async def go() -> None:
        async with PveClient(settings) as client:
            await action(client)

    run(go)


def run_demo(root: Path, *, step: Step) -> DemoResult:
    """Run the demo into root (a new or empty folder); the demo cluster stops at the end."""
    with demo_session(root, step=step) as (_, result):
        return result


@contextmanager
def demo_session(root: Path, *, step: Step) -> Iterator[tuple[DemoServer, DemoResult]]:
    """Run the demo into root and keep its cluster serving until the block ends."""
    require_fakepve()
    pve = build_demo_cluster()
    with serve(pve) as server:
        env = {"PROXSTATE_TOKEN": server.token, "PROXSTATE_MASK_KEY": MASK_KEY}
        step(
            f"demo cluster serving at {server.url} "
            f"(nodes pve1, pve2, pve3; {len(pve.vms)} VMs, {len(pve.cts)} containers)"
        )
        _api(server, lambda client: scenario.history(client, server))
        # Let a second pass, so that the tasks of this history lie before the first snapshot's
        # commit time (commit times have whole seconds) and are not taken for later changes.
        time.sleep(1.0)
        # `force`: the demo's folder is new or empty, and may lie in a checkout (`make demo`).
        init_repository(root, author=DEMO_AUTHOR, force=True)
        repo = StateRepo.open(root)
        config_text = demo_config(server)
        repo.commit_files(
            {"proxstate.yaml": config_text.encode()},
            message="Point proxstate at the demo cluster\n",
            author=DEMO_AUTHOR,
        )
        config = parse_config(config_text)
        step(f"state repository ready in {root}")
        first = sync(root, config=config, request=SyncRequest(message="first snapshot"), env=env)
        recorded = first.clusters[0].plan
        step(f"first snapshot: {len(recorded.current) + len(recorded.kept)} resources recorded")
        for change in scenario.CHANGES:
            step(f"  change: {change}")
        _api(server, lambda client: scenario.changes(client, server))
        second = sync(root, config=config, request=SyncRequest(), env=env)
        step("second snapshot committed")
        changes = show_changes(repo)
        _api(server, scenario.drift_change)
        step("one more change on the live cluster: web01 (101) tags")
        live = drift(root, config=config, request=DriftRequest(), env=env)
        yield server, DemoResult(root=root, first=first, second=second, changes=changes, drift=live.changeset)
