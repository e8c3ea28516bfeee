"""Revisions and dates as users type them: a sha, a branch, `HEAD~2`, `2026-11-01`, `yesterday`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from proxstate.errors import RevisionError
from proxstate.store.gitcli import GitRunner

_AGO = re.compile(r"(\d+)\s*(second|minute|hour|day|week)s?\s+ago")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
DATE_FORMS = "2026-11-01, '2026-11-01 12:00', 2026-11-01T12:00:00+01:00, today, yesterday, '3 days ago'"


def parse_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """The moment `text` names (time-zone aware; local time unless it says otherwise), or None.

    A date without a time is the start of that day; `today` and `yesterday` likewise.
    """
    now = (now or datetime.now()).astimezone()
    spoken = " ".join(text.strip().lower().split())
    # Midnight in local time, with the offset of that moment (it differs across a DST change).
    midnight = now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    if spoken == "now":
        return now
    if spoken == "today":
        return midnight.astimezone()
    if spoken == "yesterday":
        return (midnight - timedelta(days=1)).astimezone()
    ago = _AGO.fullmatch(spoken)
    if ago:
        return now - timedelta(seconds=int(ago.group(1)) * _UNIT_SECONDS[ago.group(2)])
    if spoken.startswith("@") and spoken[1:].isdigit():
        return datetime.fromtimestamp(int(spoken[1:])).astimezone()
    if not re.match(r"\d{4}-\d{2}-\d{2}", spoken):
        return None  # fromisoformat also reads forms like 20261101 that look like a sha
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.astimezone() if moment.tzinfo is None else moment


def git_date(moment: datetime) -> str:
    """A date git reads exactly, whatever its approximate-date parser thinks of other forms."""
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def names_commit_or_date(git: GitRunner, text: str) -> bool:
    """Whether `text` is a date of DATE_FORMS or names a commit; checked before git sees a date,
    since its approximate-date parser takes nearly anything (`garbage` reads as now)."""
    if parse_date(text) is not None:
        return True
    text = text.strip()
    return (
        bool(text)
        and not text.startswith("-")
        and git.ok("rev-parse", "--verify", "-q", "--end-of-options", f"{text}^{{commit}}")
    )


def resolve(git: GitRunner, rev: str) -> str:
    """The commit sha that `rev` names: a revision first, else the last commit on HEAD at or before a date."""
    rev = rev.strip()
    if not rev:
        raise RevisionError("an empty revision names no commit")
    if not rev.startswith("-"):
        found = git.run("rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}", check=False)
        if found.returncode == 0:
            return found.stdout.decode().strip()
    moment = parse_date(rev)
    if moment is None and not git.ok("rev-parse", "--verify", "-q", "HEAD^{commit}"):
        raise RevisionError(f"{rev!r} names no commit: the repository has no commits yet")
    if moment is None:
        raise RevisionError(
            f"unknown revision or date: {rev!r} (give a commit, branch, tag, HEAD~N, or a date: {DATE_FORMS})"
        )
    if not git.ok("rev-parse", "--verify", "-q", "HEAD^{commit}"):
        raise RevisionError("the repository has no commits yet")
    sha = git.text("rev-list", "-1", f"--before={git_date(moment)}", "HEAD")
    if not sha:
        first = git.text("log", "--reverse", "--format=%cI", "HEAD").split("\n", 1)[0]
        raise RevisionError(
            f"no commit at or before {moment.isoformat(sep=' ', timespec='minutes')} on HEAD "
            f"(the first one is from {first})"
        )
    return sha
