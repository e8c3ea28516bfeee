"""Ignore rules: fields a user chose not to record, removed from the documents."""

from __future__ import annotations

import re
from fnmatch import translate
from functools import lru_cache
from typing import Any

from proxstate.normalize.options import IgnoreRule

# The identity of a document; without it the document could not be filed.
PROTECTED_FIELDS = frozenset({"kind"})

Segments = tuple[re.Pattern[str], ...]


@lru_cache(maxsize=32)
def _compile(rules: tuple[IgnoreRule, ...]) -> tuple[tuple[re.Pattern[str], Segments], ...]:
    compiled = []
    for rule in rules:
        segments = tuple(re.compile(translate(segment)) for segment in rule.field.split("."))
        compiled.append((re.compile(translate(rule.resource)), segments))
    return tuple(compiled)


def _consumed(key: str, segments: Segments) -> list[int]:
    """How many path segments a key matches: one (`*` matches a whole key, dots included), or one
    per dotted part of the key (`volumes.local:iso/debian.iso.notes` names the key with a dot)."""
    counts = []
    if segments[0].match(key):
        counts.append(1)
    if "." in key:
        parts = key.split(".")
        if len(parts) <= len(segments) and all(
            seg.match(part) for seg, part in zip(segments, parts, strict=False)
        ):
            counts.append(len(parts))
    return counts


def _remove(node: Any, segments: Segments) -> bool:
    """Remove what the path matches below this node; prune containers it leaves empty."""
    removed = False
    if isinstance(node, dict):
        for key in list(node):
            for count in _consumed(key, segments):
                if key not in node:
                    break
                rest = segments[count:]
                if not rest:
                    del node[key]
                    removed = True
                elif _remove(node[key], rest):
                    removed = True
                    if node[key] in ({}, []):
                        del node[key]
    elif isinstance(node, list):
        for index in reversed(range(len(node))):
            if not segments[0].match(str(index)):
                continue
            if len(segments) == 1:
                del node[index]
                removed = True
            elif _remove(node[index], segments[1:]):
                removed = True
    return removed


def apply_ignore_rules(resource_id: str, document: dict[str, Any], rules: tuple[IgnoreRule, ...]) -> None:
    """Remove, in place, every field of the document that a rule for this resource names."""
    if not rules:
        return
    for resource, segments in _compile(rules):
        if not resource.match(resource_id):
            continue
        protected = {key: document[key] for key in PROTECTED_FIELDS if key in document}
        _remove(document, segments)
        if protected.keys() - document.keys():
            # Put the identity back where it was: first.
            rest = {key: value for key, value in document.items() if key not in protected}
            document.clear()
            document.update(protected)
            document.update(rest)
