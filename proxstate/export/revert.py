"""Revert plans: the calls that bring live resources back to their recorded state, never sent.

Each step undoes one change and says which; the steps are ordered so that each can run when the
ones before it have: a guest is migrated back before its config is set on its recorded node, disks
are grown after the config, pool members and firewall rules after the guests, power state last.
What the record cannot give back (a disk shrunk, a secret's value, a destroyed guest's data) is not
a step but a line of `not_revertible`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from proxstate.export.calls import Call, api_text, is_masked
from proxstate.export.guestplan import guest_steps
from proxstate.export.listplan import rule_steps
from proxstate.export.pvesh import NodeOf, create_calls, item_path
from proxstate.resources.kinds import GUEST_KINDS

Document = Mapping[str, Any]


@dataclass
class Plan:
    steps: list[tuple[int, Call]] = field(default_factory=list)  # (phase, call)
    not_revertible: list[str] = field(default_factory=list)

    def calls(self) -> list[Call]:
        return [call for _, call in sorted(self.steps, key=lambda step: step[0])]


def plan_resource(
    plan: Plan,
    resource_id: str,
    recorded: Document | None,
    live: Document | None,
    *,
    node_of: NodeOf,
    actor: str = "",
    backup: str | None = None,
) -> None:
    """Add the steps that bring one resource from its live state back to the recorded one."""
    by = f" (by {actor})" if actor else ""
    kind = resource_id.partition("/")[0]
    if recorded is None and live is not None:
        plan.not_revertible.append(
            f"{resource_id} was created after the record{by}: left alone (remove it by hand if unwanted)"
        )
        return
    if recorded is None:
        return
    if live is None:
        if kind in GUEST_KINDS:
            newest = f" (the newest recorded backup: {backup})" if backup else " (no backup is recorded)"
            plan.not_revertible.append(
                f"{resource_id} was destroyed{by}: its disks' data is not in the record; "
                f"restore it from a backup{newest}"
            )
            return
        for call in create_calls(resource_id, recorded, node_of=node_of):
            plan.steps.append((4, _commented(call, f"recreate {resource_id}, removed{by}")))
        return
    if kind in GUEST_KINDS:
        guest_steps(plan.steps, plan.not_revertible, resource_id, recorded, live, by=by)
        return
    if "entries" in recorded or "entries" in live:
        rule_steps(plan, resource_id, recorded, live, node_of=node_of, by=by)
        return
    _object_steps(plan, resource_id, recorded, live, node_of=node_of, by=by)


def _commented(call: Call, comment: str) -> Call:
    return Call(verb=call.verb, path=call.path, params=call.params, comment=comment, native=call.native)


def _object_steps(
    plan: Plan, resource_id: str, recorded: Document, live: Document, *, node_of: NodeOf, by: str
) -> None:
    before = dict(recorded.get("config") or {})
    now = dict(live.get("config") or {})
    storage = resource_id.partition("/")[2] if resource_id.startswith("storage/") else None
    path = f"/storage/{storage}" if storage else item_path(resource_id, node_of=node_of)
    if path is None:
        plan.not_revertible.append(f"{resource_id} changed{by}: proxstate knows no call that sets it")
        return
    if resource_id.startswith("pool/"):
        _pool_steps(plan, resource_id, before.pop("members", []), now.pop("members", []), by=by)
    params: list[tuple[str, str]] = []
    undone: list[str] = []
    for key, value in before.items():
        if now.get(key) == value:
            continue
        if is_masked(value):
            plan.not_revertible.append(f"{resource_id} {key}: a secret's value is not in the record")
            continue
        params.append((key, api_text(key, value)))
        undone.append(f"{key}: {_short(now.get(key))} -> {_short(value)}")
    deleted = [key for key in now if key not in before]
    if deleted:
        params.append(("delete", ",".join(deleted)))
        undone += [f"{key} was added" for key in deleted]
    if params:
        comment = f"undo {resource_id}: {'; '.join(undone)}{by}"
        plan.steps.append((4, Call(verb="set", path=path, params=tuple(params), comment=comment)))


def _pool_steps(plan: Plan, resource_id: str, before: Any, now: Any, *, by: str) -> None:
    pool = resource_id.partition("/")[2]

    def vmids(members: Any) -> list[str]:
        return [str(m["vmid"]) for m in members or () if isinstance(m, Mapping) and "vmid" in m]

    old, new = vmids(before), vmids(now)
    if added := [v for v in old if v not in new]:
        comment = f"undo {resource_id}: {', '.join(added)} left the pool{by}"
        plan.steps.append(
            (5, Call(verb="set", path=f"/pools/{pool}", params=(("vms", ",".join(added)),), comment=comment))
        )
    if removed := [v for v in new if v not in old]:
        comment = f"undo {resource_id}: {', '.join(removed)} joined the pool{by}"
        params = (("vms", ",".join(removed)), ("delete", "1"))
        plan.steps.append((5, Call(verb="set", path=f"/pools/{pool}", params=params, comment=comment)))


def _short(value: Any) -> str:
    text = "(none)" if value is None else api_text("", value)
    return text if len(text) <= 60 else text[:57] + "..."
