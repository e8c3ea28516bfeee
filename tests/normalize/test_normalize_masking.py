"""Masking of secrets: fixed marker or keyed hash; which keys are secret."""

from __future__ import annotations

import hashlib
import hmac

from proxstate.normalize import mask_value
from proxstate.normalize.config import normalize_config
from proxstate.normalize.masking import is_secret
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.scrub import mask_live


def test_masked_without_secret() -> None:
    assert mask_value("hunter2", key="cipassword", secret=None) == "<masked>"


def test_masked_with_secret_is_a_keyed_hash_of_key_and_value() -> None:
    digest = hmac.new(b"k", b"cipassword\0hunter2", hashlib.sha256).hexdigest()
    assert mask_value("hunter2", key="cipassword", secret=b"k") == f"<masked:{digest[:16]}>"


def test_marker_changes_with_value_key_and_secret() -> None:
    base = mask_value("a", key="password", secret=b"s")
    assert mask_value("b", key="password", secret=b"s") != base
    assert mask_value("a", key="keyring", secret=b"s") != base
    assert mask_value("a", key="password", secret=b"t") != base
    assert mask_value("a", key="password", secret=b"s") == base


def test_non_string_values_hash_as_pve_text() -> None:
    assert mask_value(True, key="x", secret=b"s") == mask_value("1", key="x", secret=b"s")
    assert mask_value(2048, key="x", secret=b"s") == mask_value("2048", key="x", secret=b"s")


def test_secret_keys_per_kind_and_extra_keys() -> None:
    assert is_secret("qemu", "cipassword")
    assert is_secret("storage", "password")
    assert is_secret("storage", "encryption-key")
    assert not is_secret("qemu", "password")
    assert not is_secret("qemu", "sshkeys")
    extra = frozenset({"description", "ipconfig*"})
    assert is_secret("qemu", "description", extra)
    assert is_secret("lxc", "ipconfig12", extra)
    assert not is_secret("qemu", "net0", extra)


def test_raw_lxc_environment_lines_are_masked_and_other_raw_lines_kept() -> None:
    # pve-container's /config gives raw lines as `lxc: [[key, value], ...]`; `lxc.environment`
    # sets the container's environment as `env` does.
    raw = [
        ["lxc.environment", "DB_PASSWORD=Walrus-31-secret"],
        ["lxc.mount.entry", "/dev/net dev/net none bind,create=dir"],
        ["lxc.environment.runtime", "API_KEY=Kestrel-8-secret"],
    ]
    options = NormalizeOptions(mask_secret=b"k")
    config = normalize_config("lxc", {"lxc": raw, "memory": 512}, options=options)
    assert config["lxc"] == [
        {"lxc.environment": mask_value("DB_PASSWORD=Walrus-31-secret", key="lxc.environment", secret=b"k")},
        {"lxc.mount.entry": "/dev/net dev/net none bind,create=dir"},
        {
            "lxc.environment.runtime": mask_value(
                "API_KEY=Kestrel-8-secret", key="lxc.environment.runtime", secret=b"k"
            )
        },
    ]
    assert "secret" not in repr(config)


def test_a_false_secret_hashes_as_0_and_never_as_true() -> None:
    # PVE stores a flag as 1/0: a secret flag that turns off shows as a changed marker.
    assert mask_value(False, key="x", secret=b"s") == mask_value("0", key="x", secret=b"s")
    assert mask_value(False, key="x", secret=b"s") != mask_value(True, key="x", secret=b"s")


def test_mask_keys_apply_to_kinds_without_known_secrets() -> None:
    # A kind with no secret key of its own (a node's options): only the keys named are masked.
    options = NormalizeOptions(mask_keys=frozenset({"description"}))
    shown = mask_live("node", "node/pve1", {"description": "rack 4", "wakeonlan": "on"}, options=options)
    assert shown == {"description": "<masked>", "wakeonlan": "on"}
    assert not is_secret("node", "wakeonlan")
