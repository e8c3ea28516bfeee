"""What a reviewer reads of a change, in text, Markdown and JSON, on a record built by real syncs.

Each case changes the fake cluster through its API between two syncs (or takes a node offline
before a drift) and reads `show-changes` (or `drift`) in the three formats, as docs/reports.md
describes them.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest

from proxstate.report import changeset_schema
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result, strip_ansi

Cli = Callable[..., Result]
RULES = (
    {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "comment": "ssh"},
    {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "443", "comment": "web"},
    {"type": "in", "action": "ACCEPT", "macro": "Ping"},
)


class Api:
    """Writes through the fake's HTTP API, as an administrator makes them."""

    def __init__(self, pve: Any, env: dict[str, str]) -> None:
        self.pve = pve
        self.verify = ssl.create_default_context(cafile=env["PROXSTATE_CA_CERT"])

    def __call__(self, method: str, path: str, **data: str) -> Any:
        response = httpx.request(
            method,
            f"{self.pve.url}/api2/json{path}",
            data=data,
            headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
            verify=self.verify,
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]


@pytest.fixture
def api(small_cluster: Any, pve_env: dict[str, str]) -> Api:
    return Api(small_cluster, pve_env)


# The kinds these cases change (and those a guest needs): reading fewer kinds keeps each sync short.
KINDS = "[cluster, node, qemu, lxc, storage, content, tasks, firewall, access]"


@pytest.fixture
def recorded(state_repo: Path, pve_env: dict[str, str], cli: Cli) -> Callable[[], Path]:
    """Sync once more: the report of the last sync is `show-changes`."""
    config = state_repo / "proxstate.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  # kinds: [cluster, node, qemu, lxc, storage, content, tasks]", f"  kinds: {KINDS}")
    )

    def sync() -> Path:
        result = cli("sync", "-C", str(state_repo))
        assert result.code == 0, result.err
        return state_repo

    return sync


def _reports(cli: Cli, repo: Path, *args: str) -> tuple[str, str, dict[str, Any]]:
    """show-changes as text, Markdown and JSON (the JSON checked against its schema)."""
    text = cli("show-changes", "-C", str(repo), *args)
    markdown = cli("show-changes", "-C", str(repo), "--format", "markdown", *args)
    data = cli("show-changes", "-C", str(repo), "--format", "json", *args)
    assert text.code == markdown.code == data.code == 0, (text.err, markdown.err, data.err)
    document = json.loads(data.out)
    jsonschema.validate(document, changeset_schema())
    return strip_ansi(text.out), markdown.out, document


def _flat(text: str) -> str:
    """`text` with every run of white space one space: a long line wraps in the text report."""
    return " ".join(text.split())


def _change(document: dict[str, Any], resource_id: str) -> dict[str, Any]:
    (resource,) = [r for r in document["resources"] if r["resource_id"] == resource_id]
    assert isinstance(resource, dict)
    return resource


def test_one_rule_inserted_among_three_is_one_added_rule(api: Api, recorded: Any, cli: Cli) -> None:
    for rule in RULES:
        api("POST", "/cluster/firewall/rules", enable="1", pos=str(len(RULES)), **rule)
    recorded()
    api(
        "POST",
        "/cluster/firewall/rules",
        type="in",
        action="DROP",
        source="203.0.113.0/24",
        enable="1",
        comment="block scanner",
        pos="0",
    )
    text, markdown, document = _reports(cli, recorded())
    assert (
        "  ~ firewall/cluster/rules  [security, network]\n"
        '      + rule 1: IN DROP source 203.0.113.0/24 comment "block scanner"\n'
        "      = 3 rules moved down by 1, their order kept\n"
    ) in text
    assert 'rule 1: IN DROP source 203.0.113.0/24 comment "block scanner"' in markdown
    assert "**1 security-relevant**" in markdown
    (entries,) = _change(document, "firewall/cluster/rules")["changes"]
    assert [(e["action"], e["old_position"], e["new_position"]) for e in entries["elements"]] == [
        ("added", None, 1),
        ("moved", 1, 2),
        ("moved", 2, 3),
        ("moved", 3, 4),
    ]
    assert entries["elements"][0]["new"]["source"] == "203.0.113.0/24"


def test_an_ipset_entry_added_is_named_by_its_cidr(api: Api, recorded: Any, cli: Cli) -> None:
    api("POST", "/cluster/firewall/ipset", name="scanners", comment="known scanners")
    api("POST", "/cluster/firewall/ipset/scanners", cidr="198.51.100.0/24", comment="first")
    recorded()
    api("POST", "/cluster/firewall/ipset/scanners", cidr="203.0.113.7", comment="seen at night")
    text, markdown, document = _reports(cli, recorded())
    assert '      + entry 203.0.113.7: comment "seen at night"\n' in text
    assert '+ entry 203.0.113.7: comment "seen at night"' in markdown
    (change,) = _change(document, "firewall/cluster/ipset/scanners")["changes"]
    assert change["path"] == "entries.203.0.113.7"
    assert change["elements"][0]["key"] == "203.0.113.7"


