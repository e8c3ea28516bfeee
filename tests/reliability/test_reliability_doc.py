"""docs/reliability.md names tests that exist."""

from __future__ import annotations

import re

from tests.helpers.process import ROOT

REFERENCE = re.compile(r"`((?:tests/[\w/]+/)?test_\w+\.py)(?:::(\w+))?`")


def test_every_test_the_page_names_exists() -> None:
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    found = REFERENCE.findall(page)
    assert len(found) > 40
    for path, name in found:
        file = ROOT / path if path.startswith("tests/") else ROOT / "tests" / "reliability" / path
        assert file.is_file(), path
        if name:
            assert re.search(rf"^def {name}\(", file.read_text(encoding="utf-8"), re.MULTILINE), (
                f"{path}::{name}"
            )
