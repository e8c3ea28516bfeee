"""Terminal output: colour only where it helps, progress only on a terminal.

Colour follows NO_COLOR (https://no-color.org) and FORCE_COLOR, and is off when stdout is not a
terminal. Progress goes to stderr, on a terminal and outside CI only; in CI a command prints its one
summary line instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from proxstate.safetext import escape_unsafe

if TYPE_CHECKING:  # rich is imported by the commands that draw tables or bars, not at start-up
    from rich.console import Console as RichConsole

    from proxstate.cli.tables import Row
    from proxstate.discovery import Progress as ProgressCallback


def safe_streams() -> None:
    """Characters the output encoding cannot hold (a guest named `café` under PYTHONIOENCODING=ascii
    or latin-1) are written as backslash escapes instead of ending the command with a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already written to in another mode, or closed
                continue


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """One write to stdout or stderr, in the stream's own encoding. Given no stream, click writes
    UTF-8 bytes where the encoding is ASCII, past the escapes `safe_streams` arranged.

    The colour was chosen by whoever made the text (`color_wanted`: NO_COLOR, FORCE_COLOR, a
    terminal); click would strip it again whenever the stream is not a terminal, FORCE_COLOR or not.
    """
    click.echo(text, nl=nl, file=sys.stderr if err else sys.stdout, color=True)


def color_wanted(stream: object = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress_wanted() -> bool:
    if os.environ.get("CI") or os.environ.get("PROXSTATE_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


class Console:
    """What every command needs to talk to the user; created once per run by the group."""

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug
        self._said: set[str] = set()

    @property
    def color(self) -> bool:
        return color_wanted()

    def out(self, text: str = "", *, nl: bool = True) -> None:
        echo(text, nl=nl)

    def err(self, text: str) -> None:
        echo(text, err=True)

    def warn(self, text: str) -> None:
        # A warning is one line of our words and PVE's: nothing in it may steer the terminal.
        echo(f"proxstate: warning: {escape_unsafe(text)}", err=True)

    def notice(self, text: str) -> None:
        """What the command waits for (a retry, the repository lock), one line on stderr as it
        happens: on a terminal and in a CI log alike. Requests that wait alike say it once."""
        if text in self._said:
            return
        self._said.add(text)
        echo(f"proxstate: {escape_unsafe(text)}", err=True)

    def warn_insecure(self) -> None:
        self.warn("TLS verification is off (insecure): the connection can be intercepted")

    @property
    def terminal(self) -> bool:
        """Whether stdout is a terminal (a person reading), not a pipe, a file or a CI log."""
        isatty = getattr(sys.stdout, "isatty", None)
        return bool(isatty and isatty())

    def rich(self) -> RichConsole:
        from rich.console import Console as RichConsole

        # Without colour no style at all (rich's no_color would still write bold).
        if not self.color:
            return RichConsole(color_system=None, highlight=False, soft_wrap=True)
        return RichConsole(color_system="auto", highlight=False, soft_wrap=True)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Row], *, plain_title: bool) -> None:
        """A table: drawn on a terminal, plain columns elsewhere (the title only if `plain_title`:
        a listing of one table starts with its header line, for grep, awk and cut)."""
        from proxstate.cli.tables import plain_table, table

        if self.terminal:
            rich = self.rich()
            rich.print(table(title, columns, rows, width=rich.width))
            return
        if plain_title:
            self.out(escape_unsafe(title))
        self.out(plain_table(columns, rows, bold=self.color))

    @contextmanager
    def progress(self, label: str) -> Iterator[ProgressCallback]:
        """A callback for discovery that draws a bar on a terminal, and does nothing elsewhere."""
        if not progress_wanted():

            def quiet(*, done: int, total: int, what: str) -> None:
                return None

            yield quiet
            return
        from rich.console import Console as RichConsole
        from rich.markup import escape as markup_escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn(f"{label} [dim]{{task.fields[what]}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=RichConsole(stderr=True, no_color=not color_wanted(sys.stderr)),
            transient=True,
        )
        task = bar.add_task(label, total=None, what="")

        def update(*, done: int, total: int, what: str) -> None:
            # `what` names a path or resource from the API: no escape sequence, no rich markup.
            bar.update(task, completed=done, total=total, what=markup_escape(escape_unsafe(what)[-40:]))

        with bar:
            yield update
