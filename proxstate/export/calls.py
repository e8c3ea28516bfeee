"""API calls as `pvesh` command lines, each with the comment that says why it is there.

Values are written as PVE's API takes them: booleans as 1/0, lists joined with `,`, a mapping as a
property string. A masked secret is never guessed: it becomes a placeholder the administrator must
replace before running the line (`<SECRET: fill in cipassword>`).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from proxstate.normalize.masking import MASKED

Verb = Literal["create", "set", "delete"]


def placeholder(key: str) -> str:
    return f"<SECRET: fill in {key}>"


def is_masked(value: Any) -> bool:
    return isinstance(value, str) and (value == MASKED or value.startswith("<masked:"))


@dataclass(frozen=True, kw_only=True)
class Call:
    """One API call: `pvesh VERB PATH --key value ...`, and the `qm`/`pct` line that does the same."""

    verb: Verb
    path: str
    params: tuple[tuple[str, str], ...] = ()
    comment: str = ""
    native: str | None = None

    def line(self) -> str:
        words = ["pvesh", self.verb, self.path]
        for key, value in self.params:
            words += [f"--{key}", value]
        return " ".join(shlex.quote(word) for word in words)

    def as_json(self) -> dict[str, Any]:
        method = {"create": "POST", "set": "PUT", "delete": "DELETE"}[self.verb]
        return {
            "method": method,
            "path": self.path,
            "params": dict(self.params),
            "pvesh": self.line(),
            "native": self.native,
            "comment": self.comment,
        }


def api_text(key: str, value: Any) -> str:
    """A recorded value as the API takes it (masked secrets as a placeholder)."""
    if is_masked(value):
        return placeholder(key)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ",".join(api_text(key, item) for item in value)
    if isinstance(value, Mapping):
        return ",".join(f"{k}={api_text(k, v)}" for k, v in value.items() if v is not None)
    return "" if value is None else str(value)


def params_of(
    config: Mapping[str, Any], *, skip: frozenset[str] = frozenset()
) -> tuple[tuple[str, str], ...]:
    return tuple(
        (key, api_text(key, value)) for key, value in config.items() if key not in skip and value is not None
    )


def render(calls: list[Call], *, not_revertible: tuple[str, ...] = ()) -> str:
    """The calls as a shell script: `# comment`, the pvesh line, the qm/pct line as a comment."""
    out: list[str] = []
    for call in calls:
        if call.comment:
            out += [f"# {line}" for line in call.comment.splitlines()]
        out.append(call.line())
        if call.native:
            out.append(f"#   or: {call.native}")
    if not_revertible:
        out += ["", "# Cannot be reverted from the record:"]
        out += [f"#   {item}" for item in not_revertible]
    return "\n".join(out) + "\n" if out else ""
