"""A file's versions along HEAD: from the index of the history where it vouches for them, else
by walking the history with git."""

from __future__ import annotations

from pathlib import Path

from proxstate.store import pathindex
from proxstate.store.gitcli import GitRunner
from proxstate.store.history import LOG_FORMAT, CommitInfo, log_records, parse_log


def file_history(
    git: GitRunner, path: str, *, max_count: int | None = None, common_dir: Path | None = None
) -> list[tuple[CommitInfo, bytes | None]]:
    """Each commit on HEAD that changed `path`, newest first, with its content there (None: deleted).

    From the index of the history (store/pathindex.py) in `common_dir` when it covers HEAD or an
    ancestor of it, walking only the commits after its tip; else one walk of the history: `--raw`
    names the blob of each version (by an abbreviation git keeps unique, so that `%h` stays short
    too), which `git cat-file` then reads by its id. Naming it `<commit>:<path>` instead makes git
    walk four trees for each version: 0.2 s of a thousand versions at 100,000 commits. A merge,
    which `--raw` says nothing of, is read by that name.
    """
    found = git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    head = found.stdout.decode().strip()
    if found.returncode != 0 or not head:
        return []
    indexed = pathindex.lookup(git, common_dir, head, path) if common_dir is not None else None
    names = _indexed(git, path, head, indexed, max_count) if indexed is not None else None
    if names is None:
        names = _walked(git, path, head, max_count)
    contents = git.read_objects(name for _, name in names if name is not None)
    return [(info, None if name is None else contents[name]) for info, name in names]


def _walked(
    git: GitRunner, path: str, revs: str, max_count: int | None
) -> list[tuple[CommitInfo, str | None]]:
    """The commits of `revs` that changed `path`, newest first, with the object name of its
    content there (None: deleted, or not a file)."""
    options = [LOG_FORMAT, "-z", "--raw", "--no-renames"]
    if max_count is not None:
        options.append(f"--max-count={max_count}")
    out = git.run("log", *options, revs, "--", path).stdout
    names: list[tuple[CommitInfo, str | None]] = []
    for info, raw in log_records(out):
        mode, blob, status = raw.get(path, ("", "", ""))
        if not status:
            names.append((info, f"{info.sha}:{path}"))
        else:
            names.append((info, _content_name(mode, blob, status)))
    return names


def _content_name(mode: str, blob: str, status: str) -> str | None:
    if status == "D" or not mode.startswith(("100", "120")):
        return None  # deleted, or not a file there (a submodule)
    return blob


def _indexed(
    git: GitRunner, path: str, head: str, indexed: tuple[str, list[pathindex.Version]], max_count: int | None
) -> list[tuple[CommitInfo, str | None]] | None:
    """The versions the index names up to its tip, after those of a walk from there to HEAD; None
    when git does not know one of the commits it names (the caller walks the whole history)."""
    tip, versions = indexed
    newer = _walked(git, path, f"{tip}..{head}", max_count) if tip != head else []
    wanted = versions if max_count is None else versions[: max(0, max_count - len(newer))]
    if not wanted:
        return newer
    stdin = "".join(f"{version.commit}\n" for version in wanted).encode()
    out = git.run("log", "--no-walk=unsorted", "--stdin", LOG_FORMAT, "-z", stdin=stdin, check=False)
    infos = parse_log(out.stdout) if out.returncode == 0 else []
    if [info.sha for info in infos] != [version.commit for version in wanted]:
        return None
    older = [
        (info, _content_name(version.mode, version.blob or "", "D" if version.blob is None else "M"))
        for info, version in zip(infos, wanted, strict=True)
    ]
    return newer + older
