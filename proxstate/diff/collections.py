"""Which values of a document are collections compared element by element, and how, as data.

A reviewer reads a firewall rule, an IP-set entry or an ACL entry as one thing: a change report says
that one rule was added, not that a list of rules became another list. Each `Collection` names the
documents it applies to (a pattern of resource ids), the field holding the elements, the noun a
report calls one element, what identifies an element, and the fields that describe it on one line.

- A collection recorded as a mapping (IP-set entries by cidr, aliases by name, tasks by UPID,
  volumes by volid) is identified by its keys.
- A list with `identity` fields (ACL entries: path, user/group/token, role) is identified by them.
- A list without (firewall rules, whose every field is what the rule is) is identified by its
  content: an inserted rule is one added rule, the others moved.
- Any other list is a `DEFAULT` collection of "items" identified by content, in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from proxstate.resources.kinds import CONTENT, TASKS


@dataclass(frozen=True, kw_only=True)
class Collection:
    resources: str  # a regular expression the whole resource id matches
    path: str  # the dotted path of the field that holds the elements
    noun: str  # what a report calls one element: `rule`, `entry`
    identity: tuple[str, ...] = ()  # fields identifying a list element; () = its whole content
    ordered: bool = False  # the order of a list is meaningful: a change of position is reported
    label: tuple[str, ...] = ()  # fields describing an element, in this order; () = all of them
    keyword: bool = True  # label fields written `name value`, not the bare value
    show_key: bool = True  # reports name an element by its key (a UPID says less than its label)

    def matches(self, resource_id: str, path: str) -> bool:
        return path == self.path and re.fullmatch(self.resources, resource_id) is not None


_FIREWALL = r"(?:firewall|guest-firewall)/.+"
# A rule reads as PVE's own rules file writes it: `IN DROP -source 203.0.113.0/24 ...`.
_RULE_LABEL = ("macro", "proto", "source", "sport", "dest", "dport", "iface", "icmp-type", "log", "comment")

COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        resources=rf"{_FIREWALL}/rules|firewall/cluster/group/.+|sdn/vnet-firewall/.+/rules",
        path="entries",
        noun="rule",
        ordered=True,
        label=_RULE_LABEL,
    ),
    Collection(
        resources=rf"{_FIREWALL}/ipset/.+", path="entries", noun="entry", label=("nomatch", "comment")
    ),
    Collection(resources=rf"{_FIREWALL}/aliases", path="entries", noun="alias", label=("cidr", "comment")),
    Collection(
        resources=r"access/acl",
        path="entries",
        noun="ACL entry",
        identity=("path", "type", "ugid", "roleid"),
        label=("propagate",),
    ),
    Collection(resources=r"access/tokens/.+", path="entries", noun="token"),
    Collection(resources=r"access/tfa", path="entries", noun="second factors of"),
    Collection(resources=r"network/.+", path="entries", noun="interface", label=("type", "cidr", "method")),
    Collection(resources=r"corosync/nodes", path="entries", noun="member"),
    Collection(
        resources=rf"{TASKS}/.+",
        path="tasks",
        noun="task",
        label=("type", "id", "user", "status"),
        keyword=False,
        show_key=False,
    ),
    Collection(resources=rf"{CONTENT}/.+", path="volumes", noun="volume", label=("vmid", "content", "size")),
    Collection(
        resources=r"cluster-log/.+",
        path="entries",
        noun="log entry",
        label=("node", "user", "msg"),
        keyword=False,
        show_key=False,
    ),
)

DEFAULT = Collection(resources=r".*", path="", noun="item", ordered=True)


def collection_of(resource_id: str, path: str) -> Collection | None:
    """The declared collection at `path` of the document of `resource_id`, if one is."""
    return next((entry for entry in COLLECTIONS if entry.matches(resource_id, path)), None)


def title(collection: Collection, key: str) -> str:
    """How a report names an element: `entry 203.0.113.0/24`, `ACL entry /vms/101 ...`, `rule`
    (a list identified by content is named by its position, which the report adds)."""
    named = collection.show_key and (collection.identity or not collection.ordered)
    return f"{collection.noun} {key}" if named and key else collection.noun


def describe(collection: Collection, element: Any) -> str:
    """One line saying what an element is: `IN DROP source 203.0.113.0/24 comment "block scanner"`."""
    if isinstance(element, str):
        return element  # a plain element is its own description (an ssh key holds spaces)
    if not isinstance(element, Mapping):
        return _word(element)
    if collection.noun == "rule":
        return _rule(element)
    if collection.noun == "task":
        return task_line(element)
    keys: Sequence[str] = collection.label or list(element)
    words = []
    for key in keys:
        if key not in element:
            continue
        value = element[key]
        if value is True and collection.keyword:
            words.append(str(key))
        elif key == "size" and isinstance(value, int) and not isinstance(value, bool):
            words.append(f"size {binary_size(value)}")
        elif collection.keyword:
            words.append(f"{key} {_word(value)}")
        else:
            words.append(_word(value))
    return " ".join(words)


def task_line(task: Mapping[str, Any]) -> str:
    """`qmstart 109 by root@pam: TASK ERROR: ...`: type, guest (or other id), user, status."""
    text = " ".join(str(task[key]) for key in ("type", "id") if task.get(key) not in (None, ""))
    if task.get("user"):
        text += f" by {task['user']}"
    if task.get("status"):
        text += f": {task['status']}"
    return text


def failed_task(task: Any) -> bool:
    """A finished task whose status is neither OK nor warnings (a running one has none)."""
    status = str(task.get("status") or "") if isinstance(task, Mapping) else ""
    return status not in ("", "OK") and not status.startswith("WARNINGS")


def binary_size(size: int) -> str:
    """`32 GiB`, `1.5 MiB`, `512 B`: bytes as PVE's GUI shows them."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            text = f"{value:.1f}".removesuffix(".0") if unit != "B" else str(size)
            return f"{text} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop returns at TiB


def _rule(rule: Mapping[str, Any]) -> str:
    words = [str(rule.get("type", "")).upper(), _word(rule.get("action", ""))]
    words = [word for word in words if word]
    for key in _RULE_LABEL:
        if key in rule and rule[key] not in (None, ""):
            words.append(f"{key} {_word(rule[key])}")
    if "enable" in rule and rule["enable"] in (0, False, "0"):
        words.append("(disabled)")
    # `ipversion` is what PVE derives from the addresses; `pos` only repeats the list's order.
    rest = [key for key in rule if key not in (*_RULE_LABEL, "type", "action", "enable", "pos", "ipversion")]
    words.extend(f"{key} {_word(rule[key])}" for key in rest)
    return " ".join(words)


_BARE = re.compile(r"[^\s\"\\]+")


def _word(value: Any) -> str:
    """A value as one word: bare when it is one, quoted when it holds spaces or is empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list | tuple):
        return "{" + ", ".join(f"{key}: {_word(item)}" for key, item in _items(value)) + "}"
    text = str(value)
    if _BARE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _items(value: Mapping[Any, Any] | list[Any] | tuple[Any, ...]) -> list[tuple[Any, Any]]:
    return list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))
