"""Report headers name the recorded commit a change starts from: "(nothing recorded)" only when
nothing was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.repo import git


def test_log_says_from_which_commit_each_change_starts(synced: Path, small_cluster: Any, cli: Any) -> None:
    first = git(synced, "rev-parse", "--short=12", "HEAD").strip()
    small_cluster.vm(102).config["cores"] = 12
    assert cli("sync", "-C", str(synced)).code == 0
    second = git(synced, "rev-parse", "--short=12", "HEAD").strip()

    result = cli("log", "qemu/102", "-C", str(synced))
    assert result.code == 0, result.err
    newest, oldest = result.out.split(f"commit {first[:7]}")[0], result.out.split(f"commit {first[:7]}")[1]
    assert f"commit {second[:7]}" in newest
    assert f"  from  {first[:7]}" in newest and "(nothing recorded)" not in newest
    assert "  from  (nothing recorded)" in oldest  # the first record of qemu/102 had nothing before it

    markdown = cli("log", "qemu/102", "-C", str(synced), "--format", "markdown").out
    assert markdown.count("_nothing recorded_") == 1


def test_a_dry_run_names_the_recorded_commit(synced: Path, small_cluster: Any, cli: Any) -> None:
    head = git(synced, "log", "-1", "--format=%h").strip()
    small_cluster.vm(102).config["cores"] = 12
    result = cli("sync", "-C", str(synced), "--dry-run")
    assert result.code == 0, result.err
    assert f"  recorded  {head} (" in result.out and "(nothing recorded)" not in result.out
    assert "~ qemu/102" in result.out
