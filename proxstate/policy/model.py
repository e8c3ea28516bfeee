"""The policy as proxstate uses it: rules (with compiled conditions), waivers, and what a check found."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from proxstate.policy.expr import Expression

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
# Guest kinds: the only documents that have a pool and tags, so the only ones `pools` and `tags`
# of `applies_to` can select.
GUEST_KINDS = frozenset({"qemu", "lxc"})


@dataclass(frozen=True, kw_only=True)
class AppliesTo:
    """Which documents a rule looks at; an empty tuple selects everything on that axis."""

    kinds: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()  # resource-id globs: `ha/resource/*`, `qemu/1??`
    pools: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()

    def selects(self, *, cluster: str, resource_id: str, kind: str, document: dict[str, Any]) -> bool:
        if self.clusters and cluster not in self.clusters:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        if self.resources and not any(fnmatch.fnmatchcase(resource_id, glob) for glob in self.resources):
            return False
        if self.pools and (kind not in GUEST_KINDS or document.get("pool") not in self.pools):
            return False
        if self.tags:
            config = document.get("config")
            tags = config.get("tags") if isinstance(config, dict) else None
            if kind not in GUEST_KINDS or not isinstance(tags, list) or not set(self.tags) & set(tags):
                return False
        return True


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    description: str
    severity: Severity
    applies_to: AppliesTo
    condition: Expression
    detail: Expression | None = None
    params: dict[str, Any] = field(default_factory=dict)
    builtin: bool = False


@dataclass(frozen=True, kw_only=True)
class Waiver:
    rule: str
    resource: str  # a resource-id glob
    cluster: str | None
    reason: str
    expires: date

    def covers(self, *, rule: str, cluster: str, resource_id: str) -> bool:
        return (
            self.rule == rule
            and (self.cluster is None or self.cluster == cluster)
            and fnmatch.fnmatchcase(resource_id, self.resource)
        )


@dataclass(frozen=True, kw_only=True)
class Policy:
    rules: tuple[Rule, ...]
    waivers: tuple[Waiver, ...] = ()
    protected_pools: tuple[str, ...] = ()
    source: str = "the built-in rules"


@dataclass(frozen=True, kw_only=True)
class Introduced:
    """The snapshot that introduced a violation (the first of the run of snapshots that have it)."""

    sha: str
    date: str
    subject: str
    actors: tuple[str, ...]  # who probably made the change (attribution, commit trailers); may be ()


@dataclass(frozen=True, kw_only=True)
class Violation:
    rule: str
    severity: Severity
    description: str
    cluster: str
    resource_id: str
    detail: Any = None
    waiver: Waiver | None = None  # the waiver that matches, whether or not it has expired
    waived: bool = False  # a waiver covers it and has not expired
    introduced: Introduced | None = None
    new: bool | None = None  # with --since: introduced after the base revision

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.cluster, self.resource_id)

    @property
    def fails(self) -> bool:
        """Counts for the exit code: not waived, not informational, and new when --since was given."""
        return not self.waived and self.severity != "info" and self.new is not False


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """`qemu/101` before `qemu/1000`: digit runs compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)
