"""Apprise lives behind proxstate/notify/ (docs/architecture.md): one module imports it, and only
when something is sent."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.process import python_output

PACKAGE = Path(__file__).resolve().parents[2] / "proxstate"
IMPORT = re.compile(r"^\s*(import apprise|from apprise\b)", re.M)


def test_only_the_delivery_module_imports_apprise() -> None:
    importers = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if IMPORT.search(path.read_text())
    )
    assert importers == ["proxstate/notify/deliver.py"]


def test_reading_the_configuration_does_not_load_apprise() -> None:
    code = (
        "import sys; from proxstate.config import parse_config; "
        "parse_config('notify:\\n  - url_env: X\\n    classes: [network]\\n'); "
        "print('apprise' in sys.modules)"
    )
    assert python_output(code).strip() == "False"
