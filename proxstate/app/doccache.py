"""The documents of a revision for `check` and `query`, each version of a document decoded once.

A git blob id names its content, so the document read from a blob at a path (decoded, upgraded to
the current state format, located by `resource_of_path`) is the same every time for one version of
proxstate. `<git dir>/proxstate/documents.sqlite` keeps it as JSON under the blob id, the path and
proxstate's version: a check after a sync decodes only the documents the sync changed (YAML
decoding is most of a cold check of a large record, docs/performance.md).

The cache is an optimisation only: a document that JSON would not give back exactly (a NaN, a key
that is not text) is not kept; a cache that cannot be opened or written (a read-only checkout, a
locked file) is left alone and every document is read from git; a damaged one is started again,
and so is one that holds more than MAX_ENTRIES documents.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import Any

from proxstate import __version__
from proxstate.app.record import read_document
from proxstate.resources.stateformat import FORMAT_VERSION
from proxstate.store import StateRepo
from proxstate.store.layout import resource_of_path

Clusters = dict[str, dict[str, dict[str, Any]]]
MAX_ENTRIES = 500_000
_NAMESPACE = f"{__version__}/{FORMAT_VERSION}"


def _connect(repo: StateRepo) -> sqlite3.Connection | None:
    folder = repo.common_dir / "proxstate"
    path = folder / "documents.sqlite"
    for _ in range(2):
        try:
            if folder.is_symlink() or path.is_symlink():
                return None
            folder.mkdir(exist_ok=True)
            connection = sqlite3.connect(path, timeout=5)
        except (OSError, sqlite3.Error):
            return None
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            return connection
        except sqlite3.DatabaseError:  # not a database (damaged): started again
            connection.close()
            path.unlink(missing_ok=True)
        except sqlite3.Error:
            connection.close()
            return None
    return None


def _key(blob: str, path: str) -> str:
    return f"{_NAMESPACE}\0{blob}\0{path}"


def _cached(connection: sqlite3.Connection | None, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if connection is None:
        return found
    try:
        for start in range(0, len(keys), 900):  # SQLite's bound on the parameters of one statement
            chunk = keys[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, value FROM documents WHERE key IN ({marks})"  # noqa: S608 - only "?" are formatted in
            for key, value in connection.execute(query, chunk):
                found[key] = json.loads(value)
    except (sqlite3.Error, ValueError):
        return {}
    return found


def _keep(connection: sqlite3.Connection | None, entries: list[tuple[str, Any]]) -> None:
    if connection is None or not entries:
        return
    rows = []
    for key, value in entries:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if json.loads(text) == value:
            rows.append((key, text))
    try:
        with connection:
            (count,) = connection.execute("SELECT count(*) FROM documents").fetchone()
            if count + len(rows) > MAX_ENTRIES:
                connection.execute("DELETE FROM documents")
            connection.executemany("INSERT OR REPLACE INTO documents (key, value) VALUES (?, ?)", rows)
    except sqlite3.Error:
        return


def documents_by_cluster(repo: StateRepo, commit: str, prefix: str) -> Clusters:
    """cluster -> resource id -> document of every document under `prefix` at `commit`."""
    ids = repo.blob_ids(commit, prefix)
    keys = {path: _key(blob, path) for path, blob in ids.items()}
    connection = _connect(repo)
    with closing(connection) if connection is not None else _nothing():
        cached = _cached(connection, list(keys.values()))
        missing = [path for path in ids if keys[path] not in cached]
        contents = repo.read_blobs(ids[path] for path in missing)
        new: list[tuple[str, Any]] = []
        for path in missing:
            content = contents.get(ids[path]) or b""
            located = resource_of_path(path, content)
            entry = None
            if located is not None:
                document = read_document(content, name=f"{path} at {commit[:12]}", resource_id=located[1])
                entry = [located[0], located[1], document]
            cached[keys[path]] = entry
            new.append((keys[path], entry))
        _keep(connection, new)
    out: Clusters = {}
    for path in sorted(ids):
        entry = cached[keys[path]]
        if entry is not None and entry[2] is not None:
            out.setdefault(entry[0], {})[entry[1]] = entry[2]
    return out


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
