"""`proxstate check`: the record at a revision against the policy (the built-in rules and policy.yaml).

Evaluated on the record, never on the live cluster, so any past state can be checked (`--at`).
With `--since REV` each violation says which snapshot after REV introduced it and who probably made
that change; the violations that were already there at REV are not new and do not fail the check.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from proxstate.app import policyhistory
from proxstate.app.revisions import commit_info, commit_ref, head_of
from proxstate.diff import CommitRef
from proxstate.errors import PolicyError, ProxstateError
from proxstate.policy import (
    POLICY_FILE,
    Policy,
    Settings,
    Violation,
    Waiver,
    apply_waivers,
    check_documents,
    expired_waivers,
    parse_policy,
)
from proxstate.store import StateRepo

POLICY_LIMIT = 1024 * 1024  # bytes: a policy.yaml is a few kilobytes


@dataclass(frozen=True, kw_only=True)
class CheckRequest:
    at: str | None = None  # --at: a commit, tag, branch or date (default HEAD)
    since: str | None = None  # --since: the base revision whose violations are not new
    cluster: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    commit: CommitRef
    base: CommitRef | None
    policy: Policy
    violations: list[Violation]
    expired_waivers: list[Waiver]
    documents: int

    @property
    def failing(self) -> list[Violation]:
        return [v for v in self.violations if v.fails]


def load_policy(root: Path) -> Policy:
    """The repository's policy: the built-in rules as its policy.yaml changes them (the file in the
    work tree, which a check at any date applies: today's rules on yesterday's record)."""
    from proxstate.store.safefs import read_file  # the repository is untrusted: no link, no FIFO

    try:
        content = read_file(root, POLICY_FILE, limit=POLICY_LIMIT)
        text = content.decode("utf-8") if content is not None else None
    except ProxstateError as exc:
        raise PolicyError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read {root / POLICY_FILE}: {exc}") from None
    return parse_policy(text, source=str(root / POLICY_FILE))


def epoch_of(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def check(repo: StateRepo, policy: Policy, request: CheckRequest, *, now: float | None = None) -> CheckResult:
    """The violations of `policy` in the record at request.at (HEAD when None)."""
    target = repo.resolve(request.at) if request.at else head_of(repo)
    info = commit_info(repo, target)
    # Ages (snapshots, pending changes) are counted to now for HEAD, and to the snapshot's own
    # time for a past state: `--at 2026-10-01` answers as a check on that day would have.
    moment = now if now is not None else (time.time() if request.at is None else epoch_of(info.committed))
    today = datetime.fromtimestamp(now if now is not None else time.time(), UTC).date()
    clusters = policyhistory.grouped(repo, target, request.cluster)
    settings = Settings(
        now=moment,
        protected_pools=policy.protected_pools,
        pending_since=policyhistory.pending_since(repo, target, clusters),
    )
    violations = check_documents(policy, clusters, settings=settings)
    base: CommitRef | None = None
    if request.since is not None:
        base_sha = repo.resolve(request.since)
        base = commit_ref(commit_info(repo, base_sha))
        violations = policyhistory.introductions(
            repo, policy, violations, base=base_sha, target=target, cluster=request.cluster, now=moment
        )
    return CheckResult(
        commit=commit_ref(info),
        base=base,
        policy=policy,
        violations=apply_waivers(policy, violations, today=today),
        expired_waivers=expired_waivers(policy, today=today),
        documents=sum(len(documents) for documents in clusters.values()),
    )
