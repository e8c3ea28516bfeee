"""Hostile or broken answers from the API: a clear error or a safe record, never a traceback, never a
file outside the repository, and every recorded value loads back exactly."""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

from proxstate import yamlio
from proxstate.demo.members import answer_members_as_pve
from proxstate.demo.realms import answer_realms_as_pve
from tests.helpers.answers import Rewrite, rewrite_data, serve_body
from tests.helpers.cli import assert_one_line_error
from tests.helpers.repo import (
    assert_consistent,
    assert_only_files_of_the_repository,
    committed,
    git,
    recorded,
)


def _entry(kind: str, which: int, **fields: Any) -> Rewrite:
    def change(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in data:
            if entry.get("type") == kind and entry.get("vmid") == which:
                for key, value in fields.items():
                    if value is None:
                        entry.pop(key, None)
                    else:
                        entry[key] = value
        return data

    return change


def _reset(pve: Any) -> None:
    """Undo serve_body and rewrite_data (realms and members still answer as PVE does)."""
    pve.__dict__.pop("_answer", None)
    answer_realms_as_pve(pve)
    answer_members_as_pve(pve)


# ------------------------------------------------------------------ one resource answers badly

BROKEN_GUEST_ANSWERS = {
    "html from a proxy": (b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", "text/html", 200),
    "html error page": (b"<html><body>Service Unavailable</body></html>", "text/html", 500),
    "invalid json": (b"{data: [", "application/json", 200),
    "truncated json": (b'{"data": [{"key": "memory", "value": 20', "application/json", 200),
    "data null": (b'{"data": null}', "application/json", 200),
    "no data member": (b'{"errors": {}}', "application/json", 200),
    "wrong types": (b'{"data": [{"key": 5, "value": {"a": [1]}}]}', "application/json", 200),
    "empty body": (b"", "application/json", 200),
    "a list of scalars": (b'{"data": [1, 2, 3]}', "application/json", 200),
}


def test_a_broken_answer_for_one_guest_keeps_its_last_state(
    synced: Path, cli: Any, small_cluster: Any, tmp_path: Path
) -> None:
    """Each broken answer is the answer for one guest's config (VMs 301, 302, ...), all in one sync."""
    cases = dict(zip(range(301, 301 + len(BROKEN_GUEST_ANSWERS)), sorted(BROKEN_GUEST_ANSWERS), strict=True))
    for vmid in cases:
        small_cluster.add_vm(vmid, f"victim{vmid}", node="pve1", config={"memory": 512})
    assert cli("sync", "-C", str(synced)).code == 0
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 6
    for vmid, case in cases.items():
        small_cluster.vm(vmid).config["memory"] = 1024
        body, content_type, status = BROKEN_GUEST_ANSWERS[case]
        serve_body(small_cluster, f"/qemu/{vmid}/pending", body, content_type=content_type, status=status)
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "Traceback" not in result.err
    after = committed(synced)
    message = git(synced, "log", "-1", "--format=%b")
    for vmid, case in cases.items():
        assert f"kept the last state of qemu/{vmid}:" in result.err, case
        assert after[f"clusters/lab/qemu/{vmid}.yaml"] == before[f"clusters/lab/qemu/{vmid}.yaml"], case
        assert f"Not read: qemu/{vmid}" in message, case
    assert b"cores: 6" in after["clusters/lab/qemu/102.yaml"]
    assert_consistent(synced)
    assert_only_files_of_the_repository(tmp_path, synced)


# ------------------------------------------------------------------ cluster-wide answers

BROKEN_CLUSTER_ANSWERS: dict[str, tuple[str, bytes, str, int]] = {
    "html from a proxy": ("/cluster/resources", b"<html><title>502</title></html>", "text/html", 502),
    "html with 200": ("/cluster/resources", b"<!DOCTYPE html><html>login</html>", "text/html", 200),
    "data null": ("/cluster/resources", b'{"data": null}', "application/json", 200),
    "empty list": ("/cluster/resources", b'{"data": []}', "application/json", 200),
    "truncated json": ("/cluster/resources", b'{"data": [{"id": "qemu/101", "ty', "application/json", 200),
    "version null": ("/version", b'{"data": {"version": null}}', "application/json", 200),
    "status not a list": ("/cluster/status", b'{"data": {"a": 1}}', "application/json", 200),
}


def test_a_broken_cluster_wide_answer_is_one_clear_error(synced: Path, cli: Any, small_cluster: Any) -> None:
    before = committed(synced)
    head = git(synced, "rev-parse", "HEAD")
    small_cluster.vm(102).config["cores"] = 6
    for case, (suffix, body, content_type, status) in BROKEN_CLUSTER_ANSWERS.items():
        serve_body(small_cluster, suffix, body, content_type=content_type, status=status)
        result = cli("sync", "-C", str(synced))
        _reset(small_cluster)
        assert_one_line_error(result)
        assert suffix in result.err, case
        assert git(synced, "rev-parse", "HEAD") == head, case
    assert committed(synced) == before
    assert_consistent(synced)


def test_a_resource_list_without_nodes_records_nothing(synced: Path, cli: Any, small_cluster: Any) -> None:
    """A cluster always lists its nodes: an answer without any is not the cluster, and removes nothing."""
    head = git(synced, "rev-parse", "HEAD")
    rewrite_data(
        small_cluster, "/cluster/resources", lambda data: [e for e in data if e.get("type") != "node"]
    )
    result = cli("sync", "-C", str(synced))
    assert_one_line_error(result)
    assert "/cluster/resources" in result.err and "no node" in result.err
    assert git(synced, "rev-parse", "HEAD") == head


ODD_FIELDS: list[tuple[dict[str, Any], int]] = [
    ({"vmid": None}, 1),  # a guest that cannot be named: recording the list would remove it
    ({"vmid": 10**30}, 1),
    ({"vmid": -5}, 1),
    ({"vmid": "abc"}, 1),
    ({"node": None}, 3),  # kept, and named
    ({"node": "../../etc"}, 3),
    ({"vmid": "101"}, 0),  # numbers as strings read as numbers: nothing changes
    ({"vmid": 101.0}, 0),
    ({"template": "0", "maxmem": "1"}, 0),
]


def test_odd_fields_in_the_resource_list(synced: Path, cli: Any, small_cluster: Any) -> None:
    """VM 101's entry of /cluster/resources is odd: a clear error, a guest kept and named, or (when
    the odd value means the same) no change at all. No document changes."""
    before = committed(synced)
    for fields, code in ODD_FIELDS:
        rewrite_data(small_cluster, "/cluster/resources", _entry("qemu", 101, **fields))
        result = cli("sync", "-C", str(synced))
        _reset(small_cluster)
        assert result.code == code, (fields, result.out + result.err)
        assert "Traceback" not in result.err
        if code == 1:
            assert_one_line_error(result)
            assert "/cluster/resources" in result.err and "vmid" in result.err, fields
        if code == 3:
            assert "kept the last state of qemu/101" in result.err, fields
        if code == 0:
            assert "no changes" in result.out, fields
        assert committed(synced) == before, fields
    assert_consistent(synced)


# ------------------------------------------------------------------ strange values and names

YAML_TRAPS = [
    "yes", "no", "on", "off", "y", "~", "null", "0x1F", "1e3", "01", "1_000", "12:30:45", "2026-01-01",
    "- item", "key: value", "#comment", "&anchor", "*alias", "!tag", "|", ">", "'", '"', "%", "@", "`",
    "true", "False", ".inf", "-.nan", "0o17", "+1", "=", "<<", " lead", "trail ", "",
]  # fmt: skip
STRANGE = (
    "tab\there\x00nul\x07bell\x1b[31mred\x7f\u2028ls\u0085nel\ufeffbom\U0001f600 √©\u202e-rtl"
    " \\ \"quote\" 'single'"
)


def test_strange_values_are_recorded_exactly(
    synced: Path, cli: Any, small_cluster: Any, tmp_path: Path
) -> None:
    rng = random.Random(20261125)
    huge = "".join(rng.choice(string.ascii_letters + " \n") for _ in range(1_000_000))
    vm = small_cluster.vm(102)
    vm.config["description"] = huge
    vm.config["tags"] = "yes;0x1F;null;01;a-b"
    small_cluster.vm(9000).config["description"] = STRANGE + "\n" + "\n".join(YAML_TRAPS)
    ct = small_cluster.ct(201)
    ct.config["description"] = "\n\n  leading blank lines\n trailing spaces   \n\n"
    for index, trap in enumerate(YAML_TRAPS):
        vm.config[f"x-trap{index}"] = trap  # unknown keys are recorded as they come
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    docs = {rel: yamlio.load(content.decode()) for rel, content in recorded(synced).items()}
    vm_doc = docs["clusters/lab/qemu/102.yaml"]
    assert vm_doc["config"]["description"] == huge
    tags = vm_doc["config"]["tags"]
    assert tags == sorted(["yes", "0x1F", "null", "01", "a-b"], key=str) or set(tags) == {
        "yes",
        "0x1F",
        "null",
        "01",
        "a-b",
    }
    for index, trap in enumerate(YAML_TRAPS):
        assert vm_doc["config"].get(f"x-trap{index}", trap) == trap
    assert docs["clusters/lab/qemu/9000.yaml"]["config"]["description"] == STRANGE + "\n" + "\n".join(
        YAML_TRAPS
    )
    assert docs["clusters/lab/lxc/201.yaml"]["config"]["description"] == ct.config["description"]
    # A second sync reads the same values again and sees no change.
    again = cli("sync", "-C", str(synced))
    assert again.code == 0 and "no changes" in again.out, again.out + again.err
    assert_consistent(synced)
    assert_only_files_of_the_repository(tmp_path, synced)
