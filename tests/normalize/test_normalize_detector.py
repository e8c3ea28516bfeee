"""The secret detector: what it masks inside strings, what it leaves alone, allow rules."""

from __future__ import annotations

import pytest

from proxstate.normalize import AllowRule, NormalizeOptions, mask_value, scrub_document
from proxstate.normalize.detector import find_secrets
from proxstate.normalize.scrub import masked_text

PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)


@pytest.mark.parametrize(
    ("text", "secret", "rule"),
    [
        ("http://user:pa$$w0rd!@proxy:3128/", "pa$$w0rd!", "URL credentials"),
        (
            "curl -H 'Authorization: PVEAPIToken=ci@pve!deploy=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'",
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "Proxmox API token",
        ),
        ("DB_PASSWORD=s3cr3t-Value\0DB_HOST=db1", "s3cr3t-Value", "Secret Keyword"),
        ("admin password: Tr0ub4dor&3", "Tr0ub4dor&3", "Secret Keyword"),
        ("api_key = abcdef0123456789", "abcdef0123456789", "Secret Keyword"),
        (
            "token ghp_Zq3xW9kLm2Np8Rt5Vb7Yc1Hd4Jf6Gs0Ae2Ui here",
            "ghp_Zq3xW9kLm2Np8Rt5Vb7Yc1Hd4Jf6Gs0Ae2Ui",
            "GitHub Token",
        ),
        ("aws AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "AWS Access Key"),
        (f"jwt {JWT} end", JWT, "JSON Web Token"),
        (f"deploy key:\n{PRIVATE_KEY}\nthanks", PRIVATE_KEY, "Private Key"),
    ],
)
def test_secrets_are_found_and_masked_whole(text: str, secret: str, rule: str) -> None:
    masked, rules = masked_text(text, key="description", secret=b"k")
    assert rule in rules
    assert secret not in masked
    assert mask_value(secret, key="description", secret=b"k") in masked or "<masked:" in masked


@pytest.mark.parametrize(
    "text",
    [
        "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
        "local-lvm:vm-101-disk-0,iothread=1,size=32G",
        "uuid=00000000-0000-4000-8000-000000000101",
        "ssh-rsa%20AAAAB3NzaC1yc2EAAAADAQABAAABgQC7%20admin%40laptop",
        "pve-manager/8.2.4/faa83925c9641325",
        "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz",
        "https://download.proxmox.com/debian/pve",
        "http://proxy.example.com:3128/",
        "UPID:pve1:0000ABCD:0001E240:65A1B2C3:qmstart:101:root@pam:",
        "Generated guest 101\nowner: team-3\n",
        "root@pam!proxstate",
    ],
)
def test_ordinary_pve_values_are_left_alone(text: str) -> None:
    assert find_secrets(text) == ()


def test_a_masked_span_is_the_keyed_hash_so_a_change_shows() -> None:
    one, _ = masked_text("http://u:first@proxy:3128/", key="http_proxy", secret=b"k")
    same, _ = masked_text("http://u:first@proxy:3128/", key="http_proxy", secret=b"k")
    other, _ = masked_text("http://u:second@proxy:3128/", key="http_proxy", secret=b"k")
    assert one == same == f"http://u:{mask_value('first', key='http_proxy', secret=b'k')}@proxy:3128/"
    assert other != one
    assert masked_text("http://u:first@proxy:3128/", key="http_proxy", secret=None)[0] == (
        "http://u:<masked>@proxy:3128/"
    )


def test_scrub_walks_every_string_and_honours_allow_rules() -> None:
    document = {
        "kind": "qemu",
        "config": {"description": "password: hunter2-abc", "cipassword": "<masked:0123456789abcdef>"},
        "snapshots": {"pre": {"description": "see vault, password: none"}},
        "notes": ["ok", "ghp_Zq3xW9kLm2Np8Rt5Vb7Yc1Hd4Jf6Gs0Ae2Ui"],
    }
    allow = (AllowRule(resource="qemu/*", field="snapshots.*.description", reason="no secret"),)
    found = scrub_document("qemu/101", document, options=NormalizeOptions(allow_secrets=allow))
    assert [(d.field, d.rule) for d in found] == [
        ("config.description", "Secret Keyword"),
        ("notes.1", "GitHub Token"),
    ]
    assert document["config"] == {
        "description": "password: <masked>",
        "cipassword": "<masked:0123456789abcdef>",
    }
    assert document["snapshots"] == {"pre": {"description": "see vault, password: none"}}
    assert document["notes"] == ["ok", "<masked>"]


def test_a_long_line_is_searched_near_its_keywords_and_masked_to_its_end() -> None:
    secret = "s3cretS3CRET" * 150  # longer than the window the keyword rules see
    text = "x" * 5000 + " password: " + secret + "\nnext line stays"
    masked, rules = masked_text(text, key="description", secret=None)
    assert rules == ["Secret Keyword"]
    assert "s3cret" not in masked.lower()
    assert masked.endswith("password: <masked>\nnext line stays")


def test_random_text_is_not_taken_for_a_token() -> None:
    # Words of capitals that look like Artifactory keys to detect-secrets (`AP` + hex + 8 more).
    assert find_secrets("servers APACHESERVER1 and APD12345678 here") == ()


def test_live_payloads_are_masked_like_the_record() -> None:
    from proxstate.normalize.scrub import mask_live

    options = NormalizeOptions(mask_secret=b"k", mask_keys=frozenset({"ipconfig*"}))
    config = {"cores": 2, "cipassword": "clear", "ipconfig0": "ip=dhcp", "description": "pwd=hunter22"}
    shown = mask_live("qemu", "qemu/101", config, options=options)
    assert shown["cores"] == 2
    assert shown["cipassword"] == mask_value("clear", key="cipassword", secret=b"k")
    assert shown["ipconfig0"] == mask_value("ip=dhcp", key="ipconfig0", secret=b"k")
    assert "hunter22" not in shown["description"]
    assert config["cipassword"] == "clear"  # the payload itself is left as it was
    pending = [{"key": "cipassword", "value": "old", "pending": "new"}, {"key": "cores", "pending": 4}]
    masked = mask_live("qemu", "qemu/101", pending, options=options)
    assert "old" not in str(masked) and "new" not in str(masked)
    assert masked[1] == {"key": "cores", "pending": 4}


def test_allow_secrets_in_proxstate_yaml_need_a_path_and_a_reason() -> None:
    from proxstate.config import parse_config
    from proxstate.errors import ConfigError

    text = "allow_secrets:\n  - resource: qemu/1*\n    field: config.description\n    reason: vault note\n"
    rule = parse_config(text).allow_secrets[0]
    assert (rule.resource, rule.field, rule.reason) == ("qemu/1*", "config.description", "vault note")
    with pytest.raises(ConfigError, match=r"allow_secrets\[0\]\.reason"):
        parse_config("allow_secrets:\n  - resource: qemu/101\n    field: config.description\n")


def test_audit_names_unmasked_secret_keys_of_the_kind_only() -> None:
    from proxstate.normalize.audit import secrets_in

    options = NormalizeOptions()
    old = {"kind": "snapshot-config", "config": {"cipassword": "abc", "memory": 2048, "name": "web"}}
    found = secrets_in("snapshot-config/qemu/101/pre", old, options=options)
    assert [(d.field, d.rule) for d in found] == [("config.cipassword", "secret key not masked")]
    masked = {"config": {"cipassword": "<masked:0123456789abcdef>", "password": "**********"}}
    assert secrets_in("qemu/101", masked, options=options) == []
    # `data` is a secret of ACME plugins, not of a node's hosts file.
    assert secrets_in("hosts/pve1", {"config": {"data": "127.0.0.1 localhost"}}, options=options) == []
    assert secrets_in("acme/plugin/cf", {"config": {"data": "CF_Token=x"}}, options=options) != []


def test_audit_names_raw_lxc_environment_lines_recorded_in_clear() -> None:
    from proxstate.normalize.audit import secrets_in

    old = {"config": {"lxc": [{"lxc.mount.entry": "/dev/net"}, {"lxc.environment": "TOKEN=abcdef"}]}}
    found = secrets_in("lxc/200", old, options=NormalizeOptions())
    assert [(d.field, d.rule) for d in found] == [("config.lxc.1.lxc.environment", "secret key not masked")]
