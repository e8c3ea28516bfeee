"""Documents that hold nothing configured, which are not written: absence means "nothing configured".

Two sorts of declarative documents (proxstate.resources.catalog) differ here:

- an **object** someone created (a pool, a job, a user, an IP set, a security group: an item of a
  list, or an object read by the name a list gave) exists by itself: its document is written even
  when it holds nothing else, because that it exists is the fact;
- a **section** every cluster, node or guest has whether anyone configured it or not (firewall
  options, rules and aliases, a node's DNS or vzdump defaults, a user's token list) is written only
  when something in it is configured: an empty list, an empty text, or options that hold only the
  defaults the official PVE schema declares (`enable: 0` of a guest's firewall is its default; a
  `policy_in` set explicitly is configuration, as the schema declares no default for it).

The content of a storage on a node with no volumes is not written either. Guests, nodes, storages,
the cluster and task days always hold something.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from proxstate.normalize.declared import clean_value, declared_defaults
from proxstate.resources.catalog import ENTRIES, Entry
from proxstate.resources.kinds import CONTENT, kind_of

Document = dict[str, Any]
_IDENTITY = frozenset({"kind", "id"})
_CONTENT_IDENTITY = frozenset({"kind", "storage", "node"})


def is_section(entry: Entry) -> bool:
    """Whether the entry's documents are sections (see above) rather than objects."""
    if entry.mode == "items":
        return False
    last = entry.rid.rsplit("/", 1)[-1]
    names_an_object = last.startswith("{") and last[1:-1] in entry.sources
    # A user's token list is read from the user's own answer: a section of the user, not the user.
    return not names_an_object or entry.read_from is not None


@cache
def _sections() -> tuple[tuple[re.Pattern[str], Entry], ...]:
    out = []
    for entry in ENTRIES:
        if is_section(entry):
            parts = [
                re.escape(part) if not part.startswith("{") else "[^/]+" for part in entry.rid.split("/")
            ]
            out.append((re.compile("/".join(parts)), entry))
    return tuple(out)


def section_of(resource_id: str) -> Entry | None:
    """The catalog entry whose section the resource id is, if it is one."""
    for pattern, entry in _sections():
        if pattern.fullmatch(resource_id):
            return entry
    return None


@cache
def _defaults(path: str) -> Document:
    """The schema's defaults of one entry's fields, typed exactly as the recorded values are."""
    entry = next(e for e in ENTRIES if e.path == path)
    return {key: clean_value(entry, key, value) for key, value in declared_defaults(path).items()}


def _only_defaults(entry: Entry, config: Any) -> bool:
    if not isinstance(config, dict):
        return False
    defaults = _defaults(entry.path)
    return all(key in defaults and defaults[key] == value for key, value in config.items())


def holds_nothing(resource_id: str, document: Document) -> bool:
    """Whether the document says nothing but "nothing is configured" (and so is not written)."""
    if kind_of(resource_id) == CONTENT:
        return set(document) <= _CONTENT_IDENTITY | {"volumes"} and not document.get("volumes")
    entry = section_of(resource_id)
    if entry is None:
        return False
    for key, value in document.items():
        if key in _IDENTITY:
            continue
        if key == "config":
            if not _only_defaults(entry, value):
                return False
        elif key in ("entries", "text"):
            if value:
                return False
        else:
            return False  # pending changes, a comment, a value of another shape: something
    return True
