"""Names longer than a file name may be (255 bytes) or a path (4096): filed under a bounded name
with the real one inside the file, and a record that stays readable and consistent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proxstate import yamlio
from proxstate.store import StateRepo
from proxstate.store.checkout import MARKER
from proxstate.store.layout import document_path
from tests.helpers.repo import assert_consistent, committed, git

NODE = "x" * 3000  # sorts after pve1 and pve2: fakepve numbers its nodes in name order
STORAGE = "s" * 3000


def test_names_of_3000_characters_are_recorded(synced: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.nodes[NODE] = {"online": True}
    small_cluster.storages[STORAGE] = {
        "type": "dir", "active": 1, "content": "iso", "files": set(), "path": "/x", "nodes": NODE,
    }  # fmt: skip
    result = cli("sync", "-C", str(synced))
    assert result.code in (0, 3), result.err
    assert "Traceback" not in result.err
    assert_consistent(synced)
    files = committed(synced)
    assert max(len(path.encode()) for path in files) < 400
    node = files[str(document_path("lab", f"node/{NODE}"))]
    assert node.startswith(b"# proxstate-path: clusters/lab/nodes/" + NODE.encode() + b".yaml\n")
    assert yamlio.load(node.decode())["name"] == NODE
    storage = files[str(document_path("lab", f"storage/{STORAGE}"))]
    assert yamlio.load(storage.decode())["storage"] == STORAGE
    again = cli("sync", "-C", str(synced))
    assert again.code == result.code and "no changes" in again.out, again.out + again.err
    shown = cli("show", f"node/{NODE}", "-C", str(synced))
    assert shown.code == 0 and NODE in shown.out
    listed = cli("show-changes", "HEAD~1..HEAD", "-C", str(synced), "--format", "json")
    assert listed.code == 0 and f"node/{NODE}" in listed.out


def test_recovery_of_a_commit_it_cannot_finish_does_not_stop_the_next_run(synced: Path, cli: Any) -> None:
    """A record of an interrupted commit whose files cannot be written (here: a name longer than the
    system allows, as an older version could leave): said once, then out of the way."""
    head = git(synced, "rev-parse", "HEAD").strip()
    impossible = "clusters/lab/nodes/" + "n" * 300 + ".yaml"
    record = {"branch": "main", "old": head, "new": head, "worktree": True, "paths": [impossible]}
    (synced / ".git" / MARKER).write_text(json.dumps(record))
    first = cli("sync", "-C", str(synced))
    assert first.code == 1 and "Traceback" not in first.err
    assert "git checkout" in first.err
    assert not (synced / ".git" / MARKER).exists()
    assert cli("sync", "-C", str(synced)).code == 0
    with StateRepo.open(synced).lock():
        assert StateRepo.open(synced).recover() is None
    assert_consistent(synced)
