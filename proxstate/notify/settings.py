"""The `notify:` section of proxstate.yaml: where notifications go and which ones each target gets.

A target is an Apprise URL read from an environment variable (`url_env`) or a file (`url_file`), or a
command (`exec`, an exec hook). The URL itself is never written in proxstate.yaml: most carry a
token (`tgram://BOTTOKEN/CHAT`, `ntfy://tk_...@host/topic`, a Slack webhook's path), and the file is
committed. An inline `url:` is refused with the way to move it out (docs/notifications.md).

The models import nothing heavy: proxstate.yaml is read by every command, and the change classes
are checked against `proxstate.diff` only when a target names some.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Event = Literal["changes", "drift", "failure"]
EVENTS: tuple[Event, ...] = ("changes", "drift", "failure")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_duration(value: Any) -> float:
    """Seconds from a number or a text such as `90s`, `30m`, `12h`, `7d`, `1w`."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 12h or 7d, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        found = _DURATION.match(str(value))
        if not found:
            raise ValueError(f"expected a duration such as 90s, 30m, 12h or 7d, got {str(value)[:40]!r}")
        seconds = float(found.group(1)) * _UNITS[found.group(2) or "s"]
    if not 0 < seconds <= 365 * 86400:
        raise ValueError("expected a duration of more than 0 seconds and at most a year")
    return seconds


class NotifyTarget(BaseModel):
    """One target of notifications: an Apprise URL (from url_env or url_file) or an exec hook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None  # what output, `notify --test NAME` and the state file call it
    url_env: str | None = None  # the environment variable that holds the Apprise URL(s)
    url_file: Path | None = None  # a file outside the repository that holds them
    exec: tuple[str, ...] | None = None  # a hook: the command, run without a shell
    on: tuple[Event, ...] = EVENTS
    clusters: tuple[str, ...] = ()  # cluster names (globs); empty: every cluster
    kinds: tuple[str, ...] = ()  # resource kinds (qemu, lxc, storage, ...); empty: every kind
    classes: tuple[str, ...] = ()  # change classes (network, hardware, ...); empty: every class
    format: Literal["auto", "markdown", "text"] = "auto"
    max_changes: int = Field(10, ge=1, le=200)  # resources listed before "and N more"
    max_length: int = Field(3500, ge=500, le=100_000)  # characters of a message body
    remind: float | None = None  # seconds: repeat unchanged drift or a lasting failure this often
    retries: int = Field(2, ge=0, le=5)  # further attempts after a failed delivery
    timeout: float = Field(30.0, gt=0, le=3600, allow_inf_nan=False)  # seconds an exec hook may run

    @model_validator(mode="before")
    @classmethod
    def _one_source(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "url" in data:
            raise ValueError(
                "url: an Apprise URL is not written in proxstate.yaml (it is committed, and most URLs "
                "hold a token); put it in an environment variable and name it with url_env, or in a "
                "file outside the repository named by url_file (docs/notifications.md)"
            )
        given = [key for key in ("url_env", "url_file", "exec") if data.get(key) is not None]
        if len(given) != 1:
            raise ValueError("each notify target needs exactly one of url_env, url_file or exec")
        return data

    @field_validator("url_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "must be the name of an environment variable (letters, digits, _), not the URL itself"
            )
        return value

    @field_validator("url_file")
    @classmethod
    def _file(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("exec", mode="before")
    @classmethod
    def _command(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = shlex.split(value)
        if value is not None and (not isinstance(value, list | tuple) or not value):
            raise ValueError("expected a command: a text or a list of its words")
        return value

    @field_validator("on", mode="before")
    @classmethod
    def _events(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("clusters", "kinds", "classes", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return (
            [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
        )

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from proxstate.config import parse_kinds  # config.py imports this module
        from proxstate.errors import ConfigError

        try:
            return tuple(sorted(parse_kinds(list(value))))
        except ConfigError as exc:
            raise ValueError(exc.message) from None

    @field_validator("classes")
    @classmethod
    def _classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            return value
        from proxstate.diff import ChangeClass  # only when a target filters by class

        known = [c.value for c in ChangeClass]
        unknown = [name for name in value if name.lower() not in known]
        if unknown:
            raise ValueError(f"unknown change class {unknown[0]!r}; known classes: {', '.join(known)}")
        return tuple(name.lower() for name in value)

    @field_validator("remind", mode="before")
    @classmethod
    def _remind(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)

    @property
    def label(self) -> str:
        """How output names the target: its name, or where its URL comes from (never the URL)."""
        if self.name:
            return self.name
        if self.url_env:
            return f"${self.url_env}"
        if self.url_file:
            return str(self.url_file)
        return f"exec {Path((self.exec or ('hook',))[0]).name}"  # the program; its arguments may be long

    @property
    def key(self) -> str:
        """The target's identity in the state file: stable while its source stays the same."""
        if self.name:
            return f"name:{self.name}"
        if self.url_env:
            return f"env:{self.url_env}"
        if self.url_file:
            return f"file:{self.url_file}"
        return "exec:" + shlex.join(self.exec or ())
