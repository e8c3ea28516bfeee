"""Which commits changed each file: an index of the history that `log` and `blame` read instead of
walking it.

`git log -- PATH` over a year of hourly syncs opens every commit whose changed-path Bloom filter
says the file may have changed and diffs the `qemu/` folder (1,000 entries) of it and of its parent
through their delta chains: 0.5 s of a guest's 1,000 versions at 100,000 commits. Each commit's
changes are known when it is made, so proxstate's maintenance after a sync (and `compact`) writes
them into `<git dir>/proxstate/history.sqlite`: the sequence of commits of the branch, and for each
path the commits that changed it with the mode and blob id it got. A file's history is then one
query, and the commits' metadata one `git log --no-walk`.

What the index may be trusted with, and how it is checked (docs/performance.md, "A year of
history"):

- it covers one line of history up to its tip: a reader uses it only when that tip is HEAD or an
  ancestor of it (`merge-base --is-ancestor`) with no merge between them, and walks the commits
  after the tip with git as before; when the history was rewritten (the tip is not an ancestor),
  maintenance builds it again;
- a history with a merge is not indexed (git's simplification of merges is not a per-commit
  diff): the index then says so, and readers walk;
- each commit it names must be a commit git knows, or the walk is used; a file that was ever a
  folder (changes recorded below `PATH/`) is walked too;
- the folder and the file are never followed through a symbolic link, and an index that cannot
  be opened, read or written is left alone (readers walk; maintenance starts it again when it is
  damaged). It is written by proxstate only, in the repository's own git directory, which holds
  what git itself trusts (hooks, config): it is no less trusted than the commits it describes.
"""

from __future__ import annotations

import sqlite3
import struct
import time
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from proxstate.errors import StoreError
from proxstate.store.gitcli import GitRunner

FORMAT = "1"
FILE = "history.sqlite"
# Commits read from git per `git log --raw` when the index is built, and batches whose versions are
# held before they are written: bound the memory of a build (75 MB at 100,000 commits).
BATCH = 2000
FLUSH = 5
# Seconds each git command of a build may take: a build is read a batch at a time, so one command
# that takes longer is a git that hangs.
GIT_TIMEOUT = 120.0
# Each path's versions are one packed value (sequence number, mode, blob id per version, oldest
# first): 25 bytes a version, 26 MB for 1,000 guests changing 1% an hour over 100,000 commits,
# where a row a version took 70.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS commits (seq INTEGER PRIMARY KEY, sha BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS versions (path TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID",
)
_HEAD = struct.Struct(">IB")  # sequence number, mode (below); then the blob id's bytes
_MODES = {0: "", 1: "100644", 2: "100755", 3: "120000", 4: "160000"}  # 0: deleted
_CODES = {mode: code for code, mode in _MODES.items()}


@dataclass(frozen=True)
class Version:
    """One commit that changed a file: the mode and blob it got there (blob None: deleted)."""

    commit: str
    mode: str
    blob: str | None


def _location(common_dir: Path) -> Path | None:
    folder = common_dir / "proxstate"
    path = folder / FILE
    if folder.is_symlink() or path.is_symlink() or (path.exists() and not path.is_file()):
        return None
    return path


def _meta(connection: sqlite3.Connection) -> dict[str, str]:
    return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def lookup(git: GitRunner, common_dir: Path, head: str, path: str) -> tuple[str, list[Version]] | None:
    """(tip, the versions of `path` up to tip, newest first), tip being HEAD or an ancestor of it;
    None when the index cannot answer (absent, damaged, of a merge, of another line of history)."""
    location = _location(common_dir)
    if location is None or not location.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{location.as_uri()}?mode=ro", uri=True, timeout=2)) as db:
            meta = _meta(db)
            tip, size = meta.get("tip", ""), int(meta.get("idsize", "0"))
            if meta.get("format") != FORMAT or meta.get("linear") != "1" or not tip or not size:
                return None
            below = db.execute(
                "SELECT 1 FROM versions WHERE path > ? AND path < ? LIMIT 1", (f"{path}/", f"{path}0")
            ).fetchone()
            if below is not None:
                return None  # the name was a folder at some point: git's pathspec would match inside
            row = db.execute("SELECT data FROM versions WHERE path = ?", (path,)).fetchone()
            packed = _unpacked(bytes(row[0]) if row else b"", size)
            shas = dict(
                db.execute(
                    "SELECT seq, sha FROM commits WHERE seq IN (SELECT value FROM json_each(?))",
                    ("[" + ",".join(str(seq) for seq, _, _ in packed) + "]",),
                ).fetchall()
            )
            versions = [Version(bytes(shas[seq]).hex(), mode, blob) for seq, mode, blob in reversed(packed)]
    except (sqlite3.Error, OSError, ValueError, TypeError, KeyError, struct.error):
        return None
    if tip != head and not _linear_since(git, tip, head):
        return None
    return tip, versions


def _linear_since(git: GitRunner, tip: str, head: str) -> bool:
    """Whether `head` descends from `tip` without a merge: a merge since would make git's log of a
    file follow the side it took the file from, not the index's line."""
    if not git.ok("merge-base", "--is-ancestor", tip, head):
        return False
    merges = git.run("rev-list", "--merges", "--max-count=1", f"{tip}..{head}", check=False)
    return merges.returncode == 0 and not merges.stdout.strip()


def _unpacked(data: bytes, size: int) -> list[tuple[int, str, str | None]]:
    step = _HEAD.size + size
    if len(data) % step:
        raise ValueError("a damaged entry")
    found: list[tuple[int, str, str | None]] = []
    for start in range(0, len(data), step):
        seq, code = _HEAD.unpack_from(data, start)
        blob = data[start + _HEAD.size : start + step].hex()
        if found and seq <= found[-1][0]:
            raise ValueError("a damaged entry")
        found.append((seq, _MODES[code], blob if code else None))
    return found


