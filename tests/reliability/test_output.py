"""Output under a narrow encoding, and names that hold terminal escape sequences.

A guest named with an escape sequence (clear the screen, set the window title, rich markup) and
non-ASCII letters is recorded, then shown by the reading commands in a process whose output
encoding is ASCII, Latin-1 or the C locale: no traceback, no raw control character, the name
still recognisable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.process import ROOT

HOSTILE = "web\x1b[2J\x1b]0;owned\x07[red]café☃\u202e"
CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + ["\x7f", "\x9b", "\u202e"]


@pytest.fixture
def renamed(synced: Path, cli: Any, small_cluster: Any) -> Path:
    small_cluster.vm(101).name = HOSTILE
    small_cluster.vm(101).config["name"] = HOSTILE
    small_cluster.vm(101).config["description"] = "note\x1b[31m red"
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    return synced


@pytest.mark.parametrize(
    ("env", "encoding", "commands"),
    [
        ({"PYTHONIOENCODING": "ascii"}, "ascii", [["list-vms"], ["show-changes"]]),
        (
            {"PYTHONIOENCODING": "latin-1"},
            "latin-1",
            [["list-vms"], ["show-changes", "--format", "markdown"]],
        ),
        (
            {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
            "ascii",
            [["log", "qemu/101"], ["show", "qemu/101"]],
        ),
    ],
    ids=["ascii", "latin-1", "C-locale"],
)
def test_narrow_encodings_and_escape_sequences(
    renamed: Path, env: dict[str, str], encoding: str, commands: Any
) -> None:
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "proxstate", *command, "-C", str(renamed)],
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "", **env},
            capture_output=True,
            timeout=30,
            check=False,
        )
        # Strict decoding: every byte is one the encoding can hold.
        out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
        assert done.returncode == 0, (command, err)
        assert "Traceback" not in err
        shown = out + err
        assert not [c for c in CONTROL if c in shown], (command, shown)
        # Escaped: `\x1b` in reports and tables, `\e` in YAML.
        assert "web" in shown and ("\\x1b" in shown or "\\e[2J" in shown), (command, shown)


def test_a_table_shows_escapes_and_no_markup(renamed: Path, cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the name on one line
    result = cli("list-vms", "-C", str(renamed))
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "[red]" in result.out  # printed as it is, not taken for markup
    assert "café☃" in result.out  # readable text stays readable


def test_an_error_line_does_not_carry_escape_sequences(cli: Any, tmp_path: Path) -> None:
    result = cli("show-changes", "-C", str(tmp_path / "no\x1b[2Jrepo"))
    assert result.code != 0
    assert "\x1b" not in result.err and "Traceback" not in result.err
