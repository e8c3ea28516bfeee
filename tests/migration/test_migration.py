"""State format 2: sections that hold nothing configured are not written, each fact is recorded
once, and the first sync of a version-1 repository migrates it in a commit of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from proxstate import yamlio
from tests.helpers.repo import git

GUEST_FIREWALL = "clusters/lab/guest-firewall"


def files(root: Path, under: str) -> list[str]:
    return sorted(git(root, "ls-files", under).split())


def test_v1_repository_is_migrated_in_one_commit_of_its_own(v1_repo: Path, cli: Any) -> None:
    before = git(v1_repo, "rev-parse", "HEAD").strip()
    result = cli("sync", "-C", str(v1_repo))
    assert result.code == 0, result.err
    assert "migrated the record to state format 2: committed" in result.out
    # The cluster did not change: the migrated record is exactly what version 2 records of it.
    assert "lab: no changes" in result.out
    assert git(v1_repo, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert git(v1_repo, "log", "-1", "--format=%s").strip() == "migrate state format 1 -> 2"
    changed = git(v1_repo, "diff", "--name-only", before, "HEAD").split()
    assert "proxstate.yaml" in changed
    assert all(path == "proxstate.yaml" or path.startswith("clusters/lab/") for path in changed)
    assert yamlio.load((v1_repo / "proxstate.yaml").read_text())["version"] == 2
    assert git(v1_repo, "status", "--porcelain") == ""


def test_show_changes_and_log_across_the_migration_report_nothing(v1_repo: Path, cli: Any) -> None:
    assert cli("sync", "-C", str(v1_repo)).code == 0
    shown = cli("show-changes", "-C", str(v1_repo), "--format", "json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["resources"] == []
    assert "No changes." in cli("show-changes", "-C", str(v1_repo)).out
    for resource in ("qemu/101", "guest-firewall/qemu/102/rules", "snapshot-config/qemu/101/before-upgrade"):
        assert "migrate state format" not in cli("log", resource, "-C", str(v1_repo)).out


def test_a_dry_run_migrates_nothing_and_shows_only_changes_of_the_cluster(
    v1_repo: Path, cli: Any, lab: Any
) -> None:
    lab.vm(102).config["cores"] = 8
    result = cli("sync", "-C", str(v1_repo), "--dry-run")
    assert result.code == 0, result.err
    assert "migrated" not in result.out
    assert "config.cores: 4 -> 8" in result.out
    assert "lab: would commit 0 added, 1 changed, 0 removed" in result.out
    assert git(v1_repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(v1_repo, "status", "--porcelain") == ""


def test_drift_on_a_repository_not_migrated_yet_reports_none(v1_repo: Path, cli: Any) -> None:
    result = cli("drift", "-C", str(v1_repo))
    assert result.code == 0, result.out + result.err
    assert git(v1_repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_guest_firewall_documents_only_where_something_is_configured(v1_repo: Path, cli: Any) -> None:
    assert cli("sync", "-C", str(v1_repo)).code == 0
    # VM 101 has rules and options, CT 200 an IP set; VM 102's options hold only the default
    # (`enable: 0`): no documents for it, nor for the guests without any firewall configuration.
    assert files(v1_repo, GUEST_FIREWALL) == [
        f"{GUEST_FIREWALL}/lxc/200/ipset/trusted.yaml",
        f"{GUEST_FIREWALL}/qemu/101/options.yaml",
        f"{GUEST_FIREWALL}/qemu/101/rules.yaml",
    ]
    rules = yamlio.load((v1_repo / GUEST_FIREWALL / "qemu/101/rules.yaml").read_text())
    assert [rule["dport"] for rule in rules["entries"]] == ["443", "22"]
    assert all("pos" not in rule for rule in rules["entries"])


def test_a_rule_added_and_removed_adds_and_removes_its_document(v1_repo: Path, cli: Any, lab: Any) -> None:
    assert cli("sync", "-C", str(v1_repo)).code == 0
    lab.firewall_config("vm", vmid=102)["rules"] = [{"type": "out", "action": "DROP", "enable": 1}]
    assert cli("sync", "-C", str(v1_repo)).code == 0
    assert git(v1_repo, "diff", "--name-status", "HEAD~1", "HEAD").split() == [
        "A",
        f"{GUEST_FIREWALL}/qemu/102/rules.yaml",
    ]
    lab.firewall_config("vm", vmid=102)["rules"] = []
    result = cli("sync", "-C", str(v1_repo))
    assert "0 added, 0 changed, 1 removed" in result.out
    assert f"{GUEST_FIREWALL}/qemu/102/rules.yaml" not in files(v1_repo, GUEST_FIREWALL)


def test_a_rename_and_a_tag_change_are_one_change_each(v1_repo: Path, cli: Any, lab: Any) -> None:
    assert cli("sync", "-C", str(v1_repo)).code == 0
    lab.vm(101).config["name"] = "web02"
    lab.vm(101).name = "web02"
    lab.vm(102).config["tags"] = "db"
    assert cli("sync", "-C", str(v1_repo)).code == 0
    report = json.loads(cli("show-changes", "-C", str(v1_repo), "--format", "json").out)
    fields = {r["resource_id"]: [f["path"] for f in r["changes"]] for r in report["resources"]}
    assert fields == {"qemu/101": ["config.name"], "qemu/102": ["config.tags"]}


def test_a_newer_format_is_refused_and_nothing_is_written(v1_repo: Path, cli: Any) -> None:
    (v1_repo / "proxstate.yaml").write_text("version: 3\n")
    git(v1_repo, "commit", "-qam", "a newer proxstate's record")
    head = git(v1_repo, "rev-parse", "HEAD")
    result = cli("sync", "-C", str(v1_repo))
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert "format version 3, newer than this proxstate knows (1 to 2): upgrade proxstate" in result.err
    assert git(v1_repo, "rev-parse", "HEAD") == head
    assert git(v1_repo, "status", "--porcelain") == ""
    for command in (["show-changes"], ["log", "qemu/101"], ["list-vms"], ["show", "qemu/101"], ["drift"]):
        refused = cli(*command, "-C", str(v1_repo))
        assert (refused.code, refused.err.count("\n")) == (1, 1), command
        assert "newer than this proxstate knows (1 to 2): upgrade proxstate" in refused.err


class FirstRelease(BaseModel):
    """The rule of the first release (proxstate.config.ProxstateConfig at 1f85034), which knew only
    version 1: `version: Literal[1] = 1`, every other setting forbidden or defaulted."""

    model_config = ConfigDict(extra="allow", frozen=True)
    version: Literal[1] = 1


def test_the_first_release_refuses_a_migrated_repository(v1_repo: Path, cli: Any) -> None:
    assert FirstRelease.model_validate(yamlio.load((v1_repo / "proxstate.yaml").read_text())).version == 1
    assert cli("sync", "-C", str(v1_repo)).code == 0
    with pytest.raises(ValidationError, match="Input should be 1"):
        FirstRelease.model_validate(yamlio.load((v1_repo / "proxstate.yaml").read_text()))
