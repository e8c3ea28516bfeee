"""Reading the record: list-*, show, show-changes and log, after real syncs with real changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from proxstate import yamlio
from proxstate.report import render_json  # noqa: F401  (the schema ships beside it)
from tests.helpers.cli import api_post, strip_ansi
from tests.helpers.repo import git


@pytest.fixture
def two_snapshots(state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any) -> Path:
    """A first sync, then real changes (memory, a migration, a stop, a new VM, a deleted CT, a snapshot)."""
    assert cli("sync", "-C", str(state_repo)).code == 0
    small_cluster.vm(102).config["memory"] = 8192
    small_cluster.vm(101).node = "pve2"
    small_cluster.vm(101).status = "stopped"
    small_cluster.add_vm(103, "new01", node="pve1", config={"memory": 1024, "cores": 1})
    small_cluster.cts.remove(small_cluster.ct(201))
    api_post(small_cluster, pve_env, "/nodes/pve1/lxc/200/snapshot", {"snapname": "before"})
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    return state_repo


def test_list_vms_at_head_and_before(two_snapshots: Path, cli: Any) -> None:
    now = json.loads(cli("list-vms", "-C", str(two_snapshots), "--format", "json").out)
    assert [v["vmid"] for v in now] == [101, 102, 103, 9000]
    before = json.loads(cli("list-vms", "-C", str(two_snapshots), "--format", "json", "--at", "HEAD~1").out)
    assert [v["vmid"] for v in before] == [101, 102, 9000]
    table = strip_ansi(cli("list-containers", "-C", str(two_snapshots)).out)
    assert "ct1" in table and "ct2" not in table
    assert cli("list-nodes", "-C", str(two_snapshots), "--format", "yaml").code == 0
    assert "local-lvm" in cli("list-storage", "-C", str(two_snapshots)).out


def test_show_a_document(two_snapshots: Path, cli: Any) -> None:
    result = cli("show", "qemu/102", "-C", str(two_snapshots))
    assert result.code == 0
    assert yamlio.load(result.out)["config"]["memory"] in (8192, {"current": 8192})
    old = yamlio.load(cli("show", "qemu/102", "-C", str(two_snapshots), "--at", "HEAD~1").out)
    assert old["config"]["memory"] in (4096, {"current": 4096})
    missing = cli("show", "qemu/999", "-C", str(two_snapshots))
    assert missing.code == 1 and "not recorded" in missing.err


def test_show_changes_text(two_snapshots: Path, cli: Any) -> None:
    result = cli("show-changes", "-C", str(two_snapshots))
    assert result.code == 0, result.err
    out = strip_ansi(result.out)
    for expected in (
        "qemu/101",
        "migrated",
        "power",
        "qemu/102",
        "memory",
        "qemu/103",
        "lxc/201",
        "lxc/200",
        "snapshot",
    ):
        assert expected in out, expected
    assert "\x1b[" not in result.out  # not a terminal: no colour


def test_show_changes_json_validates(two_snapshots: Path, cli: Any) -> None:
    from importlib import resources

    result = cli("show-changes", "-C", str(two_snapshots), "--format", "json")
    data = json.loads(result.out)
    schema = json.loads((resources.files("proxstate.report") / "changeset.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["format_version"] == 2
    actions = {r["resource_id"]: r["action"] for r in data["resources"]}
    assert (
        actions["qemu/103"] == "added"
        and actions["lxc/201"] == "removed"
        and actions["qemu/102"] == "modified"
    )
    classes = {r["resource_id"]: r["classes"] for r in data["resources"]}
    assert "migrated" in classes["qemu/101"] and "power" in classes["qemu/101"]
    assert "hardware" in classes["qemu/102"]
    assert "snapshot" in classes["lxc/200"]


def test_show_changes_markdown_and_filters(two_snapshots: Path, cli: Any) -> None:
    md = cli("show-changes", "-C", str(two_snapshots), "--format", "markdown").out
    assert "| " in md and "<details>" in md
    only = json.loads(
        cli("show-changes", "-C", str(two_snapshots), "--format", "json", "--resource", "lxc/*").out
    )
    assert {r["resource_id"] for r in only["resources"]} == {"lxc/200", "lxc/201"}
    first = git(two_snapshots, "rev-list", "--max-parents=0", "HEAD").strip()
    whole = json.loads(
        cli("show-changes", f"{first}..HEAD", "-C", str(two_snapshots), "--format", "json").out
    )
    assert whole["summary"]["added"] >= 5


def test_log_of_one_resource(two_snapshots: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.vm(102).config["cores"] = 12
    assert cli("sync", "-C", str(two_snapshots)).code == 0
    result = cli("log", "qemu/102", "-C", str(two_snapshots), "--format", "json")
    assert result.code == 0, result.err
    entries = json.loads(result.out)["entries"]
    assert len(entries) == 3  # added, memory, cores: newest first
    assert entries[0]["resources"][0]["action"] == "modified"
    assert entries[-1]["resources"][0]["action"] == "added"
    text = strip_ansi(cli("log", "qemu/102", "-C", str(two_snapshots)).out)
    assert text.count("commit ") == 3 and "cores" in text


def test_bad_revision_is_a_clear_error(two_snapshots: Path, cli: Any) -> None:
    result = cli("show-changes", "nope..HEAD", "-C", str(two_snapshots))
    assert result.code == 1 and "Traceback" not in result.err and "nope" in result.err


def _nested_block(levels: int) -> str:
    """A mapping nested `levels` deep in the style proxstate writes (as an older version could)."""
    lines = [f"{'  ' * level}x{level}:" for level in range(levels - 1)]
    return "\n".join(lines) + " bottom\n"


@pytest.mark.parametrize(
    "text",
    [
        "kind: qemu\nvmid: 101\nconfig: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "kind: qemu\nvmid: 101\nconfig:\n"
        + "".join("  " + line + "\n" for line in _nested_block(450).splitlines()),
    ],
    ids=["flow-10000", "block-450"],
)
def test_a_document_nested_too_deep_is_reported_not_a_crash(
    state_repo: Path, pve_env: dict[str, str], cli: Any, text: str
) -> None:
    """A document committed by hand (or by an older proxstate) nests far deeper than any recorded one."""
    assert cli("sync", "-C", str(state_repo)).code == 0
    path = state_repo / "clusters" / "lab" / "qemu" / "101.yaml"
    path.write_text(text)
    git(state_repo, "commit", "-qam", "deep")
    deep_commit = git(state_repo, "rev-parse", "HEAD").strip()
    for args in (("show-changes",), ("log", "qemu/101")):
        result = cli(*args, "-C", str(state_repo))
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        assert result.err.count("\n") == 1, result.err
        assert f"clusters/lab/qemu/101.yaml at {deep_commit[:12]}" in result.err
        assert "deeper than 100 levels" in result.err
    assert cli("sync", "-C", str(state_repo)).code == 0  # what the cluster says replaces it
    assert yamlio.load(path.read_text())["config"]["memory"] == 2048