@pytest.fixture
def acl(small_cluster: Any) -> Iterator[list[dict[str, Any]]]:
    """The ACL the fake answers, as PVE's read_acl (PVE::API2::ACL) lists it: one entry per path,
    user, group or token and role, with `propagate` as 0 or 1 (fakepve has no ACL of its own)."""
    from aiohttp import web

    entries: list[dict[str, Any]] = [
        {"path": "/", "type": "group", "ugid": "ops", "roleid": "PVEAuditor", "propagate": 1},
        {"path": "/vms/101", "type": "user", "ugid": "alice@pve", "roleid": "PVEVMAdmin", "propagate": 1},
    ]
    original = small_cluster._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        if request.method == "GET" and request.path == "/api2/json/access/acl":
            return web.json_response({"data": entries})
        return await original(request, handler, generic, path_node)

    small_cluster._answer = answer
    yield entries
    small_cluster._answer = original


def test_an_acl_entry_changed_says_which_entry_and_what(
    acl: list[dict[str, Any]], recorded: Any, cli: Cli
) -> None:
    recorded()
    acl[1]["propagate"] = 0
    acl.append(
        {"path": "/storage/local", "type": "token", "ugid": "ci@pve!deploy", "roleid": "PVEDatastoreUser"}
    )
    repo = recorded()
    text, markdown, document = _reports(cli, repo)
    assert (
        "  ~ access/acl  [security, config]\n"
        "      + ACL entry /storage/local token ci@pve!deploy PVEDatastoreUser"
    ) in text
    assert "      ~ ACL entry /vms/101 user alice@pve PVEVMAdmin: propagate true -> false\n" in text
    assert "~ ACL entry /vms/101 user alice@pve PVEVMAdmin: propagate true -> false" in markdown
    (entries,) = _change(document, "access/acl")["changes"]
    changed = [e for e in entries["elements"] if e["action"] == "changed"]
    assert changed[0]["changes"] == [{"path": "propagate", "old": True, "new": False}]
    assert cli("show-changes", "-C", str(repo), "--class", "hardware").out.strip() == "No changes."
    assert "access/acl" in cli("show-changes", "-C", str(repo), "--class", "security", "--kind", "access").out


def test_a_pending_change_is_shown_field_by_field(api: Api, recorded: Any, cli: Cli) -> None:
    recorded()
    # A running VM: PVE keeps the new memory pending until the next restart.
    api("PUT", "/nodes/pve1/qemu/101/config", memory="24576", cores="4")
    text, markdown, document = _reports(cli, recorded())
    assert "      + pending.cores: 4\n      + pending.memory: 24576\n" in text
    assert "| `pending.memory` |  | `24576` |" in markdown
    paths = [c["path"] for c in _change(document, "qemu/101")["changes"]]
    assert paths == ["pending.cores", "pending.memory"]


def test_an_added_vm_shows_its_key_facts_and_every_field_with_full(api: Api, recorded: Any, cli: Cli) -> None:
    recorded()
    api(
        "POST",
        "/nodes/pve2/qemu",
        vmid="111",
        name="api01",
        cores="2",
        memory="4096",
        net0="virtio,bridge=vmbr0,firewall=1",
        scsi0="local-lvm:32,iothread=1",
        tags="prod;api",
    )
    repo = recorded()
    text, markdown, document = _reports(cli, repo)
    assert (
        "  + qemu/111 api01  [added]\n"
        "      node: pve2\n"
        "      status: stopped\n"
        "      name: api01\n"
        "      cores: 2\n"
        "      memory: 4096\n"
        "      tags: [api, prod]\n"
        "      net0: virtio,bridge=vmbr0,firewall=1\n"
        "      scsi0: local-lvm:vm-111-disk-0,iothread=1,size=32G\n"
    ) in text
    assert "| `scsi0` | `local-lvm:vm-111-disk-0,iothread=1,size=32G` |" in markdown
    facts = {fact["name"]: fact["value"] for fact in _change(document, "qemu/111")["facts"]}
    assert facts["memory"] == 4096 and facts["node"] == "pve2"
    full = strip_ansi(cli("show-changes", "-C", str(repo), "--full", "--kind", "qemu").out)
    assert "      config.net0.macaddr: " in full and "      config.scsi0.iothread: true" in full
    whole = json.loads(cli("show-changes", "-C", str(repo), "--full", "--format", "json").out)
    assert _change(whole, "qemu/111")["document"]["config"]["name"] == "api01"


