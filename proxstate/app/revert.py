"""`proxstate revert RESOURCE --to REV` and `proxstate drift --plan`: the calls that would bring
the live cluster back to a recorded state. Read-only: the plan is returned, never sent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from proxstate.app.commit_message import attributed_changes
from proxstate.app.connection import ConnectionOverrides
from proxstate.app.drift import live_against
from proxstate.app.live import Notice, quiet
from proxstate.app.multicluster import ClusterFailure, each_cluster, selected_clusters
from proxstate.app.options import normalize_options, secret_variables
from proxstate.app.plan import Selection
from proxstate.app.revisions import commit_info
from proxstate.config import ClusterConfig, ProxstateConfig
from proxstate.discovery import Progress
from proxstate.errors import RevisionError
from proxstate.export.calls import Call
from proxstate.export.revert import Plan, plan_resource
from proxstate.resources.kinds import CLUSTER_LOG, SNAPSHOT_CONFIG, TASKS
from proxstate.store import StateRepo

# History and what follows a guest's own document: nothing to revert there.
_NOT_PLANNED = (TASKS, CLUSTER_LOG, SNAPSHOT_CONFIG, "content", "node", "cluster")


@dataclass(frozen=True, kw_only=True)
class RevertRequest:
    to: str | None  # the recorded revision (default HEAD)
    pattern: str | None  # the resource id (or glob) to revert; None: everything that drifted
    cluster: str | None
    overrides: ConnectionOverrides


@dataclass(frozen=True)
class RevertPlan:
    revision: str
    calls: tuple[Call, ...]
    not_revertible: tuple[str, ...]
    unreadable: tuple[str, ...] = ()
    failed: tuple[ClusterFailure, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "calls": [call.as_json() for call in self.calls],
            "not_revertible": list(self.not_revertible),
            "unreadable": list(self.unreadable),
        }


def revert_plan(
    root: Path,
    *,
    config: ProxstateConfig,
    request: RevertRequest,
    env: Mapping[str, str],
    progress: Progress = quiet,
    notice: Notice | None = None,
) -> RevertPlan:
    repo = StateRepo.open(root)
    repo.withhold_environment(secret_variables(config))
    rev = repo.resolve(request.to) if request.to else repo.head()
    if rev is None:
        raise RevisionError("the repository has no commits yet: run `proxstate sync` first")
    since = datetime.fromisoformat(commit_info(repo, rev).committed).timestamp()
    options = normalize_options(config, env)
    selection = Selection.of(config)
    plan = Plan()
    unreadable: list[str] = []
    matched: list[str] = []

    def one(entry: ClusterConfig) -> None:
        result = live_against(
            repo,
            rev,
            entry,
            config=config,
            # Tasks and the cluster log too: they say who made each change the plan undoes.
            kinds=frozenset(config.record.kinds),
            overrides=request.overrides,
            env=env,
            options=options,
            selection=selection,
            progress=progress,
            notice=notice,
        )
        reasons: dict[str, list[str]] = {}
        for failure in result.failures:
            if not _concerns(failure.resource_id, request.pattern):
                continue
            reasons.setdefault(failure.reason, []).append(failure.resource_id)
        for reason, rids in reasons.items():
            shown = ", ".join(rids[:3]) + (f" and {len(rids) - 3} others" if len(rids) > 3 else "")
            unreadable.append(f"{reason}: {shown}")
        changes = attributed_changes(result, since=since, label=config.attribution.label)
        actors = {change.resource_id: _actor(change.attribution) for change in changes}
        ids = sorted({c.resource_id for c in result.changes})
        if request.pattern is not None:
            ids = [rid for rid in ids if fnmatchcase(rid, request.pattern)]
            if request.pattern in result.previous or request.pattern in result.current:
                matched.append(request.pattern)

        def node_of(guest: str) -> str | None:
            doc = result.previous.get(guest) or result.current.get(guest)
            node = doc.get("node") if doc else None
            return node if isinstance(node, str) else None

        backups = newest_backups(result.previous)
        for rid in ids:
            if rid.partition("/")[0] in _NOT_PLANNED:
                continue
            plan_resource(
                plan,
                rid,
                result.previous.get(rid),
                result.current.get(rid),
                node_of=node_of,
                actor=actors.get(rid, ""),
                backup=backups.get(rid),
            )

    clusters = selected_clusters(config, name=request.cluster, overrides=request.overrides)
    _, failed = each_cluster(clusters, one, overrides=request.overrides)
    if request.pattern is not None and "*" not in request.pattern and not matched and not failed:
        raise RevisionError(f"{request.pattern} is neither recorded at {request.to or 'HEAD'} nor live")
    return RevertPlan(
        revision=rev[:12],
        calls=tuple(plan.calls()),
        not_revertible=tuple(plan.not_revertible),
        unreadable=tuple(unreadable),
        failed=tuple(failed),
    )


_BACKUP = re.compile(r"vzdump-(qemu|lxc)-(\d+)-")


def newest_backups(documents: Mapping[str, Any]) -> dict[str, str]:
    """The newest recorded backup volume of each guest (vzdump names hold the time, so the greatest
    name is the newest), from the recorded storage content."""
    newest: dict[str, str] = {}
    for rid in documents:
        if not rid.startswith("content/"):
            continue
        volumes = (documents[rid] or {}).get("volumes") or {}
        for volid in volumes if isinstance(volumes, Mapping) else ():
            found = _BACKUP.search(str(volid))
            if found:
                guest = f"{found.group(1)}/{found.group(2)}"
                if str(volid).rsplit("/", 1)[-1] > newest.get(guest, "").rsplit("/", 1)[-1]:
                    newest[guest] = str(volid)
    return newest


def _concerns(resource_id: str, pattern: str | None) -> bool:
    """Whether what could not be read (an id or a glob) is part of what the plan is for."""
    return pattern is None or fnmatchcase(resource_id, pattern) or fnmatchcase(pattern, resource_id)


def _actor(attribution: Any) -> str:
    for item in attribution or ():
        user = getattr(item, "user", "")
        if user:
            return str(user)
    return ""
