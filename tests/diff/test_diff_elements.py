"""The list-identity matcher: which elements of a collection were added, removed, changed, moved."""

from __future__ import annotations

from typing import Any

from proxstate.diff.collections import DEFAULT, Collection, collection_of
from proxstate.diff.elements import list_elements


def _declared(resource_id: str, path: str) -> Collection:
    found = collection_of(resource_id, path)
    assert found is not None
    return found


RULES = _declared("firewall/cluster/rules", "entries")
ACL = _declared("access/acl", "entries")
SSH = {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "enable": 1}
WEB = {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "443", "enable": 1, "comment": "allow 443"}
PING = {"type": "in", "action": "ACCEPT", "macro": "Ping", "enable": 1}
DROP = {"type": "in", "action": "DROP", "source": "203.0.113.0/24", "enable": 1, "comment": "block scanner"}


def _seen(old: list[Any], new: list[Any], collection: Any = RULES) -> list[tuple[Any, ...]]:
    return [
        (e.action, e.old_position, e.new_position, e.reordered, e.label)
        for e in list_elements(collection, old, new)
    ]


def test_a_rule_inserted_in_front_is_one_added_rule_and_the_others_shifted() -> None:
    assert _seen([SSH, WEB, PING], [DROP, SSH, WEB, PING]) == [
        ("added", None, 1, False, 'IN DROP source 203.0.113.0/24 comment "block scanner"'),
        ("moved", 1, 2, False, "IN ACCEPT proto tcp dport 22"),
        ("moved", 2, 3, False, 'IN ACCEPT proto tcp dport 443 comment "allow 443"'),
        ("moved", 3, 4, False, "IN ACCEPT macro Ping"),
    ]


def test_an_edited_rule_is_one_changed_rule_with_its_fields() -> None:
    edited = {**WEB, "comment": "https", "enable": 0}
    (change,) = list_elements(RULES, [SSH, WEB], [SSH, edited])
    assert (change.action, change.old_position, change.new_position) == ("changed", 2, 2)
    assert change.changes == (("enable", 1, 0), ("comment", "allow 443", "https"))
    assert change.label == "IN ACCEPT proto tcp dport 443 comment https (disabled)"


def test_of_two_rules_swapped_one_is_reordered_and_a_removed_rule_is_named() -> None:
    assert _seen([SSH, WEB, PING], [WEB, SSH]) == [
        ("moved", 2, 1, True, 'IN ACCEPT proto tcp dport 443 comment "allow 443"'),
        ("moved", 1, 2, False, "IN ACCEPT proto tcp dport 22"),
        ("removed", 3, None, False, "IN ACCEPT macro Ping"),
    ]


def test_acl_entries_are_identified_by_path_user_and_role() -> None:
    alice = {
        "path": "/vms/101",
        "type": "user",
        "ugid": "alice@pve",
        "roleid": "PVEVMAdmin",
        "propagate": True,
    }
    ops = {"path": "/", "type": "group", "ugid": "ops", "roleid": "PVEAuditor", "propagate": True}
    changes = list_elements(
        ACL, [ops, alice], [{**alice, "propagate": False}, ops, {**alice, "roleid": "PVEVMUser"}]
    )
    assert [(e.action, e.key, e.changes) for e in changes] == [
        ("changed", "/vms/101 user alice@pve PVEVMAdmin", (("propagate", True, False),)),
        ("added", "/vms/101 user alice@pve PVEVMUser", ()),
    ]


def test_other_lists_are_items_by_content() -> None:
    assert _seen(["prod", "web"], ["web", "prod", "eu"], DEFAULT) == [
        ("moved", 2, 1, True, "web"),
        ("moved", 1, 2, False, "prod"),
        ("added", None, 3, False, "eu"),
    ]
    assert list_elements(DEFAULT, ["a", "a"], ["a", "a"]) == ()
