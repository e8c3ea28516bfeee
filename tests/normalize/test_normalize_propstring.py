"""Property strings: parsing as PVE does, and lossless rebuilding for every format and key."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxstate.normalize import (
    PropertyFormat,
    PropertyStringError,
    build_property_string,
    config_format,
    parse_property_string,
)
from proxstate.normalize.schema import load_schema
from tests.helpers.normalize_cases import mappings

FORMATS = sorted(load_schema().formats)
ALIASES = sorted((name, alias) for name, fmt in load_schema().formats.items() for alias in fmt.aliases)


def assert_round_trip(mapping: dict[str, Any], fmt: PropertyFormat) -> None:
    text = build_property_string(mapping, fmt)
    parsed = parse_property_string(text, fmt)
    assert parsed == mapping
    # Canonical order: default key first, then the others sorted.
    rest = sorted(key for key in parsed if key != fmt.default_key)
    assert list(parsed) == ([fmt.default_key] if fmt.default_key in parsed else []) + rest
    # Rebuilding the parsed mapping gives the same text: building is canonical.
    assert build_property_string(parsed, fmt) == text


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_some_keys(name: str, data: st.DataObject) -> None:
    fmt = load_schema().formats[name]
    assert_round_trip(data.draw(mappings(fmt, every_key=False)), fmt)


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_every_key(name: str, data: st.DataObject) -> None:
    fmt = load_schema().formats[name]
    assert_round_trip(data.draw(mappings(fmt, every_key=True)), fmt)


@pytest.mark.parametrize(("name", "alias"), ALIASES)
def test_alias_reads_as_canonical_key(name: str, alias: str) -> None:
    fmt = load_schema().formats[name]
    canonical = fmt.aliases[alias]
    sample = {"boolean": "1", "integer": "7", "number": "7"}.get(fmt.keys[canonical].type, "value7")
    parsed = parse_property_string(f"{alias}={sample}", fmt)
    implied = fmt.key_aliases.get(alias)
    assert canonical in parsed
    if implied is not None:
        assert parsed[implied] == alias


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_property_string_error(text: str) -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    try:
        parsed = parse_property_string(text, fmt)
    except PropertyStringError:
        return
    # Whatever parsed rebuilds into a string with the same meaning.
    assert parse_property_string(build_property_string(parsed, fmt), fmt) == parsed


def test_nic_shorthand_is_model_and_mac() -> None:
    fmt = config_format("qemu", "net0")
    assert fmt is not None
    parsed = parse_property_string("virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1", fmt)
    assert parsed == {"model": "virtio", "bridge": "vmbr0", "firewall": True, "macaddr": "BC:24:11:2A:3B:4C"}
    assert build_property_string(parsed, fmt) == "virtio=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1"
    long_form = parse_property_string("model=virtio,macaddr=BC:24:11:2A:3B:4C,bridge=vmbr0,firewall=1", fmt)
    assert long_form == parsed


def test_drive_default_key_and_typed_options() -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    text = "local-lvm:vm-101-disk-0,iothread=1,size=32G,mbps_rd=10.5,iops_wr=300,bps_rd_length=5"
    parsed = parse_property_string(text, fmt)
    assert parsed == {
        "file": "local-lvm:vm-101-disk-0",
        "bps_rd_max_length": 5,
        "iops_wr": 300,
        "iothread": True,
        "mbps_rd": 10.5,
        "size": "32G",
    }
    assert next(iter(parsed)) == "file"
    assert build_property_string(parsed, fmt) == (
        "local-lvm:vm-101-disk-0,bps_rd_max_length=5,iops_wr=300,iothread=1,mbps_rd=10.5,size=32G"
    )


def test_boot_order_is_a_list() -> None:
    fmt = config_format("qemu", "boot")
    assert fmt is not None
    assert parse_property_string("order=scsi0;ide2;net0", fmt) == {"order": ["scsi0", "ide2", "net0"]}
    assert build_property_string({"order": ["scsi0", "net0"]}, fmt) == "order=scsi0;net0"
    assert parse_property_string("cdn", fmt) == {"legacy": "cdn"}


def test_startup_order_from_the_typetext() -> None:
    fmt = config_format("lxc", "startup")
    assert fmt is not None
    assert parse_property_string("order=2,up=30,down=60", fmt) == {"order": 2, "down": 60, "up": 30}
    assert build_property_string({"order": 2, "up": 30}, fmt) == "2,up=30"


def test_unknown_sub_key_is_kept_as_string() -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    parsed = parse_property_string("local:vm-1-disk-0,future-option=1", fmt)
    assert parsed == {"file": "local:vm-1-disk-0", "future-option": "1"}
    assert build_property_string(parsed, fmt) == "local:vm-1-disk-0,future-option=1"


def test_value_that_does_not_fit_its_type_stays_a_string() -> None:
    fmt = config_format("qemu", "net0")
    assert fmt is not None
    assert parse_property_string("virtio,firewall=maybe,tag=ten", fmt) == {
        "model": "virtio",
        "firewall": "maybe",
        "tag": "ten",
    }


def test_default_key_with_equals_sign_is_written_long() -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    text = build_property_string({"file": "/dev/disk/by-id/a=b", "size": "1G"}, fmt)
    assert text == "file=/dev/disk/by-id/a=b,size=1G"
    assert parse_property_string(text, fmt) == {"file": "/dev/disk/by-id/a=b", "size": "1G"}


def test_empty_parts_are_skipped_like_pve_does() -> None:
    fmt = config_format("qemu", "net0")
    assert fmt is not None
    assert parse_property_string("virtio,,bridge=vmbr0, ", fmt) == {"model": "virtio", "bridge": "vmbr0"}


@pytest.mark.parametrize(
    ("kind", "key", "text"),
    [
        ("qemu", "scsi0", ""),  # nothing at all
        ("qemu", "scsi0", "=local:vm-1-disk-0"),  # empty key
        ("qemu", "scsi0", "size="),  # empty value
        ("qemu", "scsi0", "a,b"),  # two values for the default key
        ("qemu", "scsi0", "local:x,volume=local:y"),  # default key and its alias
        ("qemu", "scsi0", "local:x,cache=none,cache=writeback"),  # duplicate key
        ("qemu", "net0", "virtio=AA:BB:CC:DD:EE:FF,e1000=AA:BB:CC:DD:EE:00"),  # two models
        ("lxc", "net0", "eth0,bridge=vmbr0"),  # no default key in lxc netN
        ("qemu", "ipconfig0", "dhcp"),  # no default key
    ],
)
def test_broken_property_strings_raise(kind: str, key: str, text: str) -> None:
    fmt = config_format(kind, key)
    assert fmt is not None
    with pytest.raises(PropertyStringError):
        parse_property_string(text, fmt)


@pytest.mark.parametrize(
    "mapping",
    [
        {},
        {"file": ""},
        {"file": "local:x", "serial": "a,b"},
        {"file": "local:x", "bad=key": "1"},
        {"file": "local:x", "size": object()},
    ],
)
def test_unwritable_mappings_raise(mapping: dict[str, Any]) -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    with pytest.raises(PropertyStringError):
        build_property_string(mapping, fmt)


@pytest.mark.parametrize(
    ("key", "mapping"),
    [
        ("scsi0", {"file": "local:x", "": "1"}),  # an empty key: `=1`
        ("scsi0", {"file": "local:x", "a,b": "1"}),  # a key holding a comma: two parts
        ("net0", {"model": "virtio", "trunks": []}),  # an empty list: `trunks=`
        ("net0", {"model": "virtio", "trunks": ["10;20"]}),  # an item holding the list separator
        ("net0", {"model": "virtio", "trunks": ["10 20"]}),  # an item holding a space
    ],
)
def test_what_would_read_back_as_something_else_is_refused(key: str, mapping: dict[str, Any]) -> None:
    """Each of these would be written as a string that PVE reads as another mapping (or not at all)."""
    fmt = config_format("qemu", key)
    assert fmt is not None
    with pytest.raises(PropertyStringError, match="cannot be written in a property string"):
        build_property_string(mapping, fmt)


def test_a_blank_default_value_is_written_with_its_key() -> None:
    """Written bare, a blank part would be skipped when read (as PVE skips it): the value would go."""
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    text = build_property_string({"file": " ", "size": "1G"}, fmt)
    assert text == "file= ,size=1G"
    assert parse_property_string(text, fmt) == {"file": " ", "size": "1G"}
    net = config_format("qemu", "net0")
    assert net is not None
    assert build_property_string({"model": "virtio", "trunks": [10, 20]}, net) == "virtio,trunks=10;20"


def test_formats_by_name_and_unknown_name() -> None:
    assert parse_property_string("keep-last=3", "prune-backups") == {"keep-last": 3}
    with pytest.raises(PropertyStringError):
        parse_property_string("a=b", "no-such-format")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty property string"),
        ("size=", "missing key or value in 'size='"),
        ("local:x,cache=none,cache=writeback", "duplicate key 'cache'"),
    ],
)
def test_a_broken_property_string_is_refused_with_the_part_named(text: str, message: str) -> None:
    fmt = config_format("qemu", "scsi0")
    assert fmt is not None
    with pytest.raises(PropertyStringError) as caught:
        parse_property_string(text, fmt)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("key", "mapping", "message"),
    [
        ("scsi0", {}, "an empty mapping has no property string"),
        ("scsi0", {"file": ""}, "value of 'file' is empty or holds a comma"),
        ("scsi0", {"file": "local:x", "serial": "a,b"}, "value of 'serial' is empty or holds a comma"),
        ("scsi0", {"file": "local:x", "size": object()}, "value of 'size' is a object, not a scalar or list"),
        ("net0", {"model": "virtio", "trunks": [10, ""]}, "value of 'trunks' is empty or holds a comma"),
    ],
)
def test_an_unwritable_mapping_is_refused_with_the_key_named(
    key: str, mapping: dict[str, Any], message: str
) -> None:
    fmt = config_format("qemu", key)
    assert fmt is not None
    with pytest.raises(PropertyStringError) as caught:
        build_property_string(mapping, fmt)
    assert str(caught.value) == message
