"""Strict where a typo costs data: a mistyped name, date or repository is an error, not a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_a_date_that_is_no_date_is_a_usage_error(synced: Path, cli: Any, option: str) -> None:
    result = cli("show-changes", "-C", str(synced), option, "garbage date")
    assert result.code == 64, result.err
    assert result.out == ""
    assert "'garbage date' is neither a date nor a commit" in result.err
    assert "2026-11-01" in result.err and "yesterday" in result.err
    assert cli("show-changes", "-C", str(synced), option, "now").code == 0
