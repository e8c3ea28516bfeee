"""What a reviewer reads for one resource: its line in the text report (id, name, the classes in
brackets) and one line per field, for the cases where a wrong class or a dropped field would go
unnoticed: the declarative kinds, disk options, sections that appear, renames, deep keys."""

from __future__ import annotations

from typing import Any

import pytest

from proxstate.diff import ChangeSet, compare
from proxstate.errors import DepthError
from proxstate.limits import MAX_DOCUMENT_DEPTH
from proxstate.report import render_text


def _report(resource_id: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """The report's lines for this one resource (after its header and cluster lines), stripped."""
    change = compare(cluster="lab", resource_id=resource_id, old=old, new=new)
    if change is None:
        return []
    text = render_text(ChangeSet(base=None, target=None, resources=(change,)), color=False)
    lines = [line.strip() for line in text.splitlines()]
    return lines[lines.index("lab") + 1 :]


def _vm(**config: Any) -> dict[str, Any]:
    return {"kind": "qemu", "vmid": 101, "name": "web01", "node": "pve1", "config": {"cores": 2, **config}}


DECLARED = [
    ("firewall/cluster/options", "firewall", "security, network"),
    ("guest-firewall/101/options", "guest-firewall", "security, network"),
    ("network/pve1", "network", "network"),
    ("sdn/controller/evpn1", "sdn", "network"),
    ("dns/pve1", "dns", "network"),
    ("hosts/pve1", "hosts", "network"),
    ("ha/resource/vm:101", "ha", "ha"),
    ("pool/prod", "pool", "pool"),
    ("backup-job/daily", "backup-job", "config"),
]


@pytest.mark.parametrize(("resource_id", "kind", "shown"), DECLARED, ids=[case[1] for case in DECLARED])
def test_each_declarative_kind_has_its_class(resource_id: str, kind: str, shown: str) -> None:
    ident = resource_id.partition("/")[2]
    old = {"kind": kind, "id": ident, "config": {"comment": "old"}}
    new = {"kind": kind, "id": ident, "config": {"comment": "new"}}
    assert _report(resource_id, old, new) == [f"~ {resource_id}  [{shown}]", "~ config.comment: old -> new"]


def test_a_disk_option_and_an_unused_disk_that_changes_are_configuration() -> None:
    """Hardware is a disk attached or detached; `discard=on` on a disk, or the volume an unused
    entry points to, is configuration."""
    old = _vm(scsi0={"file": "local-lvm:vm-101-disk-0", "size": "32G"}, unused0={"file": "local:old"})
    new = _vm(
        scsi0={"file": "local-lvm:vm-101-disk-0", "size": "32G", "discard": "on"},
        unused0={"file": "local:new"},
    )
    assert _report("qemu/101", old, new) == [
        "~ qemu/101 web01  [config]",
        "+ config.scsi0.discard: on",
        "~ config.unused0.file: local:old -> local:new",
    ]
    scalar_old, scalar_new = _vm(unused0="local:old"), _vm(unused0="local:new")
    assert _report("qemu/101", scalar_old, scalar_new) == [
        "~ qemu/101 web01  [config]",
        "~ config.unused0: local:old -> local:new",
    ]


def test_a_node_becoming_unreachable_is_power() -> None:
    old = {"kind": "node", "name": "pve2", "status": "online"}
    new = {**old, "unreachable": "No route to host"}
    assert _report("node/pve2", old, new) == ["~ node/pve2  [power]", "+ unreachable: No route to host"]


def test_a_section_that_appears_or_goes_names_its_entries() -> None:
    """`qm set --memory 4096` on a running VM: a pending section appears, entry by entry."""
    old = _vm()
    new = {**_vm(), "pending": {"memory": 4096, "cores": 4}}
    assert _report("qemu/101", old, new) == [
        "~ qemu/101 web01  [pending]",
        "+ pending.cores: 4",
        "+ pending.memory: 4096",
    ]
    assert _report("qemu/101", new, old) == [
        "~ qemu/101 web01  [pending]",
        "- pending.cores (was 4)",
        "- pending.memory (was 4096)",
    ]


def test_a_renamed_vm_is_reported_under_its_new_name() -> None:
    old, new = _vm(), _vm()
    new["name"] = "web02"
    assert _report("qemu/101", old, new) == ["~ qemu/101 web02  [config]", "~ name: web01 -> web02"]


def test_private_looking_and_disjoint_keys_below_the_second_level_are_reported() -> None:
    """Keys starting with `__` and mappings with no key in common, three levels down, where the
    comparison is handed to deepdiff: field by field, none dropped."""
    old = {"kind": "storage", "config": {"options": {"__x": 1, "a": 1}, "extra": {"c": 1}}}
    new = {"kind": "storage", "config": {"options": {"__x": 2, "a": 1}, "extra": {"d": 2}}}
    assert _report("storage/local", old, new) == [
        "~ storage/local  [config]",
        "- config.extra.c (was 1)",
        "+ config.extra.d: 2",
        "~ config.options.__x: 1 -> 2",
    ]


def test_a_mapping_that_becomes_a_scalar_is_one_changed_value() -> None:
    """At every level (a top-level field, a config key, a key below it), both ways."""
    old = {
        **_vm(cpu={"cputype": "host"}, net0={"bridge": "vmbr0", "rate": {"max": 10}}),
        "ha": {"state": "started"},
    }
    new = {**_vm(cpu="host", net0={"bridge": "vmbr0", "rate": 10}), "ha": "ignored"}
    assert _report("qemu/101", old, new) == [
        "~ qemu/101 web01  [hardware, network, ha]",
        "~ config.cpu: {cputype: host} -> host",
        "~ config.net0.rate: {max: 10} -> 10",
        "~ ha: {state: started} -> ignored",
    ]
    assert _report("qemu/101", new, old)[1:] == [
        "~ config.cpu: host -> {cputype: host}",
        "~ config.net0.rate: 10 -> {max: 10}",
        "~ ha: ignored -> {state: started}",
    ]


def test_equal_firewall_rules_are_not_shown_as_changed() -> None:
    rules = [
        {"pos": 0, "type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "enable": True},
        {"pos": 1, "type": "in", "action": "DROP", "enable": True},
    ]
    old = {"kind": "firewall", "id": "cluster/rules", "entries": rules, "options": {"enable": True}}
    same = {
        "kind": "firewall",
        "id": "cluster/rules",
        "entries": [dict(r) for r in rules],
        "options": {"enable": True},
    }
    assert _report("firewall/cluster/rules", old, same) == []
    nested_old = {"kind": "firewall", "id": "cluster/rules", "config": {"rules": rules, "enable": True}}
    nested_new = {
        "kind": "firewall",
        "id": "cluster/rules",
        "config": {"rules": [dict(r) for r in rules], "enable": False},
    }
    assert _report("firewall/cluster/rules", nested_old, nested_new) == [
        "~ firewall/cluster/rules  [security, network]",
        "~ config.enable: true -> false",
    ]


def test_a_disk_changed_as_a_whole_is_configuration() -> None:
    """A disk kept as text (a property string the schema could not parse) that points to another
    volume: the same disk slot, configuration; hardware is a slot that appears or goes."""
    old, new = _vm(scsi0="local-lvm:vm-101-disk-0"), _vm(scsi0="local-lvm:vm-101-disk-1")
    assert _report("qemu/101", old, new) == [
        "~ qemu/101 web01  [config]",
        "~ config.scsi0: local-lvm:vm-101-disk-0 -> local-lvm:vm-101-disk-1",
    ]


def test_a_top_level_field_of_its_own_is_configuration_whatever_its_keys() -> None:
    """Only keys under `config` are read as guest config keys: `cores` elsewhere is not hardware."""
    old = {**_vm(), "cloudinit": {"cores": 1}}
    new = {**_vm(), "cloudinit": {"cores": 2}}
    assert _report("qemu/101", old, new) == ["~ qemu/101 web01  [config]", "~ cloudinit.cores: 1 -> 2"]


def test_pending_memory_in_either_recorded_shape_is_no_change() -> None:
    """PVE gives `memory` as a number or as `{current: N}`; both are recorded, in `pending` as in
    `config`: the same memory in the other shape is not a change."""
    old = {**_vm(), "pending": {"memory": {"current": 4096}}}
    assert _report("qemu/101", old, {**_vm(), "pending": {"memory": 4096}}) == []
    assert _report("qemu/101", old, {**_vm(), "pending": {"memory": 8192}}) == [
        "~ qemu/101 web01  [pending]",
        "~ pending.memory: 4096 -> 8192",
    ]


def test_a_section_that_goes_does_not_hide_the_changes_after_it() -> None:
    old = {"pending": {"memory": 4096}, **_vm()}
    new = _vm(cores=4)
    assert _report("qemu/101", old, new) == [
        "~ qemu/101 web01  [hardware, pending]",
        "~ config.cores: 2 -> 4",
        "- pending.memory (was 4096)",
    ]


def test_a_list_that_becomes_a_text_or_a_mapping_of_the_same_items_is_a_change() -> None:
    """The boot order as PVE's old letters (`cdn`) against a list of them, the same names as a list
    and as keys of a mapping: equal item by item, yet another value."""
    old, new = _vm(boot=["c", "d", "n"]), _vm(boot="cdn")
    assert _report("qemu/101", old, new) == ["~ qemu/101 web01  [config]", "~ config.boot: [c, d, n] -> cdn"]
    assert _report("qemu/101", new, old)[1:] == ["~ config.boot: cdn -> [c, d, n]"]
    listed, keyed = _vm(tags=["prod"]), _vm(tags={"prod": 1})
    assert _report("qemu/101", listed, keyed) == [
        "~ qemu/101 web01  [tags]",
        "~ config.tags: [prod] -> {prod: 1}",
    ]


def test_a_guest_is_named_by_its_config_or_hostname_when_the_document_has_no_name() -> None:
    """The name in the report's resource line: the document's `name`, else the VM's `config.name`,
    else the container's `config.hostname`; an empty name or a config that is not a mapping names
    nothing, and a name that goes is shown as it was."""
    vm = {"kind": "qemu", "vmid": 101, "config": {"name": "web01", "cores": 2}}
    assert _report("qemu/101", None, vm)[0] == "+ qemu/101 web01  [added]"
    ct = {"kind": "lxc", "vmid": 200, "name": "", "config": {"hostname": "db01"}}
    assert _report("lxc/200", None, ct)[0] == "+ lxc/200 db01  [added]"
    broken = {"kind": "qemu", "vmid": 102, "name": 7, "config": "unparsed"}
    assert _report("qemu/102", broken, None) == ["- qemu/102  [removed]"]
    unnamed = {"kind": "qemu", "vmid": 101, "node": "pve1", "config": {"cores": 2}}
    assert _report("qemu/101", _vm(), unnamed)[0] == "~ qemu/101 web01  [config]"


def test_the_kind_a_document_records_decides_how_it_is_read() -> None:
    """Over the kind its id names (a document kept under another name), and the newer version's
    over the older one's: here a guest, whose name is shown and whose cores are hardware."""
    old, new = _vm(), _vm(cores=4)
    assert _report("moved/101", old, new)[0] == "~ moved/101 web01  [hardware]"
    assert _report("moved/101", None, new)[0] == "+ moved/101 web01  [added]"
    assert _report("moved/101", old, None)[0] == "- moved/101 web01  [removed]"
    was_storage = {**old, "kind": "storage"}
    assert _report("moved/101", was_storage, new)[0].startswith("~ moved/101 web01  [")


@pytest.mark.parametrize("deep_side", ["old", "new"])
def test_a_document_nested_too_deep_on_either_side_is_refused_by_name(deep_side: str) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(MAX_DOCUMENT_DEPTH + 1):
        node["x"] = {}
        node = node["x"]
    old, new = (deep, _vm()) if deep_side == "old" else (_vm(), deep)
    with pytest.raises(DepthError) as refused:
        compare(cluster="lab", resource_id="qemu/101", old=old, new=new)
    assert str(refused.value) == (
        f"cannot compare the documents of qemu/101: they nest deeper than {MAX_DOCUMENT_DEPTH} levels"
    )
