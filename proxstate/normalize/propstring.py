"""PVE property strings (`virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1`) as mappings.

Parsing follows PVE's parse_property_string: parts split on `,`, `key=value` (the value may hold
`=`), a part without `=` is the value of the format's default key, an alias names its canonical
key, and a shorthand key (`virtio=<mac>`) sets both the key it stands for (`model: virtio`) and its
alias target (`macaddr: <mac>`). Keys the schema does not know are kept as strings, so a newer PVE
is still recorded in full. Values are typed from the schema; a value that does not fit its type
stays the string PVE sent.

Building writes the default key bare and first (`local:vm-100-disk-0,size=32G`), the NIC shorthand
(`virtio=<mac>`) where the mapping has both model and MAC, then the keys the schema requires (a
container NIC's `name`, a mount point's `mp`), then the other keys, each group sorted by name,
booleans as 1/0 and lists joined with `;`: PVE's own canonical form. Aliases are written as their
canonical key (`bps_rd_length` becomes `bps_rd_max_length`); the meaning is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxstate.normalize.schema import KeySpec, PropertyFormat, named_format
from proxstate.normalize.values import split_list, typed

# Inside a property string `,` separates keys, so lists are written with `;`.
LIST_JOIN = ";"
_LIST_FORBIDDEN = frozenset(",; \t\n\r\0")


class PropertyStringError(ValueError):
    """The text is not a property string of the format, or a mapping cannot be written as one."""


def _resolve(fmt: PropertyFormat | str) -> PropertyFormat:
    if isinstance(fmt, PropertyFormat):
        return fmt
    try:
        return named_format(fmt)
    except KeyError:
        raise PropertyStringError(f"unknown property-string format {fmt!r}") from None


def _split(text: str, fmt: PropertyFormat) -> dict[str, str]:
    """Parts of the text by canonical key, values still as sent."""
    raw: dict[str, str] = {}
    for part in text.split(","):
        if not part or part.isspace():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            key = fmt.default_key or ""
            if not key:
                raise PropertyStringError(f"value {part!r} without key, and the format has no default key")
            value = part
        elif not key or not value:
            raise PropertyStringError(f"missing key or value in {part!r}")
        else:
            canonical = fmt.aliases.get(key)
            if canonical is not None:
                implied = fmt.key_aliases.get(key)
                if implied is not None:
                    if implied in raw:
                        raise PropertyStringError(f"duplicate key {implied!r}")
                    raw[implied] = key
                key = canonical
        if key in raw:
            raise PropertyStringError(f"duplicate key {key!r}")
        raw[key] = value
    if not raw:
        raise PropertyStringError("empty property string")
    return raw


def typed_value(value: str, spec: KeySpec | None) -> Any:
    """One value of a property string, typed by its key spec (unknown keys stay strings)."""
    if spec is None:
        return value
    if spec.list is not None:
        return split_list(value, spec.list)
    return typed(value, spec.type)


def parse_property_string(text: str, fmt: PropertyFormat | str) -> dict[str, Any]:
    """The mapping of a property string: default key first, then the other keys sorted.

    Raises PropertyStringError when the text does not parse (a part without key and no default
    key, an empty key or value, a duplicate key, nothing at all).
    """
    fmt = _resolve(fmt)
    raw = _split(text, fmt)
    keys = fmt.keys
    result: dict[str, Any] = {}
    default_key = fmt.default_key
    if default_key is not None and default_key in raw:
        result[default_key] = typed_value(raw.pop(default_key), keys.get(default_key))
    for key in sorted(raw):
        result[key] = typed_value(raw[key], keys.get(key))
    return result


def format_value(key: str, value: Any) -> str:
    """One value as PVE writes it in a property string."""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, list | tuple):
        items = [format_value(key, item) for item in value]
        if not items or any(not item or _LIST_FORBIDDEN.intersection(item) for item in items):
            raise PropertyStringError(f"list of {key!r} cannot be written in a property string")
        text = LIST_JOIN.join(items)
    elif isinstance(value, str):
        text = value
    else:
        raise PropertyStringError(f"value of {key!r} is a {type(value).__name__}, not a scalar or list")
    if not text or "," in text:
        raise PropertyStringError(f"value of {key!r} is empty or holds a comma")
    return text


def _shorthand(items: dict[str, Any], fmt: PropertyFormat) -> str | None:
    """`virtio=<mac>` when the mapping has a model with a shorthand and the MAC it stands for."""
    for implied in set(fmt.key_aliases.values()):
        name = items.get(implied)
        if isinstance(name, str) and fmt.key_aliases.get(name) == implied:
            target = fmt.aliases[name]
            if items.get(target) is not None:
                text = f"{name}={format_value(target, items.pop(target))}"
                del items[implied]
                return text
    return None


def build_property_string(mapping: Mapping[str, Any], fmt: PropertyFormat | str) -> str:
    """The property string of a mapping (the inverse of parse_property_string).

    Keys with the value None are left out. Raises PropertyStringError when a key or value cannot
    be written (empty, holding `,`, a key holding `=`).
    """
    fmt = _resolve(fmt)
    items = {key: value for key, value in mapping.items() if value is not None}
    for key in items:
        if not key or "=" in key or "," in key:
            raise PropertyStringError(f"key {key!r} cannot be written in a property string")
    parts: list[str] = []
    if fmt.key_aliases and (shorthand := _shorthand(items, fmt)) is not None:
        parts.append(shorthand)
    default_key = fmt.default_key
    if default_key is not None and default_key in items:
        text = format_value(default_key, items.pop(default_key))
        bare = "=" not in text and not text.isspace()
        parts.insert(0, text if bare else f"{default_key}={text}")
    # PVE's print_property_string: the required keys first, then the others, each sorted by name.
    ordered = sorted(items, key=lambda key: (key not in fmt.required, key))
    parts.extend(f"{key}={format_value(key, items[key])}" for key in ordered)
    if not parts:
        raise PropertyStringError("an empty mapping has no property string")
    return ",".join(parts)
