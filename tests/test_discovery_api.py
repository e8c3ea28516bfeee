"""The rest of proxstate uses discovery through `proxstate.discovery`, never through its modules,
so the modules can change shape without their callers noticing (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "proxstate" / "discovery"


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_code_outside_discovery_imports_only_the_package() -> None:
    sources = [*(ROOT / "proxstate").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]
    sources += (ROOT / "benchmarks").rglob("*.py")
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources
        if PACKAGE not in path.parents
        for module in _imported_modules(path)
        if module.startswith("proxstate.discovery.")
    )
    assert offenders == []
