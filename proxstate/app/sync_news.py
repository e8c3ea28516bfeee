"""What the notification targets are told of a sync (app/notifications.py): the commits it made,
with the changed resources and the commit's web page, and how each configured cluster fared (read in
full, partly, or not at all), and the push when there was one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from proxstate.app.notifications import CommitNews, Health, RunNews, commit_link
from proxstate.app.revisions import commit_info, commit_ref
from proxstate.diff import ChangeSet
from proxstate.store import StateRepo

if TYPE_CHECKING:  # sync.py imports this module
    from proxstate.app.sync import ClusterSync, SyncResult

_UNREAD_NAMED = 10  # resources named in a failure message; then "and N more"


def sync_news(
    repo: StateRepo, result: SyncResult, *, remote: str, push: bool, env: Mapping[str, str]
) -> RunNews:
    commits = []
    health = []
    for done in result.clusters:
        plan = done.plan
        if done.commit and plan.changes:
            target = commit_ref(commit_info(repo, done.commit))
            url = commit_link(repo, done.commit, remote=remote, env=env)
            changeset = ChangeSet(base=done.base, target=target, resources=tuple(plan.changes))
            commits.append(CommitNews(cluster=plan.cluster, changeset=changeset, url=url))
        health.append(Health(cluster=plan.cluster, label=done.label or plan.cluster, reason=_trouble(done)))
    health += [Health(cluster=f.cluster, label=f.cluster, reason=f.reason) for f in result.failed]
    if push:
        what = f"push to {remote}"
        health.append(Health(cluster=what, label=what, reason=result.push_failure))
    return RunNews(command="sync", commits=tuple(commits), health=tuple(health), repository=str(repo.root))


def _trouble(done: ClusterSync) -> str | None:
    """Why a cluster was read only partly (what kept its last state), or None."""
    plan = done.plan
    notes = [f"node {node} unreachable" for node in plan.unreachable_nodes]
    unread = [f"{f.resource_id} ({f.reason})" for f in plan.failures if not f.node_unreachable]
    if unread:
        more = len(unread) - _UNREAD_NAMED
        notes.append(
            f"not read: {', '.join(unread[:_UNREAD_NAMED])}" + (f" and {more} more" if more > 0 else "")
        )
    return "; ".join(notes) or None
