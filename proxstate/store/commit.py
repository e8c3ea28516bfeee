"""Building a commit from file changes with git plumbing, away from the work tree and index."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from proxstate.errors import StoreError
from proxstate.store.gitcli import GitRunner

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
    blobs, holder = _write_objects(git, parent=parent, changes=changes)
    parent_tree = (f"{parent}^{{tree}}",) if parent is not None else ()
    tree, *before = git.text("rev-parse", f"{holder}^{{tree}}", *parent_tree).split()
    if before == [tree]:
        return None
    text = message if message.endswith("\n") else message + "\n"
    parents = ("-p", parent) if parent else ()
    sha = git.text("commit-tree", tree, *parents, stdin=text.encode(), env=env)
    return BuiltCommit(sha=sha, blobs=blobs)


def _quoted(path: str) -> bytes:
    """A path as fast-import reads it: C-style quoted (check_path has ruled out LF and NUL)."""
    return b'"' + path.encode().replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def _write_objects(
    git: GitRunner, *, parent: str | None, changes: Mapping[str, bytes | None]
) -> tuple[dict[str, str | None], str]:
    """Store each distinct content as a blob and the new trees with one `git fast-import`.

    Returns path -> blob sha (None: deleted) and a commit that holds the new tree. One process and, for
    many objects, one pack file: `git write-tree` would create a file per tree, which for the
    folders of a first snapshot of thousands of guests costs about a millisecond each. Its input is
    written as it is made (GitRunner.feed): the files are not copied into one stream first.

    fast-import writes trees only as part of a commit, so the trees hang off a commit that no ref
    ever points to (the `reset` drops its branch before fast-import would create it); the real
    commit is made by `git commit-tree`, which keeps git's own handling of identities and dates.
    The unreferenced commit is a few hundred bytes that `git gc` prunes.
    """
    contents = dict.fromkeys(content for content in changes.values() if content is not None)
    mark_of = {content: mark for mark, content in enumerate(contents, 1)}
    tree_mark = len(mark_of) + 1
    out = git.feed("fast-import", "--quiet", chunks=_stream(parent, changes, mark_of, tree_mark))
    shas = out.decode("ascii", "replace").split()
    if len(shas) != tree_mark:
        raise StoreError("git fast-import did not report the objects it wrote")
    sha_of = dict(zip(mark_of, shas[:-1], strict=True))
    blobs = {path: None if content is None else sha_of[content] for path, content in changes.items()}
    return blobs, shas[-1]


def _stream(
    parent: str | None, changes: Mapping[str, bytes | None], mark_of: Mapping[bytes, int], tree_mark: int
) -> Iterator[bytes]:
    """fast-import's input: each blob (its content as it is, not copied), then the commit of the
    tree, then a `get-mark` of each object (the last chunk: fast-import answers those)."""
    for content, mark in mark_of.items():
        yield b"blob\nmark :%d\ndata %d\n" % (mark, len(content))
        yield content
        yield b"\n"
    scratch = f"refs/proxstate-scratch/{os.getpid()}-{secrets.token_hex(4)}".encode()
    head = bytearray(
        b"commit %s\nmark :%d\ncommitter %s <%s> 0 +0000\ndata 0\n"
        % (scratch, tree_mark, DEFAULT_NAME.encode(), DEFAULT_EMAIL.encode())
    )
    if parent is not None:
        head += b"from %s\n" % parent.encode()
    yield bytes(head)
    for path, new in changes.items():
        if new is None:
            yield b"D %s\n" % _quoted(path)
        else:
            yield b"M %s :%d %s\n" % (FILE_MODE.encode(), mark_of[new], _quoted(path))
    yield b"\nreset %s\n\n" % scratch + b"".join(b"get-mark :%d\n" % mark for mark in range(1, tree_mark + 1))
