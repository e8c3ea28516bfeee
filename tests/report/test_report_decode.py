"""Values the record keeps encoded, as a report shows them (the record itself is not touched)."""

from __future__ import annotations

import base64
from urllib.parse import quote

from proxstate.diff import ChangeClass, ChangeSet, FieldChange, ResourceChange, compare
from proxstate.report import render_json, render_markdown, render_text
from proxstate.report.decode import readable, shown_fields


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _field(path: str, old: object, new: object) -> FieldChange:
    return FieldChange(path, "changed", old, new, ChangeClass.CONFIG)


def test_smbios1_fields_stored_as_base64_are_decoded() -> None:
    old = {"uuid": "6f1e2b3c", "base64": True, "manufacturer": _b64("Dell Inc."), "serial": _b64("ABC 123")}
    new = {**old, "serial": _b64("XYZ 789")}
    whole = readable(FieldChange("config.smbios1", "added", None, new, ChangeClass.CONFIG))
    assert whole.new == {
        "uuid": "6f1e2b3c",
        "manufacturer": "Dell Inc. (base64)",
        "serial": "XYZ 789 (base64)",
    }
    one = readable(_field("config.smbios1.serial", _b64("ABC 123"), _b64("XYZ 789")))
    assert (one.old, one.new) == ("ABC 123 (base64)", "XYZ 789 (base64)")
    # Plain values that happen to be valid base64 are left as they are.
    plain = readable(_field("config.smbios1.manufacturer", "QEMU", "Dell"))
    assert (plain.old, plain.new) == ("QEMU", "Dell")
    without_flag = readable(
        FieldChange("config.smbios1", "added", None, {"serial": "QUJD"}, ChangeClass.CONFIG)
    )
    assert without_flag.new == {"serial": "QUJD"}


def test_sshkeys_are_url_decoded_one_key_a_line_and_times_read_as_dates() -> None:
    first, second = "ssh-ed25519 AAAAfirst alice@laptop", "ssh-rsa AAAAsecond bob@desk"
    old = {"kind": "qemu", "vmid": 7, "config": {"sshkeys": quote(first + "\n", safe="")}}
    new = {"kind": "qemu", "vmid": 7, "config": {"sshkeys": quote(f"{first}\n{second}\n", safe="")}}
    change = compare(cluster="lab", resource_id="qemu/7", old=old, new=new)
    assert change is not None
    text = render_text(ChangeSet(None, None, (change,)), color=False)
    assert f"      ~ config.sshkeys:\n          + key {second}\n" in text
    assert "%20" not in text and "%20" in change.fields[0].new  # the change keeps what PVE stores
    (snapshot,) = shown_fields(
        (FieldChange("snapshots.a", "added", None, {"snaptime": 1764000000}, ChangeClass.SNAPSHOT),)
    )
    assert (snapshot.path, snapshot.new) == ("snapshots.a.snaptime", "2025-11-24 16:00 UTC")


def test_markdown_puts_security_relevant_resources_first() -> None:
    vm = ResourceChange(
        "lab", "qemu/101", "modified", "web01", (_field("config.cores", 2, 4),), (ChangeClass.CONFIG,)
    )
    acl = ResourceChange(
        "lab",
        "access/acl",
        "modified",
        None,
        (_field("entries", [], [{"path": "/"}]),),
        (ChangeClass.SECURITY, ChangeClass.CONFIG),
    )
    text = render_markdown(ChangeSet(None, None, (vm, acl)))
    assert text.index("`access/acl`") < text.index("`qemu/101`")
    assert "**1 security-relevant** (firewall, access control, certificates): listed first." in text


def test_a_secret_in_an_added_resource_or_a_list_is_never_shown() -> None:
    realm = {"kind": "access", "id": "realm/ad", "config": {"type": "ad", "password": "<masked:3f2a9c0d>"}}
    added = compare(cluster="lab", resource_id="access/realm/ad", old=None, new=realm)
    old = {"kind": "x", "config": {"list": ["<masked:77aa0b1e>"]}}
    new = {"kind": "x", "config": {"list": ["<masked:0badcafe>", "b"]}}
    changed = compare(cluster="lab", resource_id="x/1", old=old, new=new)
    assert added is not None and changed is not None
    changeset = ChangeSet(None, None, (added, changed))
    for full in (False, True):
        reports = [render_text(changeset, color=False, full=full), render_markdown(changeset, full=full)]
        reports.append(render_json(changeset, full=full))
        for report in reports:
            assert "masked" not in report and "3f2a9c0d" not in report and "0badcafe" not in report
    assert "password: (secret)" in render_text(changeset, color=False)