def _packed(seq: int, mode: str, blob: str | None, size: int) -> bytes:
    code = 0 if blob is None else _CODES.get(mode, 4)
    return _HEAD.pack(seq, code) + (bytes(size) if blob is None else bytes.fromhex(blob))


def update(git: GitRunner, common_dir: Path, *, seconds: float | None = None) -> None:
    """Bring the index up to HEAD: the commits since its tip, or all of them when it has none,
    when the history was rewritten or when it is damaged. StoreError when git fails; an index
    that cannot be written is left alone.

    With `seconds`, a build stops at the first batch written after that time: its tip is then the
    last commit written, readers walk the commits after it, and the next update goes on from it.
    So a sync's maintenance never spends more than about that long on a long history it meets
    for the first time."""
    head = git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).stdout.decode().strip()
    location = _location(common_dir)
    if not head or location is None:
        return
    for _ in range(2):
        try:
            location.parent.mkdir(exist_ok=True)
            with closing(sqlite3.connect(location, timeout=5)) as db:
                _update(git, db, head, ends=None if seconds is None else time.monotonic() + seconds)
            return
        except (sqlite3.DatabaseError, ValueError, struct.error):  # damaged: started again
            with suppress(OSError):
                location.unlink()
        except (sqlite3.Error, OSError):
            return


def _update(git: GitRunner, db: sqlite3.Connection, head: str, *, ends: float | None) -> None:
    for statement in _SCHEMA:
        db.execute(statement)
    meta = _meta(db)
    tip = meta.get("tip", "")
    if tip == head and meta.get("format") == FORMAT:
        return
    fresh = meta.get("format") != FORMAT or not tip or not git.ok("merge-base", "--is-ancestor", tip, head)
    if not fresh and meta.get("linear") != "1":
        db.execute("INSERT OR REPLACE INTO meta VALUES ('tip', ?)", (head,))
        db.commit()
        return
    lines = git.text("rev-list", "--reverse", "--parents", head if fresh else f"{tip}..{head}").splitlines()
    chain = [line.split(" ", 1)[0] for line in lines]
    # Each commit has one parent (the first of a new index none): a merge is not indexed.
    linear = all(len(line.split(" ")) == (1 if fresh and not i else 2) for i, line in enumerate(lines))
    with db:
        if fresh:
            for table in ("meta", "commits", "versions"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - a fixed table name
            db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            db.execute("INSERT INTO meta VALUES ('idsize', ?)", (str(len(head) // 2),))
        if not linear:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('linear', '0')")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('tip', ?)", (head,))
            return
        last = db.execute("SELECT coalesce(max(seq), 0) FROM commits").fetchone()[0]
        size = int(_meta(db)["idsize"])
        added: dict[str, bytearray] = {}
        for start in range(0, len(chain), BATCH):
            batch = chain[start : start + BATCH]
            since = chain[start - 1] if start else (None if fresh else tip)
            read = list(_changes(git, since, batch[-1]))
            if [sha for sha, _ in read] != batch:
                raise StoreError("git log listed the history in another order than rev-list")
            for offset, (sha, changes) in enumerate(read):
                seq = last + start + offset + 1
                db.execute("INSERT INTO commits VALUES (?, ?)", (seq, bytes.fromhex(sha)))
                for name, mode, blob in changes:
                    added.setdefault(name, bytearray()).extend(_packed(seq, mode, blob, size))
            late = ends is not None and time.monotonic() >= ends
            if late or (start // BATCH + 1) % FLUSH == 0 or start + BATCH >= len(chain):
                # Written with the commit it reaches as the tip: a build cut short here is whole
                # up to that commit, and the next update goes on from it.
                _flush(db, added)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('linear', '1')")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('tip', ?)", (batch[-1],))
                db.commit()
            if late:
                return


def _flush(db: sqlite3.Connection, added: dict[str, bytearray]) -> None:
    """Append the versions read so far to each path's value (in the transaction of the update)."""
    for name, data in added.items():
        row = db.execute("SELECT data FROM versions WHERE path = ?", (name,)).fetchone()
        value = bytes(row[0]) + data if row else bytes(data)
        db.execute("INSERT OR REPLACE INTO versions VALUES (?, ?)", (name, value))
    added.clear()


def _changes(
    git: GitRunner, since: str | None, until: str
) -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """Each commit of `since..until`, oldest first, with the files it changed against its parent:
    (path, new mode, new blob id; None when deleted)."""
    span = f"{since}..{until}" if since else until
    out = git.run(
        "log", "--raw", "-r", "-z", "--root", "--no-renames", "--no-abbrev", "--reverse",
        "--format=%H", span, "--", timeout=GIT_TIMEOUT,
    ).stdout  # fmt: skip
    items = out.split(b"\0")
    position = 0
    while position < len(items):
        sha = items[position].strip().decode()
        position += 1
        if not sha:
            continue
        changes: list[tuple[str, str, str | None]] = []
        while position + 1 < len(items) and items[position].lstrip(b"\n").startswith(b":"):
            meta = items[position].lstrip(b"\n")[1:].decode().split(" ")
            # A name that is not UTF-8 is never asked for (documents' names are); the replacement
            # keeps what matters of it, the folders it is in.
            name = items[position + 1].decode("utf-8", "replace")
            position += 2
            deleted = meta[4] == "D"
            changes.append((name, meta[1], None if deleted else meta[3]))
        yield sha, changes


__all__ = ["Version", "lookup", "update"]
