"""What the site computed of each snapshot, kept between builds under the git folder.

`<git dir>/proxstate/site-cache/<commit>.json` holds one snapshot's part of the site (site/model.py:
its change report, attributed, as plain text rows). A commit never changes, so a rebuild after one
more snapshot computes one report. The entry also names what it was computed with (proxstate's
version, the record's format, the actor labels of proxstate.yaml, the cluster asked for): with
another, it is computed again.

The cache is an optimisation only: an entry that cannot be read or written is computed again, and a
link where the cache or an entry belongs is never followed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from proxstate.site.model import Change, Row, Snapshot

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class SnapshotCache:
    def __init__(self, common_dir: Path, namespace: str) -> None:
        self.folder = common_dir / "proxstate" / "site-cache"
        self.namespace = namespace
        self.usable = self._prepare()

    def _prepare(self) -> bool:
        try:
            for folder in (self.folder.parent, self.folder):
                if folder.is_symlink():
                    return False
                folder.mkdir(exist_ok=True)
        except OSError:
            return False
        return True

    def _path(self, sha: str) -> Path:
        return self.folder / f"{sha}.json"

    def get(self, sha: str) -> Snapshot | None:
        if not self.usable or not sha.isalnum():
            return None
        try:
            handle = os.open(self._path(sha), _READ)
        except OSError:
            return None
        try:
            with os.fdopen(handle, "rb") as file:
                data = json.loads(file.read())
            if not isinstance(data, dict) or data.get("namespace") != self.namespace:
                return None
            return _snapshot(data["snapshot"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, snapshot: Snapshot) -> None:
        if not self.usable or not snapshot.sha.isalnum():
            return
        text = json.dumps({"namespace": self.namespace, "snapshot": _plain(snapshot)}, ensure_ascii=False)
        temporary = self.folder / f".{snapshot.sha}.{os.getpid()}.tmp"
        try:
            handle = os.open(temporary, _NEW, 0o644)
            try:
                os.write(handle, text.encode("utf-8"))
            finally:
                os.close(handle)
            os.replace(temporary, self._path(snapshot.sha))
        except OSError:
            temporary.unlink(missing_ok=True)


def _plain(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as JSON's values (dataclasses.asdict copies deeply: ten times slower)."""
    return {
        "sha": snapshot.sha,
        "short": snapshot.short,
        "date": snapshot.date,
        "subject": snapshot.subject,
        "author": snapshot.author,
        "classes": dict(snapshot.classes),
        "report": snapshot.report,
        "error": snapshot.error,
        "changes": [
            {
                "cluster": change.cluster,
                "resource_id": change.resource_id,
                "name": change.name,
                "action": change.action,
                "classes": list(change.classes),
                "actor": change.actor,
                "attributions": list(change.attributions),
                "rows": [[row.path, row.old, row.new, row.action, row.change_class] for row in change.rows],
            }
            for change in snapshot.changes
        ],
    }


def _snapshot(data: dict[str, Any]) -> Snapshot:
    changes = tuple(
        Change(
            cluster=change["cluster"],
            resource_id=change["resource_id"],
            name=change["name"],
            action=change["action"],
            classes=tuple(change["classes"]),
            actor=change["actor"],
            attributions=tuple(change["attributions"]),
            rows=tuple(
                Row(path=p, old=o, new=n, action=a, change_class=c) for p, o, n, a, c in change["rows"]
            ),
        )
        for change in data["changes"]
    )
    return Snapshot(
        sha=data["sha"],
        short=data["short"],
        date=data["date"],
        subject=data["subject"],
        author=data["author"],
        classes=dict(data["classes"]),
        changes=changes,
        report=data["report"],
        error=data.get("error", ""),
    )