def test_a_day_with_two_failed_tasks_lists_them(
    api: Api, small_cluster: Any, recorded: Any, cli: Cli
) -> None:
    recorded()
    small_cluster.vm(102).start_error = "TASK ERROR: volume 'local-lvm:vm-102-disk-0' does not exist"
    small_cluster.ct(201).start_error = "TASK ERROR: unable to mount rootfs"
    api("POST", "/nodes/pve2/qemu/102/status/start")
    recorded()  # the day's first task on pve2: its file is added, its failed task named
    api("POST", "/nodes/pve2/lxc/201/status/start")
    api("POST", "/nodes/pve2/qemu/102/status/start")
    repo = recorded()
    first = _flat(strip_ansi(cli("show-changes", "HEAD~1", "-C", str(repo)).out))
    assert "failed task: qmstart 102 by root@pam!proxstate: TASK ERROR: volume" in first
    text, markdown, document = _reports(cli, repo)
    failed = "TASK ERROR: volume 'local-lvm:vm-102-disk-0' does not exist"
    assert f"! task qmstart 102 by root@pam!proxstate: {failed}" in _flat(text)
    assert "! task vzstart 201 by root@pam!proxstate: TASK ERROR: unable to mount rootfs" in _flat(text)
    assert "! task vzstart 201 by root@pam!proxstate: TASK ERROR: unable to mount rootfs" in markdown
    (tasks,) = [r for r in document["resources"] if r["resource_id"].startswith("tasks/pve2/")]
    assert sorted(c["new"]["status"] for c in tasks["changes"]) == [
        "TASK ERROR: unable to mount rootfs",
        "TASK ERROR: volume 'local-lvm:vm-102-disk-0' does not exist",
    ]


def test_a_node_offline_with_ten_guests_is_one_line(small_cluster: Any, recorded: Any, cli: Cli) -> None:
    small_cluster.add_node("pve3")
    for vmid in range(301, 308):
        small_cluster.add_vm(vmid, f"vm{vmid}", node="pve3", config={"memory": 512})
    for vmid in range(401, 404):
        small_cluster.add_ct(vmid, f"ct{vmid}", node="pve3", config={"memory": 256})
    repo = recorded()
    small_cluster.set_node_offline("pve3")
    text = cli("drift", "-C", str(repo))
    assert text.code == 2, text.err  # the node's own document says it is unreachable: drift
    guests = "qemu/301, qemu/302, qemu/303, qemu/304, qemu/305, qemu/306, qemu/307, lxc/401, lxc/402, lxc/403"
    (line,) = [line for line in strip_ansi(text.out).splitlines() if line.startswith("  ? ")]
    assert line.startswith("  ? lab: node pve3 is unreachable (")
    assert guests in " ".join(strip_ansi(text.out).split())
    verbose = strip_ansi(cli("drift", "-C", str(repo), "--verbose").out)
    assert "      qemu/307\n" in verbose and "      firewall/node/pve3/rules\n" in verbose
    data = json.loads(cli("drift", "-C", str(repo), "--format", "json").out)
    (group,) = data["unreadable_groups"]
    assert len(group["resource_ids"]) == len(data["unreadable"]) > 10
    markdown = cli("drift", "-C", str(repo), "--format", "markdown").out
    assert f"<details><summary>All {len(data['unreadable'])} documents</summary>" in markdown


def test_an_sshkey_added_is_one_key_a_line(api: Api, recorded: Any, cli: Cli) -> None:
    first = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirst alice@laptop"
    second = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecond bob@desk"
    # A stopped VM: the keys change its config at once (a running one's would be pending).
    api("PUT", "/nodes/pve2/qemu/102/config", sshkeys=quote(first + "\n", safe=""))
    recorded()
    api("PUT", "/nodes/pve2/qemu/102/config", sshkeys=quote(f"{first}\n{second}\n", safe=""))
    text, markdown, document = _reports(cli, recorded())
    assert f"      ~ config.sshkeys:\n          + key {second}\n" in text
    assert f"+ key {second}" in markdown
    (change,) = [c for c in _change(document, "qemu/102")["changes"] if c["path"] == "config.sshkeys"]
    assert "%20" in change["new"]  # the record and the JSON keep what PVE stores


def test_a_consumer_of_format_1_reads_format_2(api: Api, recorded: Any, cli: Cli) -> None:
    """A program written for format 1 reads the fields docs/reports.md calls stable."""
    recorded()
    api("PUT", "/nodes/pve1/qemu/101/config", memory="4096", description="two")
    _, _, document = _reports(cli, recorded())
    assert document["format_version"] >= 1
    summary = document["summary"]
    seen = {
        (resource["cluster"], resource["resource_id"], resource["action"], change["path"], change["action"])
        for resource in document["resources"]
        for change in resource["changes"]
        if {"class", "old", "new"} <= change.keys() and isinstance(resource["classes"], list)
    }
    assert ("lab", "qemu/101", "modified", "config.description", "changed") in seen
    assert summary["modified"] >= 1 and {"sha", "short", "date", "subject"} <= document["target"].keys()
    assert document["unreadable"] == []
