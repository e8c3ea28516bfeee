"""Building a commit from file changes with git plumbing, away from the work tree and index."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from proxstate.errors import StoreError
from proxstate.store.gitcli import GitRunner

TEMP_PREFIX = "proxstate-tmp-"
FILE_MODE = "100644"
DEFAULT_NAME = "proxstate"
DEFAULT_EMAIL = "proxstate@localhost"


@dataclass(frozen=True)
class Identity:
    """Who a commit is by: author and committer."""

    name: str
    email: str


@dataclass(frozen=True)
class BuiltCommit:
    sha: str
    blobs: dict[str, str | None]  # path -> blob sha written there, None where deleted


def identity_env(git: GitRunner, identity: Identity | None) -> dict[str, str]:
    """Author and committer for git: `identity`, else git's configured user, else proxstate's own."""
    if identity is not None:
        for part in (identity.name, identity.email):
            if not part.strip() or any(char in part for char in "<>\n\0"):
                raise StoreError(f"not a usable commit identity: {identity.name!r} <{identity.email!r}>")
        names = {"NAME": identity.name, "EMAIL": identity.email}
        return {
            f"GIT_{role}_{key}": value for role in ("AUTHOR", "COMMITTER") for key, value in names.items()
        }
    listed = git.run("config", "--get-regexp", r"^user\.(name|email)$", check=False).stdout
    configured = dict(
        line.split(" ", 1) for line in listed.decode("utf-8", "replace").splitlines() if " " in line
    )
    env: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = (
            os.environ.get(f"GIT_{role}_NAME") or configured.get("user.name") or DEFAULT_NAME
        )
        env[f"GIT_{role}_EMAIL"] = (
            os.environ.get(f"GIT_{role}_EMAIL") or configured.get("user.email") or DEFAULT_EMAIL
        )
    return env


def check_path(path: str) -> str:
    """`path` if it is a plain relative path inside the work tree (never into .git); else StoreError."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
        or any(part.lower() == ".git" for part in parts)
        or "\0" in path
        or "\n" in path
        or str(PurePosixPath(path)) != path
    ):
        raise StoreError(f"refusing to write {path!r}: not a relative path inside the repository")
    return path


def build_commit(
    git: GitRunner,
    git_dir: Path,
    *,
    parent: str | None,
    changes: Mapping[str, bytes | None],
    message: str,
    env: Mapping[str, str],
) -> BuiltCommit | None:
    """A new commit: `parent`'s tree with `changes` applied. None when the tree would not change."""
    for path in changes:
        check_path(path)
    if parent is None and all(content is None for content in changes.values()):
        return None  # an empty first commit records nothing
    scratch = git_dir / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    scratch.mkdir()
    try:
        index_env = {"GIT_INDEX_FILE": str(scratch / "index")}
        if parent is not None:
            git.run("read-tree", parent, env=index_env)
        blobs = _write_blobs(git, changes)
        zero = "0" * len(parent or next(sha for sha in blobs.values() if sha))
        entries = "".join(
            f"{FILE_MODE} {sha}\t{path}\0" if sha else f"0 {zero}\t{path}\0" for path, sha in blobs.items()
        )
        git.run("update-index", "-z", "--index-info", stdin=entries.encode(), env=index_env)
        tree = git.text("write-tree", env=index_env)
        if parent is not None and tree == git.text("rev-parse", f"{parent}^{{tree}}"):
            return None
        text = message if message.endswith("\n") else message + "\n"
        parents = ("-p", parent) if parent else ()
        sha = git.text("commit-tree", tree, *parents, stdin=text.encode(), env=env)
        return BuiltCommit(sha=sha, blobs=blobs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_blobs(git: GitRunner, changes: Mapping[str, bytes | None]) -> dict[str, str | None]:
    """Store each distinct content as a blob with one `git fast-import`; path -> sha (None: deleted).

    One process and, for many blobs, one pack file: much cheaper than a file per blob.
    """
    contents = list(dict.fromkeys(content for content in changes.values() if content is not None))
    stream = bytearray()
    for mark, content in enumerate(contents, 1):
        stream += b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(content), content)
    for mark in range(1, len(contents) + 1):
        stream += b"get-mark :%d\n" % mark
    shas = git.text("fast-import", "--quiet", stdin=bytes(stream)).split() if contents else []
    if len(shas) != len(contents):
        raise StoreError("git fast-import did not report the blobs it wrote")
    sha_of = dict(zip(contents, shas, strict=True))
    return {path: None if content is None else sha_of[content] for path, content in changes.items()}


def remove_scratch(git_dir: Path) -> None:
    """Remove what interrupted runs left behind in the git directory."""
    for leftover in git_dir.glob(f"{TEMP_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
