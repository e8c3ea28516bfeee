"""`proxstate drift`: exit codes 0, 2, 3 and 1, and the report formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.repo import commit_count


def test_no_drift_exits_0(synced: Path, cli: Any) -> None:
    result = cli("drift", "-C", str(synced))
    assert result.code == 0, result.out + result.err
    assert "No changes" in result.out or "no drift" in result.out.lower()


def test_drift_exits_2_and_writes_nothing(synced: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.vm(101).config["memory"] = "3072"
    before = commit_count(synced)
    result = cli("drift", "-C", str(synced), "--format", "json")
    assert result.code == 2
    data = json.loads(result.out)
    assert data["target"] is None
    assert [r["resource_id"] for r in data["resources"]] == ["qemu/101"]
    assert commit_count(synced) == before
    md = cli("drift", "-C", str(synced), "--format", "markdown", "-o", str(synced.parent / "drift.md"))
    assert md.code == 2
    assert "qemu/101" in (synced.parent / "drift.md").read_text()


def test_unreadable_resource_exits_3(synced: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.fail(
        "GET", "/nodes/pve1/lxc/200/pending", 403, "Permission check failed (/vms/200, VM.Audit)"
    )
    result = cli("drift", "-C", str(synced))
    assert result.code == 3
    assert "lxc/200" in result.out


def test_error_exits_1(synced: Path, cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PROXSTATE_URL", "https://127.0.0.1:9")
    monkeypatch.setenv("PROXSTATE_TIMEOUT", "1")
    result = cli("drift", "-C", str(synced))
    assert result.code == 1
    assert "Traceback" not in result.err


def test_drift_against_an_older_revision(synced: Path, cli: Any) -> None:
    result = cli("drift", "-C", str(synced), "--against", "HEAD~1", "--format", "json")
    assert result.code == 2  # HEAD~1 is the empty template: every resource is drift
    assert json.loads(result.out)["summary"]["added"] > 5


def test_drift_full_shows_each_added_resource_as_the_record_of_it_does(synced: Path, cli: Any) -> None:
    # The live plan holds an added resource's document encoded (app/plan.py); decoded for --full, it
    # is the same document, field for field and in the same order, as the recorded file's.
    live = cli("drift", "-C", str(synced), "--against", "HEAD~1", "--full", "--format", "json")
    assert live.code == 2, live.err
    recorded = cli("show-changes", "-C", str(synced), "--full", "--format", "json")
    assert recorded.code == 0, recorded.err

    def whole(out: str) -> list[tuple[str, Any, Any]]:
        resources = json.loads(out)["resources"]
        return [(r["resource_id"], r["facts"], json.dumps(r["document"])) for r in resources]

    added = whole(live.out)
    assert len(added) > 5 and all(document != "null" for _, _, document in added)
    assert added == whole(recorded.out)
    text = cli("drift", "-C", str(synced), "--against", "HEAD~1", "--full", "--kind", "qemu").out
    assert "config.net0" in text and text.count("qemu/") >= 2
