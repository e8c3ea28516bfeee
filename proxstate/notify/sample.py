"""`proxstate notify --test`: a sample message to each target (or the one named), so that an
administrator sees a target work, and what its messages look like, before a real change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from proxstate.diff import ChangeClass, ChangeSet, FieldChange, ResourceChange
from proxstate.errors import UsageError
from proxstate.notify.deliver import Delivery
from proxstate.notify.dispatch import deliver
from proxstate.notify.events import Message
from proxstate.notify.settings import NotifyTarget

_CHANGE = ResourceChange(
    cluster="example",
    resource_id="qemu/100",
    action="modified",
    name="sample-vm",
    fields=(
        FieldChange("config.memory", "changed", 2048, 4096, ChangeClass.HARDWARE),
        FieldChange("config.net0.bridge", "changed", "vmbr0", "vmbr1", ChangeClass.NETWORK),
    ),
    classes=(ChangeClass.HARDWARE, ChangeClass.NETWORK),
)


def chosen(targets: Sequence[NotifyTarget], name: str | None) -> list[NotifyTarget]:
    """Every target, or the one named by its name, its label (`$VARIABLE`, the file) or its number."""
    if name is None:
        return list(targets)
    found = [
        target
        for number, target in enumerate(targets, start=1)
        if name in (target.name, target.label, target.url_env, str(number))
    ]
    if not found:
        known = ", ".join(f"{n} {t.label}" for n, t in enumerate(targets, start=1)) or "none"
        raise UsageError(f"no notify target {name!r} in proxstate.yaml (targets: {known})")
    return found


def send_samples(
    targets: Sequence[NotifyTarget], *, env: Mapping[str, str], withheld: frozenset[str], repository: str
) -> list[Delivery]:
    """A sample change message to each target: nothing is remembered, no filter applies."""
    changeset = ChangeSet(base=None, target=None, resources=(_CHANGE,))
    deliveries = []
    for target in targets:
        message = Message(
            target=target,
            event="changes",
            cluster="example",
            title="proxstate: test notification (a sample change)",
            changeset=changeset,
            status="test",
            note="A test of this target (proxstate notify --test): the change below did not happen.",
        )
        deliveries.append(deliver(message, env=env, withheld=withheld, repository=repository))
    return deliveries
