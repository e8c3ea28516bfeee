"""The wheel a release builds, installed into a fresh virtual environment as `pip install` leaves it.

Cheap enough for every run of the suite: the wheel is built by the setuptools of the test
environment (no build isolation, so no index is reached) and installed with `--no-deps`; the
dependencies are the ones already installed here, reached through a `.pth` file that lists links
to each of them. The package itself and, unless asked for, fakepve (the `demo` extra) are left out
of those links, so the new environment imports proxstate from the wheel alone and has no fakepve,
as after a plain `pip install proxstate`. The release workflow does the full install from an index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a source distribution holds and the wheel is built from.
SOURCES = ("proxstate", "pyproject.toml", "README.md", "LICENSE")
# site-packages entries that belong to proxstate's own (editable) installation, never shared.
OWN = ("proxstate", "__editable__", "_proxstate")
DEMO_EXTRA = ("fakepve",)


def build_wheel(where: Path) -> Path:
    """Build proxstate's wheel from a copy of the sources (the tree stays clean)."""
    source = where / "source"
    source.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = where / "dist"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"),
            *("--quiet", "--wheel-dir", str(dist), str(source)),
        ],
        check=True,
        capture_output=True,
    )
    return next(dist.glob("proxstate-*.whl"))


def install_wheel(wheel: Path, venv: Path, *, demo_extra: bool) -> Path:
    """A new virtual environment with the wheel installed; returns its `proxstate` program."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    links = venv / "dependencies"
    links.mkdir()
    skipped = OWN if demo_extra else OWN + DEMO_EXTRA
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.lower().startswith(skipped) or entry.suffix == ".pth":
            continue
        (links / entry.name).symlink_to(entry)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(f"{links}\n")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index"),
            *("--quiet", str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    return venv / "bin" / "proxstate"


def clean_env(**extra: str) -> dict[str, str]:
    """This test's environment without anything that would point Python back at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, **extra}
