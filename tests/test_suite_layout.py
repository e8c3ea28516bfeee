"""The layout of tests/ that docs/testing.md describes stays true as tests are added."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# An import of a conftest file or of another test module, relative or by full name.
FORBIDDEN = re.compile(
    r"^\s*(from\s+(\.+|tests(\.\w+)*\.|\w+\.)?(conftest|test_\w+)\s+import"
    r"|from\s+(\.+|tests(\.\w+)*)\s+import\s+(conftest|test_\w+)"
    r"|import\s+(\S+\.)?(conftest|test_\w+)\b)",
    re.M,
)


def _python_files() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts]


def test_every_test_folder_is_a_package() -> None:
    """Test modules are imported by their full name (`tests.cli.test_sync`), never by a bare one
    that another folder's file of the same name would clash with."""
    folders = {p.parent for p in _python_files()}
    assert sorted(str(f.relative_to(TESTS.parent)) for f in folders if not (f / "__init__.py").exists()) == []


def test_tests_import_helpers_not_conftest_files_or_other_tests() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)}: {match.group(0).strip()}"
        for path in _python_files()
        for match in FORBIDDEN.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_finds_what_it_forbids() -> None:
    for line in (
        "from .conftest import git",
        "from tests.cli.conftest import TOKEN_ID",
        "from cli.conftest import *",
        "from .test_pve_shapes import answer_as_pve",
        "from tests.reliability.test_auditor import AUDITOR",
        "import conftest",
        "from . import test_auditor",
        "from tests.reliability import test_auditor",
    ):
        assert FORBIDDEN.search(line), line
    for line in ("from tests.helpers.repo import git", "from . import helpers", "import tests.helpers.cli"):
        assert not FORBIDDEN.search(line), line
