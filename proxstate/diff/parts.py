"""Where two versions of a document differ, cheaply: the fields a comparison can report lie there.

`compare` hands deepdiff only the parts of two documents that differ, two levels down (top-level
fields, then the keys of `config` and the like); every field change it reports is at or under one
of those parts. A reader that wants only some fields (blame, once most of its fields have found
their last change) can tell from these paths alone that a comparison would say nothing of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxstate.diff.compare import _SPLIT_DEPTH, _differing_parts


def differing_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The dotted paths (`config.memory`, `snapshots`) of the parts in which `old` and `new` differ:
    each field change `compare` finds between them has a path that starts with one of these."""
    return [
        ".".join(str(key) for key in prefix)
        for prefix, _old, _new in _differing_parts(old, new, (), depth=_SPLIT_DEPTH)
    ]


def may_concern(fields: Mapping[str, Any], paths: list[str]) -> bool:
    """Whether a change under any of `paths` may concern one of the dotted `fields`: one of them is
    above or under the other (as text: `config.net1` and `config.net10` count, which only makes
    the answer err towards comparing)."""
    return any(field.startswith(path) or path.startswith(field) for path in paths for field in fields)


__all__ = ["differing_paths", "may_concern"]
