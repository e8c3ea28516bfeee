"""Values the record keeps encoded, shown as a person reads them (the record stays as PVE wrote it).

- `sshkeys` (cloud-init): PVE stores the keys URL-encoded in one string. A report shows one key a
  line, and a change of them key by key (`+ key ssh-ed25519 AAAA... alice@laptop`).
- `smbios1`: with `base64` set, PVE stores `manufacturer`, `product`, `version`, `serial`, `sku`
  and `family` base64-encoded. A report shows them decoded, followed by `(base64)`. A single such
  field that changed comes without the flag beside it: it is decoded when it is valid base64 whose
  text is printable and encodes back to the same string, which a plain value such as `QEMU` or
  `Dell` is not.
- Times PVE records as seconds since 1970 (`snaptime`, a task's `starttime` and `endtime`, a
  volume's `ctime`): shown as `2026-11-25 10:02 UTC`.

`shown_fields` is what both the text and the Markdown report show of a resource's fields: decoded,
and a mapping that appeared or went (a pending section, a snapshot, a NIC) field by field.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from proxstate.diff import ChangeClass, FieldChange, is_masked
from proxstate.diff.collections import Collection
from proxstate.diff.elements import list_elements
from proxstate.report.values import NOTE_MASKED, leaves

_TIMES = frozenset({"snaptime", "starttime", "endtime", "ctime"})
_YEAR_10000 = 253402300800
_SMBIOS_ENCODED = frozenset({"manufacturer", "product", "version", "serial", "sku", "family"})
_KEYS = Collection(resources=".*", path="", noun="key", show_key=False)


def shown_fields(fields: Iterable[FieldChange]) -> tuple[FieldChange, ...]:
    """The fields as reports show them: decoded, an added or removed mapping field by field, and
    a day's tasks (one field each) together, so that the failed ones come first."""
    shown: list[FieldChange] = []
    tasks = [field for field in fields if len(field.elements) == 1 and field.elements[0].noun == "task"]
    if len(tasks) > 1:
        elements = tuple(element for field in tasks for element in field.elements)
        together = dataclasses.replace(tasks[0], path=tasks[0].path.split(".", 1)[0], elements=elements)
        fields = [together, *(field for field in fields if field not in tasks)]
    for field in fields:
        value = field.new if field.action == "added" else field.old
        if (
            field.secret
            or field.elements
            or field.action == "changed"
            or not isinstance(value, dict)
            or not value
        ):
            shown.append(readable(field))
            continue
        for path, item in leaves(value):
            old, new = (None, item) if field.action == "added" else (item, None)
            shown.append(
                readable(FieldChange(f"{field.path}.{path}", field.action, old, new, field.change_class))
            )
    return tuple(shown)


def readable(field: FieldChange) -> FieldChange:
    """`field` with its values decoded for reading; the field itself when nothing is encoded."""
    if field.secret:
        return field
    leaf = field.path.rpartition(".")[2]
    if leaf in _TIMES:
        return dataclasses.replace(field, old=_time(field.old), new=_time(field.new))
    if leaf == "sshkeys":
        old, new = _keys(field.old), _keys(field.new)
        if old is None and new is None:
            return field
        elements = list_elements(_KEYS, old or [], new or [])
        return dataclasses.replace(field, old=old, new=new, elements=elements)
    if leaf == "smbios1":
        return dataclasses.replace(field, old=_smbios(field.old), new=_smbios(field.new))
    parent = field.path.rsplit(".", 2)
    if len(parent) >= 2 and parent[-2] == "smbios1" and leaf in _SMBIOS_ENCODED:
        return dataclasses.replace(field, old=_guess(field.old), new=_guess(field.new))
    return field


def readable_value(path: str, value: Any) -> Any:
    """One recorded value, decoded as `readable` decodes a field's (for the facts of a document);
    a masked secret (even its keyed hash) is `(secret)`."""
    if is_masked(value):
        return NOTE_MASKED
    return readable(FieldChange(path, "added", None, value, ChangeClass.CONFIG)).new


def _time(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _YEAR_10000:
        return value
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _keys(value: Any) -> list[str] | None:
    if not isinstance(value, str):
        return None
    return [line.strip() for line in unquote(value).splitlines() if line.strip()]


def _smbios(value: Any) -> Any:
    if not isinstance(value, Mapping) or value.get("base64") not in (True, 1, "1"):
        return value
    return {
        key: _decoded(item) if key in _SMBIOS_ENCODED and isinstance(item, str) else item
        for key, item in value.items()
        if key != "base64"
    }


def _decoded(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8") + " (base64)"
    except (binascii.Error, UnicodeDecodeError):
        return text


def _guess(value: Any) -> Any:
    if not isinstance(value, str) or len(value) % 4 or not value:
        return value
    try:
        raw = base64.b64decode(value, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value
    if not text.isprintable() or base64.b64encode(raw).decode("ascii") != value:
        return value
    return f"{text} (base64)"
