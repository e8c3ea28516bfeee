"""Reading history: changed paths between commits, commit metadata, a file's versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from proxstate.errors import RevisionError, StoreError
from proxstate.store.gitcli import GitRunner
from proxstate.store.revisions import DATE_FORMS, git_date, parse_date

# One field per placeholder, NUL-separated (no commit field can hold a NUL); records end in NUL.
_FIELDS = ("%H", "%h", "%P", "%an", "%ae", "%aI", "%cI", "%(trailers:only,unfold)", "%s", "%b")
LOG_FORMAT = "--format=tformat:" + "%x00".join(_FIELDS)


@dataclass(frozen=True)
class PathChange:
    """One file that differs between two commits, with both versions."""

    path: str
    status: Literal["A", "M", "D"]
    old: bytes | None
    new: bytes | None


@dataclass(frozen=True)
class CommitInfo:
    """What `git log` says about one commit. Dates are ISO 8601 with their UTC offset."""

    sha: str
    short: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored: str
    committed: str
    subject: str
    body: str
    trailers: dict[str, str] = field(hash=False)


def directory_of(prefix: str) -> list[str]:
    """The pathspec that covers a path prefix (`clusters/lab/` -> `clusters/lab`)."""
    folder = prefix.rpartition("/")[0]
    return [folder] if folder else []


BlobChange = tuple[str, Literal["A", "M", "D"], str | None, str | None]  # path, status, old sha, new sha


def blob_changes(
    git: GitRunner, old: str | None, new: str, scope: Sequence[str], *, links: bool = True
) -> list[BlobChange]:
    """Files that differ between two commits under the `scope` folders, by blob sha (without
    symbolic links unless `links`)."""
    if old is None:
        listed = git.list_tree(new, scope).items()
        return [(path, "A", None, sha) for path, (mode, sha) in listed if links or mode != "120000"]
    out = git.run("diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new, "--", *scope).stdout
    records = out.split(b"\0")
    found: list[BlobChange] = []
    for meta, path in zip(records[0::2], records[1::2], strict=False):
        change = _blob_change(meta, path, links=links)
        if change is not None:
            found.append(change)
    return found


def _blob_change(meta: bytes, path: bytes, *, links: bool) -> BlobChange | None:
    """One record of `git diff-tree -r -z` (`:mode mode sha sha status`, then the path); None for
    a submodule, or a link when not `links`."""
    old_mode, new_mode, old_sha, new_sha, status = meta.decode().lstrip(":").split(" ")
    if old_mode.startswith("160") or new_mode.startswith("160"):
        return None  # submodules are not files
    if not links and "120000" in (old_mode, new_mode):
        # A link is not a document: that side of the change counts as absent.
        if old_mode == new_mode or status in "AD":
            return None
        status = "A" if old_mode == "120000" else "D"
    kind: Literal["A", "M", "D"] = "A" if status == "A" else "D" if status == "D" else "M"
    return (
        path.decode("utf-8", "surrogateescape"),
        kind,
        None if kind == "A" else old_sha,
        None if kind == "D" else new_sha,
    )


def blob_changes_of(
    git: GitRunner, commits: Sequence[tuple[str, str]], scope: Sequence[str]
) -> dict[str, list[BlobChange]]:
    """For each (commit, parent): the files under the `scope` folders that differ between them, by
    blob sha, links left out. One `git diff-tree --stdin` for them all: a walk over a long history
    pays one process, not one per commit."""
    if not commits:
        return {}
    stdin = "".join(f"{commit} {parent}\n" for commit, parent in commits).encode()
    out = git.run(
        "diff-tree", "--stdin", "--always", "-r", "-z", "--no-renames", "--", *scope, stdin=stdin
    ).stdout
    found: dict[str, list[BlobChange]] = {commit: [] for commit, _ in commits}
    records = out.split(b"\0")
    current: list[BlobChange] = []
    index = 0
    while index < len(records):
        record = records[index]
        if record.startswith(b":"):  # a change, then its path
            change = _blob_change(record, records[index + 1], links=False)
            if change is not None:
                current.append(change)
            index += 2
            continue
        if record.strip():  # the header of the next commit: its id
            current = found.setdefault(record.strip().decode(), [])
        index += 1
    return found


def changed_paths(
    git: GitRunner, old: str | None, new: str, *, prefix: str | None = None
) -> list[PathChange]:
    """Files under `prefix` that differ from `old` (None: nothing) to `new`, sorted by path."""
    prefix = prefix or ""
    changes = [
        change
        for change in blob_changes(git, old, new, directory_of(prefix), links=False)
        if change[0].startswith(prefix)
    ]
    blobs = git.read_objects(sha for _, _, *shas in changes for sha in shas if sha)
    return sorted(
        (
            PathChange(
                path=path,
                status=status,
                old=blobs[old_sha] if old_sha else None,
                new=blobs[new_sha] if new_sha else None,
            )
            for path, status, old_sha, new_sha in changes
        ),
        key=lambda change: change.path,
    )


def _date_option(name: str, text: str) -> str:
    moment = parse_date(text)
    if moment is None:
        raise RevisionError(f"not a date: {text!r} (give one like {DATE_FORMS})")
    return f"--{name}={git_date(moment)}"


def _trailers(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            key, value = key.strip(), value.strip()
            found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def commits(
    git: GitRunner,
    *,
    rev_range: str | None = None,
    paths: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    max_count: int | None = None,
) -> list[CommitInfo]:
    """Commits of `rev_range` (default HEAD; none on an unborn branch), newest first."""
    if rev_range is None and not git.ok("rev-parse", "--verify", "-q", "HEAD^{commit}"):
        return []
    if rev_range is not None and rev_range.startswith("-"):
        raise RevisionError(f"not a revision: {rev_range!r}")
    options = [LOG_FORMAT, "-z"]
    if max_count is not None:
        options.append(f"--max-count={max_count}")
    if since:
        options.append(_date_option("since", since))
    if until:
        options.append(_date_option("until", until))
    found = git.run("log", *options, rev_range or "HEAD", "--", *paths, check=False)
    if found.returncode != 0:
        raise RevisionError(
            f"unknown revision {rev_range!r}: {found.stderr.decode('utf-8', 'replace').strip()}"
        )
    return parse_log(found.stdout)


def parse_log(out: bytes) -> list[CommitInfo]:
    return [info for info, _ in log_records(out)]


def log_records(out: bytes) -> list[tuple[CommitInfo, dict[str, tuple[str, str, str]]]]:
    """Each commit of `git log -z` output with what `--raw` said after it: path -> (new mode, new
    blob id, status). A raw line (`:100644 100644 <old> <new> M`, then the path) is told from the
    next commit's first field by its colon: a commit id never starts with one."""
    items = out.decode("utf-8", "replace").split("\0")
    width = len(_FIELDS)
    if items and items[-1] == "":
        items.pop()  # the terminator after the last record
    found: list[tuple[CommitInfo, dict[str, tuple[str, str, str]]]] = []
    position = 0
    while position < len(items):
        fields = items[position : position + width]
        if len(fields) < width:
            raise StoreError("git log gave output that proxstate cannot read")
        position += width
        raw: dict[str, tuple[str, str, str]] = {}
        while position + 1 < len(items) and items[position].lstrip("\n").startswith(":"):
            meta = items[position].lstrip("\n")[1:].split(" ")
            if len(meta) == 5:
                raw[items[position + 1]] = (meta[1], meta[3], meta[4])
            position += 2
        found.append((_info(fields), raw))
    return found


def _info(fields: list[str]) -> CommitInfo:
    sha, short, parents, name, email, authored, committed, trailers, subject, body = fields
    return CommitInfo(
        sha=sha.lstrip("\n"),
        short=short,
        parents=tuple(parents.split()),
        author_name=name,
        author_email=email,
        authored=authored,
        committed=committed,
        subject=subject,
        body=body.strip("\n"),
        trailers=_trailers(trailers),
    )
