"""What the command line says about an exception it did not expect: a bug in proxstate.

Expected failures are ProxstateError (or click's usage errors) with a message written for a human;
anything else is a bug. It gets one line and exit code 70 (sysexits EX_SOFTWARE), so that a CI job
or a script can tell a bug from a cluster or a repository in trouble (exit 1). The line names the
exception's type and the last place in proxstate it passed, never the exception's own text: that
text is not ours, and may hold a value from the cluster or the environment (a password, a token).
`--debug` adds the traceback, with the value of every secret variable of the environment written
as `**********`.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

import proxstate
from proxstate.safetext import escape_unsafe

_PACKAGE = Path(proxstate.__file__).resolve().parent
_ENTRY = _PACKAGE / "cli" / "main.py"  # every traceback passes there: it says nothing of the bug
_MASK = "**********"
# Words in the names of environment variables that hold secrets: PROXSTATE_TOKEN, PROXSTATE_PASSWORD,
# PROXSTATE_MASK_KEY, and whatever proxstate.yaml names (`token_env: PVE_TOKEN_HOMELAB`).
_SECRET_WORDS = ("TOKEN", "PASSWORD", "SECRET", "KEY")
_NOT_SECRET_SUFFIXES = ("_FILE", "_TOKEN_ID")
_SHORTEST_SECRET = 4  # shorter values (`1`, `yes`) would mask ordinary text


def where(exc: BaseException) -> str | None:
    """`proxstate/app/sync.py:123`: the innermost frame of the traceback inside the package, if any
    besides the command line's own entry point."""
    place = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_PACKAGE) and path != _ENTRY:
            place = f"{path.relative_to(_PACKAGE.parent)}:{frame.lineno}"
    return place


def summary(exc: BaseException) -> str:
    """The one line: the exception's type and the last place in proxstate it passed, never its text."""
    kind = escape_unsafe(type(exc).__qualname__)
    place = where(exc)
    return f"internal error (a bug in proxstate): {kind}" + (f" at {place}" if place else "")


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """The values of the environment's secret variables, longest first (and the secret half of a
    `USER@REALM!TOKENID=SECRET` token)."""
    environ = dict(os.environ) if environ is None else environ
    values: set[str] = set()
    for name, value in environ.items():
        upper = name.upper()
        if not any(word in upper for word in _SECRET_WORDS) or upper.endswith(_NOT_SECRET_SUFFIXES):
            continue
        values.add(value)
        if "=" in value:
            values.add(value.split("=", 1)[1])
    return sorted((v for v in values if len(v) >= _SHORTEST_SECRET), key=len, reverse=True)


def traceback_text(exc: BaseException) -> str:
    """Python's traceback of `exc`, with every secret value of the environment masked."""
    text = "".join(traceback.format_exception(exc))
    for value in secret_values():
        text = text.replace(value, _MASK)
    return text
