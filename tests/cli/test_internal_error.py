"""An exception proxstate does not expect (a bug) is one line and exit 70, never a traceback.

Every failure that fakepve or a state repository can provoke is an expected one (a ProxstateError,
exit 1): the fault matrix of docs/reliability.md sees to that, and an answer that still raised
something else would be a bug to fix, not a way to test. So these tests add a command that raises
to the real command group, for the duration of the test, and run the real `main`: the parsing, the
group, the error handling and the exit code are proxstate's own; only the failure is staged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from proxstate.cli.main import cli as group
from proxstate.safetext import escape_unsafe
from tests.helpers.cli import Result

SECRET = "5ec12e7-never-print-this-0000"


@pytest.fixture
def broken_command(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`proxstate broken`: raises a KeyError whose text holds the token secret of the environment."""
    monkeypatch.setenv("PROXSTATE_TOKEN", f"root@pam!proxstate={SECRET}")

    @click.command("broken")
    def broken() -> None:
        raise KeyError(f"token {SECRET}")

    group.add_command(broken)
    try:
        yield "broken"
    finally:
        group.commands.pop("broken")


def test_an_unexpected_exception_is_one_line_and_exit_70(
    broken_command: str, cli: Callable[..., Result]
) -> None:
    result = cli(broken_command)
    assert result.code == 70, result.err
    assert result.out == ""
    assert result.err.splitlines() == [
        "proxstate: internal error (a bug in proxstate): KeyError; run with --debug for the traceback"
    ]


def test_with_debug_the_traceback_is_shown_without_the_secret(
    broken_command: str, cli: Callable[..., Result]
) -> None:
    result = cli("--debug", broken_command)
    assert result.code == 70
    assert result.err.startswith("Traceback (most recent call last):"), result.err
    assert "in broken" in result.err and "KeyError: 'token **********'" in result.err
    assert SECRET not in result.err
    assert result.err.splitlines()[-1] == "proxstate: internal error (a bug in proxstate): KeyError"


def test_the_line_names_the_last_place_in_proxstate(cli: Callable[..., Result]) -> None:
    """A bug inside the package: a command hands proxstate's own code a value it cannot take."""

    @click.command("misuse")
    def misuse() -> None:
        escape_unsafe(None)  # type: ignore[arg-type]  # the staged bug: None where text belongs

    group.add_command(misuse)
    try:
        result = cli("misuse")
    finally:
        group.commands.pop("misuse")
    assert result.code == 70
    assert re.fullmatch(
        r"proxstate: internal error \(a bug in proxstate\): AttributeError at proxstate/safetext\.py:\d+; "
        r"run with --debug for the traceback\n",
        result.err,
    ), result.err


def test_expected_errors_keep_their_codes(cli: Callable[..., Result], tmp_path: Path) -> None:
    failed = cli("log", "qemu/101", "-C", str(tmp_path))  # not a state repository
    assert failed.code == 1, failed.err
    assert failed.err.startswith("proxstate: error: ") and "internal error" not in failed.err
    assert cli("log", "-C", str(tmp_path)).code == 64  # a missing argument
