"""Defence in depth: every string of a document goes through the secret detector before it is written.

Key-based masking (masking.py) knows where PVE keeps secrets; this catches what administrators put
where no rule expects it: a password in a description, a token in a note, credentials in a proxy
URL. What the detector flags is replaced, inside the string, by the keyed hash key-based masking
uses (`<masked:0123456789abcdef>`), so the rest of the text stays readable and a change of the
secret still shows. A flagged value that is not a secret can be allowed by its path
(`allow_secrets` in proxstate.yaml); every value that was masked this way is reported, so such false
positives are seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from proxstate.normalize.masking import is_secret, mask_value
from proxstate.normalize.options import AllowRule, NormalizeOptions

_MARKER = "<masked"
_MIN_LENGTH = 6  # `pwd=ab`: nothing shorter holds a secret the detector can tell


@dataclass(frozen=True, slots=True)
class Detection:
    """A value the detector flagged: where it is and what it looked like; never the value."""

    resource_id: str
    field: str  # dotted path in the document (`config.description`, `snapshots.pre.description`)
    rule: str  # what the detector found (`URL credentials`, `Secret Keyword`, `GitHub Token`)


def is_allowed(resource_id: str, field: str, allow: tuple[AllowRule, ...]) -> bool:
    return any(fnmatchcase(resource_id, r.resource) and fnmatchcase(field, r.field) for r in allow)


def masked_text(text: str, *, key: str, secret: bytes | None) -> tuple[str, list[str]]:
    """The text with each span the detector flags masked, and the rules that flagged them."""
    # Imported on first use: detect-secrets and the rule tables cost about 90 ms, which the
    # history reports (show-changes, log) would pay for nothing, as they only read the record.
    from proxstate.normalize.detector import find_secrets

    hits = find_secrets(text)
    if not hits:
        return text, []
    out: list[str] = []
    done = 0
    for hit in hits:
        out.append(text[done : hit.start])
        out.append(mask_value(text[hit.start : hit.end], key=key, secret=secret))
        done = hit.end
    out.append(text[done:])
    return "".join(out), [hit.rule for hit in hits]


def _walk(container: dict[Any, Any] | list[Any], path: list[str], visit: Any) -> None:
    """visit(text, path) for every string below the container; a different answer replaces it.

    Strings too short to hold a secret are skipped here, without a call: a document has hundreds
    of values and most are short.
    """
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for key, item in list(items) if isinstance(container, list) else items:
        if isinstance(item, str):
            if len(item) >= _MIN_LENGTH and not item.startswith(_MARKER):
                path.append(str(key))
                new = visit(item, path)
                path.pop()
                if new is not item:
                    container[key] = new
        elif isinstance(item, dict | list):
            path.append(str(key))
            _walk(item, path, visit)
            path.pop()


def scrub_document(
    resource_id: str, document: dict[str, Any], *, options: NormalizeOptions
) -> list[Detection]:
    """Mask, in place, what the detector flags in the document's strings; what was masked, by path."""
    found: list[Detection] = []

    def visit(text: str, path: list[str]) -> str:
        masked, rules = masked_text(text, key=path[-1] if path else "", secret=options.mask_secret)
        if not rules:
            return text
        field = ".".join(path)
        if is_allowed(resource_id, field, options.allow_secrets):
            return text
        found.extend(Detection(resource_id, field, rule) for rule in dict.fromkeys(rules))
        return masked

    _walk(document, [], visit)
    return found


def _masked(kind: str, key: Any, value: Any, options: NormalizeOptions) -> Any:
    if value in (None, "") or not is_secret(kind, str(key), options.mask_keys):
        return value
    return mask_value(value, key=str(key), secret=options.mask_secret)


def mask_live(kind: str, resource_id: str, payload: Any, *, options: NormalizeOptions) -> Any:
    """A payload as the API gave it (a config, a storage definition, pending entries), with exactly
    the masking of the record: secret keys masked, every string through the detector.

    For the live views (`discover-* --verbose`), which show PVE's own values and types.
    """
    if isinstance(payload, dict):
        out: Any = {key: _masked(kind, key, value, options) for key, value in payload.items()}
    elif isinstance(payload, list):
        out = [
            {
                k: _masked(kind, entry.get("key"), v, options) if k in ("value", "pending") else v
                for k, v in entry.items()
            }
            if isinstance(entry, dict)
            else entry
            for entry in payload
        ]
    else:
        return payload
    scrub_document(resource_id, {"config": out}, options=options)
    return out
