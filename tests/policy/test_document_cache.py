"""The cache of decoded documents under `.git/proxstate/` (proxstate.app.doccache) never changes
what `check` reports: values damaged inside the database, a folder that is a symbolic link, a file
where the folder should be. The record is shared by the package: each test puts the folder back."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers.cli import Result
from tests.helpers.policylab import Lab

CLI = Callable[..., Result]


@pytest.fixture
def cache_folder(lab: Lab, tmp_path: Path) -> Iterator[Path]:
    """`.git/proxstate`, kept aside and put back after the test."""
    folder = lab.root / ".git" / "proxstate"
    kept = tmp_path / "kept"
    if folder.exists():
        shutil.copytree(folder, kept)
    yield folder
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    if kept.exists():
        shutil.copytree(kept, folder)


def _check(lab: Lab, cli: CLI) -> Result:
    return cli("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")


def test_damaged_values_in_the_cache_are_read_from_git_again(lab: Lab, cli: CLI, cache_folder: Path) -> None:
    # From an empty cache, so that it holds only what this check reads (the record is shared: other
    # tests' checks and queries of other revisions would leave rows this check never reads again).
    shutil.rmtree(cache_folder, ignore_errors=True)
    first = _check(lab, cli)
    assert json.loads(first.out)["violations"]
    with closing(sqlite3.connect(cache_folder / "documents.sqlite")) as db, db:
        assert db.execute("UPDATE documents SET value = '{not json'").rowcount > 0
    again = _check(lab, cli)
    assert (again.code, again.out) == (first.code, first.out)
    with closing(sqlite3.connect(cache_folder / "documents.sqlite")) as db:
        values = [value for (value,) in db.execute("SELECT value FROM documents")]
    assert values and all(value != "{not json" for value in values)  # written again, decoded


def test_a_cache_folder_that_is_a_link_is_not_written_through(
    lab: Lab, cli: CLI, cache_folder: Path, tmp_path: Path
) -> None:
    first = _check(lab, cli)
    shutil.rmtree(cache_folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache_folder.symlink_to(elsewhere)
    again = _check(lab, cli)
    assert (again.code, again.out) == (first.code, first.out)
    assert list(elsewhere.iterdir()) == []


def test_a_file_where_the_cache_folder_goes_is_left_alone(lab: Lab, cli: CLI, cache_folder: Path) -> None:
    first = _check(lab, cli)
    shutil.rmtree(cache_folder)
    cache_folder.write_text("not a folder\n", encoding="utf-8")
    again = _check(lab, cli)
    assert (again.code, again.out) == (first.code, first.out)
    assert cache_folder.read_text(encoding="utf-8") == "not a folder\n"
