"""`proxstate query`: one JMESPath expression over every recorded document, now, at a date, or
over a range of snapshots (the matches at each snapshot where they changed)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from proxstate.app import policyhistory
from proxstate.app.revisions import commit_info, commit_ref, head_of
from proxstate.diff import CommitRef
from proxstate.policy import Match, Policy, Settings, parse_query, run_query
from proxstate.store import StateRepo


@dataclass(frozen=True, kw_only=True)
class QueryRequest:
    expression: str
    at: str | None = None
    cluster: str | None = None
    over: str | None = None  # `A..B`: the snapshots after A up to B


@dataclass(frozen=True, kw_only=True)
class Step:
    """How the matches changed in one snapshot of --over."""

    commit: CommitRef
    change: str  # "matches" (new match), "changed" (another value), "gone" (no longer matches)
    match: Match


@dataclass(frozen=True, kw_only=True)
class QueryResult:
    commit: CommitRef | None  # the snapshot queried (None with --over)
    matches: list[Match]
    steps: list[Step]


def query(repo: StateRepo, policy: Policy, request: QueryRequest, *, now: float | None = None) -> QueryResult:
    expression = parse_query(request.expression)
    if request.over is None:
        target = repo.resolve(request.at) if request.at else head_of(repo)
        info = commit_info(repo, target)
        clusters = policyhistory.grouped(repo, target, request.cluster)
        moment = now if now is not None else (time.time() if request.at is None else _epoch(info.committed))
        settings = Settings(
            now=moment,
            protected_pools=policy.protected_pools,
            pending_since=policyhistory.pending_since(repo, target, clusters),
        )
        return QueryResult(
            commit=commit_ref(info), matches=run_query(expression, clusters, settings=settings), steps=[]
        )
    left, _, right = request.over.partition("..")
    base = repo.resolve(left or "HEAD")
    target = repo.resolve(right or "HEAD")
    state = policyhistory.grouped(repo, base, request.cluster)
    base_info = commit_info(repo, base)
    since = policyhistory.pending_since(repo, base, state)

    def matches(info: Any) -> dict[tuple[str, str], Match]:
        settings = Settings(
            now=_epoch(info.committed), protected_pools=policy.protected_pools, pending_since=since
        )
        return {(m.cluster, m.resource_id): m for m in run_query(expression, state, settings=settings)}

    previous = matches(base_info)
    steps = [Step(commit=commit_ref(base_info), change="matches", match=m) for m in previous.values()]
    for info in policyhistory.replay(repo, state, since, base=base, target=target, cluster=request.cluster):
        current = matches(info)
        ref = commit_ref(info)
        for key, match in current.items():
            if key not in previous:
                steps.append(Step(commit=ref, change="matches", match=match))
            elif previous[key].value != match.value:
                steps.append(Step(commit=ref, change="changed", match=match))
        for key, match in previous.items():
            if key not in current:
                steps.append(Step(commit=ref, change="gone", match=match))
        previous = current
    return QueryResult(commit=None, matches=list(previous.values()), steps=steps)


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
