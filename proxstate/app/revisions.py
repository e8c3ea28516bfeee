"""The commits a report compares: a revision, a range `A..B`, dates, or the last snapshot.

show-changes, log and drift name the commits they compare the same way (`CommitRef`), and reach
them through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from proxstate.diff import CommitRef
from proxstate.errors import RevisionError, UsageError
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.revisions import DATE_FORMS


def commit_ref(info: CommitInfo) -> CommitRef:
    return CommitRef(sha=info.sha, short=info.short, date=info.committed, subject=info.subject)


def commit_info(repo: StateRepo, sha: str) -> CommitInfo:
    found = repo.commits(rev_range=sha, max_count=1)
    if not found:
        raise RevisionError(f"no commit {sha}")
    return found[0]


@dataclass(frozen=True, kw_only=True)
class Window:
    base: str | None  # None: compare against nothing (everything was added)
    target: str


def window_of(repo: StateRepo, *, revspec: str | None, since: str | None, until: str | None) -> Window:
    """The two commits to compare: `A..B`, `REV` (against its parent), dates, or HEAD and its parent."""
    if revspec and (since or until):
        raise RevisionError("give either a revision range or --since/--until, not both")
    if revspec and ".." in revspec:
        left, right = revspec.split("..", 1)
        return Window(base=repo.resolve(left or "HEAD"), target=repo.resolve(right or "HEAD"))
    for option, value in (("--since", since), ("--until", until)):
        # Checked here: a date git does not know reads as "now" or is dropped, and the report
        # would cover the whole history without a word.
        if value is not None and not repo.names_commit_or_date(value):
            raise UsageError(
                f"{option} {value!r} is neither a date nor a commit; give a date ({DATE_FORMS}) "
                "or a commit, branch or tag"
            )
    if since or until:
        target = repo.resolve(until) if until else head_of(repo)
        try:
            base: str | None = repo.resolve(since) if since else None
        except RevisionError:
            base = None  # nothing was recorded before `since`: everything since is new
        return Window(base=base, target=target)
    target = repo.resolve(revspec) if revspec else head_of(repo)
    parents = commit_info(repo, target).parents
    return Window(base=parents[0] if parents else None, target=target)


def head_of(repo: StateRepo) -> str:
    """HEAD's commit; a report on a repository without one says what to do."""
    head = repo.head()
    if head is None:
        raise RevisionError("the repository has no commits yet: run `proxstate sync` first")
    return head
