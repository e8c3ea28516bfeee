"""proxstate.resources.ids and kinds: resource ids as values, their text forms and their parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxstate.errors import ProxstateError, ResourceIdError
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import kind_of, split_kind


@pytest.mark.parametrize(
    ("text", "kind", "parts"),
    [
        ("cluster", "cluster", ()),
        ("node/pve1", "node", ("pve1",)),
        ("qemu/101", "qemu", ("101",)),
        ("lxc/200", "lxc", ("200",)),
        ("storage/local-lvm", "storage", ("local-lvm",)),
        ("content/pve1/local", "content", ("pve1", "local")),
        ("content/_shared/cephfs", "content", ("_shared", "cephfs")),
        ("tasks/pve2/2026-11-01", "tasks", ("pve2", "2026-11-01")),
        ("cluster-options", "cluster-options", ()),
        ("firewall/node/pve1/rules", "firewall", ("node", "pve1", "rules")),
        ("guest-firewall/qemu/101/ipset/web", "guest-firewall", ("qemu", "101", "ipset", "web")),
        ("pool/prod/web", "pool", ("prod", "web")),
        # Names from the API are recorded whatever they hold; the layout escapes them.
        ("node/..", "node", ("..",)),
        ("storage/a/b", "storage", ("a/b",)),
        ("storage/", "storage", ("",)),
        ("content/n/a/local", "content", ("n/a", "local")),
    ],
)
def test_parse_and_text_are_inverses(text: str, kind: str, parts: tuple[str, ...]) -> None:
    rid = ResourceId.parse(text)
    assert (rid.kind, rid.parts) == (kind, parts)
    assert str(rid) == text
    assert ResourceId(kind, parts) == rid and hash(ResourceId(kind, parts)) == hash(rid)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "expected kind/name, e.g. qemu/101"),
        ("qemu", "expected kind/name, e.g. qemu/101"),
        ("qemu/abc", "a qemu vmid is a number"),
        ("qemu/", "a qemu vmid is a number"),
        ("qemu/1/2", "a qemu vmid is a number"),
        ("lxc/-1", "a lxc vmid is a number"),
        ("tasks/pve1/yesterday", "expected tasks/<node>/YYYY-MM-DD"),
        ("tasks/2026-11-01", "expected tasks/<node>/<name>"),
        ("content/x", "expected content/<node>/<name>"),
        ("nodes/pve1", "unknown kind 'nodes'"),
        ("cluster/x", "unknown kind 'cluster'"),
    ],
)
def test_what_is_not_an_id_is_said_in_words(text: str, why: str) -> None:
    with pytest.raises(ResourceIdError) as raised:
        ResourceId.parse(text)
    assert str(raised.value) == f"not a resource id: {text!r} ({why})"
    assert isinstance(raised.value, ProxstateError)
    assert ResourceId.parse_or_none(text) is None


def test_a_value_built_from_parts_is_checked_too() -> None:
    with pytest.raises(ResourceIdError, match="a qemu vmid is a number"):
        ResourceId("qemu", ("web",))
    with pytest.raises(ResourceIdError, match="expected content/<node>/<name>"):
        ResourceId("content", ("pve1", "a/b"))  # would read back as another id
    with pytest.raises(ResourceIdError, match="unknown kind"):
        ResourceId("vm", ("101",))


def test_globs_and_paths_are_no_ids() -> None:
    for text in ("qemu/*", "qemu/10?", "tasks/*/x", "clusters/lab/x.txt"):
        assert ResourceId.parse_or_none(text) is None


def test_accessors() -> None:
    assert ResourceId.parse("qemu/101").vmid == 101
    assert ResourceId.parse("lxc/0200").vmid == 200 and str(ResourceId.parse("lxc/0200")) == "lxc/0200"
    assert ResourceId.parse("node/pve1").vmid is None
    assert ResourceId.parse("node/pve1").node == "pve1"
    assert ResourceId.parse("content/pve1/local").node == "pve1"
    assert ResourceId.parse("tasks/pve2/2026-11-01").node == "pve2"
    assert ResourceId.parse("qemu/101").node is None
    assert ResourceId.parse("content/pve1/local").tail == "pve1/local"
    assert ResourceId.parse("cluster").tail == ""


@pytest.mark.parametrize(
    ("text", "guest"),
    [
        ("guest-firewall/qemu/101/rules", "qemu/101"),
        ("guest-firewall/lxc/200/ipset/web", "lxc/200"),
        ("snapshot-config/lxc/200/before", "lxc/200"),
        ("guest-firewall/qemu/x/rules", None),
        ("firewall/node/pve1/rules", None),
        ("qemu/101", None),
    ],
)
def test_the_guest_a_document_belongs_to(text: str, guest: str | None) -> None:
    owner = ResourceId.parse(text).guest
    assert (str(owner) if owner else None) == guest


def test_kind_of_any_text() -> None:
    assert kind_of("qemu/101") == "qemu"
    assert kind_of("content/*/local") == "content"
    assert kind_of("cluster") == "cluster"
    assert split_kind("content/*/local") == ("content", "*/local")
    assert split_kind("") == ("", "")


_NAME = st.text(max_size=20)


@given(
    st.one_of(
        st.builds(lambda n: f"node/{n}", _NAME),
        st.builds(lambda n: f"storage/{n}", _NAME),
        st.builds(lambda v: f"qemu/{v}", st.integers(0, 10**17)),
        st.builds(lambda n, s: f"content/{n}/{s}", _NAME, _NAME.filter(lambda s: "/" not in s)),
        st.builds(lambda n, p: f"pool/{n}/{p}", _NAME, _NAME),
    )
)
def test_every_id_reads_back_as_itself(text: str) -> None:
    assert str(ResourceId.parse(text)) == text
