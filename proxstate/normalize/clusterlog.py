"""PVE's cluster log, one document per UTC day for the whole cluster (`cluster-log/<YYYY-MM-DD>`).

Entries are keyed as PVE's own `id` spells them (`<uid>:<node>`, pve-manager PVE/API2/Cluster.pm
`log`): `uid` counts on the node that wrote the entry, so the pair names one entry for good, and
the log read again (it overlaps the last reading) adds nothing twice. Ordered by time, node, uid.
The values of secret parameters in a logged update are masked: qemu-server writes
`-cipassword <hidden>` itself, but a key named in `mask_keys` or another kind's secret is not
hidden by PVE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from proxstate.normalize.masking import MASKED, is_secret
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.resources.coerce import to_int_or_none
from proxstate.resources.inventory import Payload
from proxstate.resources.kinds import CLUSTER_LOG
from proxstate.resources.logmessages import join_update, parse_update

_FIELDS = ("time", "node", "user", "tag", "pri", "pid", "msg")
_INTEGERS = frozenset({"time", "pri", "pid"})


def entry_key(entry: Mapping[str, Any]) -> str | None:
    """`<uid>:<node>`, PVE's `id` of an entry; None for an entry without a uid or node."""
    uid = to_int_or_none(entry.get("uid"))
    node = entry.get("node")
    if uid is None or not isinstance(node, str) or not node:
        return None
    return f"{uid}:{node}"


def _day(time: int) -> str | None:
    try:
        return datetime.fromtimestamp(time, tz=UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return None


def masked_message(message: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """The message with the values of secret parameters masked."""
    update = parse_update(message)
    if update is None or update.resize:
        return message
    params = list(update.params)
    # PVE's own `<hidden>` says as much as a mask, and says that PVE hid it.
    secret = [
        is_secret(update.kind, name, options.mask_keys) and value != "<hidden>" for name, value in params
    ]
    if not any(secret):
        return message
    head = message[: message.index(":") + 1]
    return join_update(
        head, [(name, MASKED if hide else value) for (name, value), hide in zip(params, secret, strict=True)]
    )


def _entry(entry: Mapping[str, Any], options: NormalizeOptions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in _FIELDS:
        value = entry.get(field)
        if value is None or value == "":
            continue
        if field in _INTEGERS:
            number = to_int_or_none(value)
            out[field] = number if number is not None else str(value)
        else:
            out[field] = str(value)
    if isinstance(out.get("msg"), str):
        out["msg"] = masked_message(out["msg"], options)
    return out


def sort_entries(entries: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Entries in the order they happened: time, node, uid."""

    def order(item: tuple[str, dict[str, Any]]) -> tuple[int, str, int]:
        time = item[1].get("time")
        uid, _, node = item[0].partition(":")
        return (time if isinstance(time, int) else 0, node, int(uid) if uid.isdigit() else 0)

    return dict(sorted(entries.items(), key=order))


def normalize_cluster_log(
    entries: Iterable[Payload], *, options: NormalizeOptions = DEFAULT_OPTIONS
) -> dict[str, dict[str, Any]]:
    """The entries read, one document per UTC day of their time, keyed by resource id."""
    days: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        key = entry_key(entry)
        time = to_int_or_none(entry.get("time"))
        day = _day(time) if time is not None and time >= 0 else None
        if key is None or day is None:
            continue  # not an entry PVE writes: nothing to file it under
        days.setdefault(day, {})[key] = _entry(entry, options)
    return {
        f"{CLUSTER_LOG}/{day}": {"kind": CLUSTER_LOG, "date": day, "entries": sort_entries(days[day])}
        for day in sorted(days)
    }


def merge_log_documents(previous: Mapping[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """One day as recorded before plus what was read now: the ring buffer forgets, the record not."""
    before = previous.get("entries") if previous else None
    if not isinstance(before, Mapping):
        return current
    merged = {str(key): value for key, value in before.items() if isinstance(value, dict)}
    merged.update(current.get("entries") or {})
    return {**current, "entries": sort_entries(merged)}


__all__ = ["entry_key", "masked_message", "merge_log_documents", "normalize_cluster_log", "sort_entries"]
