"""Config mappings of guests and storages: typed, property strings parsed, secrets masked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from proxstate.normalize.masking import is_secret, mask_value
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.propstring import (
    PropertyStringError,
    build_property_string,
    format_value,
    parse_property_string,
)
from proxstate.normalize.rules import (
    DEFAULT_LIST_SEPARATOR,
    DROPPED_CONFIG_KEYS,
    LIST_SEPARATORS,
    SECRET_RAW_LXC_KEYS,
    SET_KEYS,
)
from proxstate.normalize.schema import key_spec
from proxstate.normalize.values import natural_key, plain, sorted_set, split_list, typed
from proxstate.resources.kinds import LXC

# The key under which PVE's /config lists a container's raw LXC lines (pve-container's vm_config).
RAW_LXC_KEY = "lxc"


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return None


def normalize_value(kind: str, key: str, value: Any) -> Any:
    """One config value, typed from the schema; kept as sent when it does not fit.

    A property string becomes a mapping, except for formats with a single key (`memory`:
    `[current=]<int>`, `unusedN`: `[file=]<volume>`), which record that key's value, so
    `memory: 2048` reads the same from PVE 7 (an integer) and PVE 8/9 (a property string).
    """
    if kind == LXC and key == RAW_LXC_KEY:
        return _raw_lxc(value)
    spec = key_spec(kind, key)
    if spec is None:
        return plain(value)
    if spec.format is not None:
        text = _as_text(value)
        if text is None:
            return plain(value)
        try:
            parsed = parse_property_string(text, spec.format)
        except PropertyStringError:
            return plain(value)
        single = spec.format.single_key
        if single is not None and len(parsed) == 1 and single in parsed:
            value = parsed[single]
            # `file=a=b` keeps its mapping: the bare text `a=b` would not read back the same.
            if not (isinstance(value, str) and "=" in value):
                return value
        return parsed
    if spec.list is not None:
        if not isinstance(value, str):
            return plain(value)
        items = split_list(value, spec.list)
        return sorted_set(items) if key in SET_KEYS.get(kind, ()) else items
    return typed(value, spec.type)


def _raw_lxc(value: Any) -> Any:
    """A container's raw `lxc.*` lines, which PVE gives as `[[key, value], ...]`, as one-key
    mappings in file order (the order matters to LXC, and a key may repeat)."""
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in value
    ):
        return plain(value)
    return [{pair[0]: plain(pair[1])} for pair in value]


def config_value(kind: str, key: str, value: Any, *, options: NormalizeOptions) -> Any:
    """normalize_value, or the masked marker for a secret key."""
    if is_secret(kind, key, options.mask_keys):
        return mask_value(value, key=key, secret=options.mask_secret)
    normalized = normalize_value(kind, key, value)
    if kind == LXC and key == RAW_LXC_KEY and isinstance(normalized, list):
        return [_masked_raw_line(line, options=options) for line in normalized]
    return normalized


def _masked_raw_line(line: Any, *, options: NormalizeOptions) -> Any:
    """A raw LXC line with its value masked where the key sets the container's environment."""
    if not isinstance(line, dict):
        return line
    return {
        key: mask_value(value, key=key, secret=options.mask_secret) if key in SECRET_RAW_LXC_KEYS else value
        for key, value in line.items()
    }


def normalize_config(kind: str, config: Mapping[str, Any], *, options: NormalizeOptions) -> dict[str, Any]:
    """All config keys but the dropped ones (digest, ...), naturally sorted (`net2` before `net10`)."""
    dropped = DROPPED_CONFIG_KEYS.get(kind, frozenset())
    values = {str(key): value for key, value in config.items()}
    return {
        key: config_value(kind, key, values[key], options=options)
        for key in sorted_keys(values)
        if key not in dropped
    }


def sorted_keys(keys: Iterable[str]) -> list[str]:
    return sorted((str(key) for key in keys), key=natural_key)


def build_config_value(kind: str, key: str, value: Any) -> str:
    """The text PVE would hold for a recorded config value (the inverse of normalize_value).

    Raises PropertyStringError when the value cannot be written (a mapping that is not a valid
    property string). Masked values give back their marker.
    """
    if kind == LXC and key == RAW_LXC_KEY and isinstance(value, list):
        # Not a single value in PVE's file: one `key: value` line per entry.
        return "\n".join(f"{k}: {v}" for item in value if isinstance(item, Mapping) for k, v in item.items())
    spec = key_spec(kind, key)
    if spec is not None and spec.format is not None:
        if isinstance(value, Mapping):
            return build_property_string(value, spec.format)
        single = spec.format.single_key
        if single is not None and not isinstance(value, str | list | dict):
            return build_property_string({single: value}, spec.format)
    if spec is not None and spec.list is not None and isinstance(value, list):
        return LIST_SEPARATORS.get(key, DEFAULT_LIST_SEPARATOR).join(str(item) for item in value)
    text = _as_text(value)
    if text is not None:
        return text
    return format_value(key, value)
