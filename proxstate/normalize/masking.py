"""Masking of secret config values: a fixed marker, or a keyed hash that still shows a change."""

from __future__ import annotations

import hashlib
import hmac
import re
from fnmatch import translate
from functools import lru_cache
from typing import Any

from proxstate.normalize.rules import SECRET_KEYS

MASKED = "<masked>"
_GLOB_CHARS = frozenset("*?[")


def _text(value: Any) -> str:
    # The text PVE stores: booleans as 1/0, numbers in decimal.
    if isinstance(value, bool):
        return "1" if value else "0"
    return value if isinstance(value, str) else str(value)


def mask_value(value: Any, *, key: str, secret: bytes | None) -> str:
    """`<masked:` + 16 hex of HMAC-SHA256(secret, key NUL value) + `>`, or `<masked>` without secret.

    With a secret, a changed password shows as a changed marker without revealing either value;
    the key is part of the hashed text so equal values under different keys do not match.
    """
    if secret is None:
        return MASKED
    message = f"{key}\0{_text(value)}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return f"<masked:{digest[:16]}>"


@lru_cache(maxsize=64)
def _extra_matcher(mask_keys: frozenset[str]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    exact = frozenset(key for key in mask_keys if not _GLOB_CHARS.intersection(key))
    globs = sorted(key for key in mask_keys if _GLOB_CHARS.intersection(key))
    pattern = re.compile("|".join(translate(glob) for glob in globs)) if globs else None
    return exact, pattern


def is_secret(kind: str, key: str, mask_keys: frozenset[str] = frozenset()) -> bool:
    """Whether a config key of this kind is masked: a known secret, or named in mask_keys.

    mask_keys holds exact key names or globs (`ipconfig*`).
    """
    if key in SECRET_KEYS.get(kind, ()):
        return True
    if not mask_keys:
        return False
    exact, pattern = _extra_matcher(mask_keys)
    return key in exact or (pattern is not None and pattern.match(key) is not None)
