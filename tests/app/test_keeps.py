"""proxstate.app.keeps: which recorded documents a sync keeps when it did not read them again."""

from __future__ import annotations

from typing import Any

from proxstate.app.keeps import Keeps


def test_the_content_of_an_unreachable_node_is_kept_whatever_its_names_hold() -> None:
    """A node name or a storage id from a hostile API may hold `/` (the content id is then
    ambiguous); the content of an unreachable node is never removed for it."""
    previous: dict[str, dict[str, Any]] = {
        rid: {}
        for rid in (
            "content/pve1/local",
            "content/pve1/a/b",  # storage `a/b` on pve1
            "content/../../x/local",  # storage `local` on node `../../x`
            "content/pve2/local",
            "content/_shared/cephfs",
        )
    }
    keeps = Keeps(
        kinds=frozenset({"content"}), patterns=[], unreachable={"pve1", "../../x"}, previous=previous
    )
    kept = [rid for rid in previous if keeps(rid, {})]
    assert kept == ["content/pve1/local", "content/pve1/a/b", "content/../../x/local"]


def test_a_guests_own_documents_go_with_the_guest() -> None:
    previous: dict[str, dict[str, Any]] = {
        "qemu/101": {"node": "pve1"},
        "qemu/102": {"node": "pve2"},
        "guest-firewall/qemu/101/rules": {},
        "guest-firewall/qemu/102/rules": {},
        "snapshot-config/qemu/101/before": {},
    }
    kinds = frozenset({"qemu", "guest-firewall", "snapshot-config"})
    keeps = Keeps(kinds=kinds, patterns=[], unreachable={"pve1"}, previous=previous)
    kept = [rid for rid in previous if keeps(rid, {})]
    assert kept == ["qemu/101", "guest-firewall/qemu/101/rules", "snapshot-config/qemu/101/before"]
    # A guest read again keeps nothing of its own beside it: the new documents replace them.
    assert not keeps("guest-firewall/qemu/101/rules", {"qemu/101": {}})
