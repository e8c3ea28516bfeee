"""The generated schema data: up to date, complete, and consistent with the rules."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from proxstate.normalize import config_format, key_spec
from proxstate.normalize.rules import DROPPED_CONFIG_KEYS, SECRET_KEYS, SET_KEYS
from proxstate.normalize.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "proxstate" / "normalize" / "data" / "pve-schema.json"
SOURCE = Path("/work/shared/pve-api")


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_schema_data", ROOT / "scripts" / "generate_schema_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SOURCE / "apidoc.json").exists(), reason="the PVE API schema is not available")
def test_data_file_is_generated_from_the_schema() -> None:
    module = generator()
    assert module.render(module.Generator(SOURCE).build()) == DATA.read_text("ascii")


def test_data_file_is_compact_sorted_json() -> None:
    text = DATA.read_text("ascii")
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")) + "\n"


def test_every_kind_has_its_keys() -> None:
    schema = load_schema()
    assert len(schema.kinds["qemu"].keys) >= 60
    assert len(schema.kinds["lxc"].keys) >= 25
    assert len(schema.kinds["storage"].keys) >= 60
    assert {"net", "scsi", "ide", "sata", "virtio", "unused", "hostpci", "usb", "ipconfig", "numa"} <= set(
        schema.kinds["qemu"].indexed
    )
    assert {"net", "mp", "unused", "dev"} <= set(schema.kinds["lxc"].indexed)


@pytest.mark.parametrize(
    ("kind", "key", "default_key"),
    [
        ("qemu", "net0", "model"),
        ("qemu", "net31", "model"),
        ("qemu", "scsi30", "file"),
        ("qemu", "efidisk0", "file"),
        ("qemu", "memory", "current"),
        ("qemu", "startup", "order"),
        ("qemu", "agent", "enabled"),
        ("qemu", "boot", "legacy"),
        ("qemu", "hostpci3", "host"),
        ("qemu", "usb1", "host"),
        ("qemu", "unused7", "file"),
        ("qemu", "cpu", "cputype"),
        ("lxc", "net0", None),
        ("lxc", "rootfs", "volume"),
        ("lxc", "mp3", "volume"),
        ("lxc", "features", None),
        ("lxc", "unused0", "volume"),
        ("storage", "prune-backups", None),
        ("storage", "bwlimit", None),
    ],
)
def test_special_keys_have_their_formats(kind: str, key: str, default_key: str | None) -> None:
    fmt = config_format(kind, key)
    assert fmt is not None
    assert fmt.default_key == default_key


def test_keys_merged_from_older_pve() -> None:
    # Gluster storage and the drive geometry only exist in PVE 8.4 and older.
    assert key_spec("storage", "transport") is not None
    assert key_spec("storage", "maxfiles") is not None
    scsi = config_format("qemu", "scsi0")
    assert scsi is not None and {"cyls", "heads", "secs", "trans"} <= set(scsi.keys)


def test_nic_models_are_shorthand_keys() -> None:
    fmt = config_format("qemu", "net0")
    assert fmt is not None
    assert fmt.key_aliases["virtio"] == "model"
    assert fmt.aliases["virtio"] == "macaddr"
    assert set(fmt.key_aliases) == set(fmt.keys["model"].enum or ())


def test_list_keys() -> None:
    for kind, key in [("qemu", "tags"), ("lxc", "nameserver"), ("storage", "content"), ("storage", "nodes")]:
        spec = key_spec(kind, key)
        assert spec is not None and spec.list == "list", (kind, key)


def test_unknown_keys_have_no_spec() -> None:
    assert key_spec("qemu", "no-such-key") is None
    assert key_spec("qemu", "123") is None
    assert key_spec("nothing", "net0") is None


@pytest.mark.parametrize("kind", sorted(SECRET_KEYS))
def test_rules_name_keys_the_schema_knows(kind: str) -> None:
    for key in SECRET_KEYS[kind] | SET_KEYS[kind] | (DROPPED_CONFIG_KEYS[kind] - {"digest"}):
        assert key_spec(kind, key) is not None, (kind, key)
