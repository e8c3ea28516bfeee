"""Secrets left in a document that was already written: what `proxstate scan` looks for.

A document an older version of proxstate recorded may hold a secret this version masks: a key
whose value is a secret, written without its marker (snapshot configs were not masked before), or
a string the secret detector flags. This finds both, without changing the document.
"""

from __future__ import annotations

from typing import Any

from proxstate.normalize.detector import find_secrets
from proxstate.normalize.masking import is_secret
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.rules import SECRET_KEYS, SECRET_RAW_LXC_KEYS
from proxstate.normalize.scrub import Detection, is_allowed
from proxstate.resources.catalog import ENTRIES
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import LXC, SNAPSHOT_CONFIG, kind_of

UNMASKED = "secret key not masked"
# The keys each kind masks; in a recorded document a value under one of them is a marker.
_CATALOG_SECRETS: dict[str, frozenset[str]] = {}
for _entry in ENTRIES:
    _CATALOG_SECRETS[_entry.kind] = _CATALOG_SECRETS.get(_entry.kind, frozenset()) | _entry.secrets
_MARKER = "<masked"
_MIN_LENGTH = 6


def secret_keys(resource_id: str) -> frozenset[str]:
    """The keys masked in documents of this resource's kind (a snapshot config: its guest's).

    `resource_id` may be a path (a file of the record that names no resource): no kind's keys."""
    kind = kind_of(resource_id)
    if kind == SNAPSHOT_CONFIG:
        rid = ResourceId.parse_or_none(resource_id)
        kind = rid.parts[0] if rid is not None and rid.parts else ""
    raw = SECRET_RAW_LXC_KEYS if kind == LXC else frozenset()
    return SECRET_KEYS.get(kind, frozenset()) | _CATALOG_SECRETS.get(kind, frozenset()) | raw


def _unmasked(key: str, value: Any, secret: frozenset[str], options: NormalizeOptions) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return False
    if not (key in secret or (options.mask_keys and is_secret("", key, options.mask_keys))):
        return False
    text = str(value)
    # PVE's own placeholder (`cipassword: '**********'`) is no secret.
    return bool(text) and not text.startswith(_MARKER) and text.strip("*") != ""


def secrets_in(resource_id: str, document: Any, *, options: NormalizeOptions) -> list[Detection]:
    """The secrets a recorded document still holds, by path (never the values)."""
    found: list[Detection] = []
    secret = secret_keys(resource_id)

    def report(path: list[str], rule: str) -> None:
        field = ".".join(path)
        if not is_allowed(resource_id, field, options.allow_secrets):
            found.append(Detection(resource_id, field, rule))

    def walk(value: Any, path: list[str]) -> None:
        # Only containers recurse: most values are short strings or numbers, checked in place.
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, str):
                short = len(item) < _MIN_LENGTH or item.startswith(_MARKER)
                if short and not _unmasked(str(key), item, secret, options):
                    continue
                path.append(str(key))
                if _unmasked(str(key), item, secret, options):
                    report(path, UNMASKED)
                else:
                    for rule in dict.fromkeys(hit.rule for hit in find_secrets(item)):
                        report(path, rule)
                path.pop()
            elif isinstance(item, dict | list):
                path.append(str(key))
                walk(item, path)
                path.pop()
            elif _unmasked(str(key), item, secret, options):
                report([*path, str(key)], UNMASKED)

    if isinstance(document, dict | list):
        walk(document, [])
    return found


def secrets_in_text(text: str) -> list[str]:
    """The rules the detector matches in a free text (a commit message)."""
    return list(dict.fromkeys(hit.rule for hit in find_secrets(text)))
