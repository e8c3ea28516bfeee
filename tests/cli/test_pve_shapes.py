"""Answers shaped the way real PVE handlers give them, where fakepve is tidier than PVE.

Each test makes the fake answer as the named PVE handler does and checks what a sync records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from proxstate import yamlio
from tests.helpers.answers import answer_as_pve, pve_error
from tests.helpers.cli import api_post
from tests.helpers.process import wait_for
from tests.helpers.repo import document

RAW_LXC = [
    ["lxc.cgroup2.devices.allow", "c 10:200 rwm"],
    ["lxc.mount.entry", "/dev/net dev/net none bind,create=dir"],
    ["lxc.mount.entry", "/dev/dri dev/dri none bind,optional,create=dir"],
]


def test_raw_lxc_lines_are_recorded_though_pending_leaves_them_out(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-container API2/LXC/Config.pm vm_config returns the raw lines as `lxc: [[key, value]]`;
    # API2/LXC.pm vm_pending goes through pve-guest-common's config_with_pending_array, which
    # skips every array value, so /pending never has them.
    def with_raw_lines(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        body["data"]["lxc"] = RAW_LXC
        return body

    answer_as_pve(small_cluster, "/nodes/pve1/lxc/200/config", with_raw_lines)
    result = cli("sync", "-C", str(state_repo), "--only", "lxc")
    assert result.code == 0, result.err
    config = document(state_repo, "lxc/200.yaml")["config"]
    assert config["lxc"] == [
        {"lxc.cgroup2.devices.allow": "c 10:200 rwm"},
        {"lxc.mount.entry": "/dev/net dev/net none bind,create=dir"},
        {"lxc.mount.entry": "/dev/dri dev/dri none bind,optional,create=dir"},
    ]
    assert config["memory"] == 512  # the rest still comes from /pending
    assert "lxc" not in document(state_repo, "lxc/201.yaml")["config"]
    # A second sync sees the same container: nothing changed, nothing committed.
    again = cli("sync", "-C", str(state_repo), "--only", "lxc")
    assert again.code == 0 and "no changes" in (again.out + again.err).lower()


def test_a_task_run_by_a_token_names_the_token(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-manager API2/Tasks.pm node_tasks: convert_token_task splits `user@realm!token` into
    # `user` and `tokenid` (fakepve keeps the whole id in `user`).
    def split_token(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        for task in body["data"]:
            user, _, token = task["user"].partition("!")
            if token:
                task["user"], task["tokenid"] = user, token
        return body

    answer_as_pve(small_cluster, "/nodes/pve2/tasks", split_token)
    small_cluster.time_scale = 0  # the VM starts at once
    assert cli("sync", "-C", str(state_repo), "--only", "qemu,tasks").code == 0
    upid = api_post(small_cluster, pve_env, "/nodes/pve2/qemu/102/status/start")
    wait_for(lambda: small_cluster.tasks[upid].get("exitstatus") is not None)
    assert cli("sync", "-C", str(state_repo), "--only", "qemu,tasks").code == 0
    day = next((state_repo / "clusters/lab/tasks/pve2").glob("*.yaml"))
    assert yamlio.load(day.read_text())["tasks"][upid]["user"] == "root@pam!proxstate"
    report = cli("show-changes", "-C", str(state_repo), "--resource", "qemu/102")
    assert "root@pam!proxstate" in report.out, report.out


def not_implemented(request: Any, body: dict[str, Any]) -> web.Response:
    # PVE's router for a path no method matches (a pool id with `/` in /pools/{poolid}).
    return pve_error(501, f"Method 'GET {request.path.removeprefix('/api2/json')}' not implemented")


def test_nested_pools_are_read_through_pools_with_poolid(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-manager API2/Pool.pm (8.1+): `GET /pools?poolid=` answers a list with the pool and its
    # members; the deprecated read_pool at /pools/{poolid} cannot take `prod/web`.
    api_post(small_cluster, pve_env, "/pools", {"poolid": "prod/web", "comment": "web tier"})
    small_cluster._pool_join("prod/web", 102)
    answer_as_pve(small_cluster, "/pools/prod/web", not_implemented)
    answer_as_pve(small_cluster, "/pools/prod", not_implemented)  # only the newer form is read
    result = cli("sync", "-C", str(state_repo), "--only", "pool")
    assert result.code == 0, result.err
    web_pool = document(state_repo, "pool/prod/web.yaml")
    assert web_pool["id"] == "prod/web"
    assert web_pool["config"]["comment"] == "web tier"
    assert web_pool["config"]["members"] == [{"id": "qemu/102", "type": "qemu", "vmid": 102}]
    assert document(state_repo, "pool/prod.yaml")["config"]["members"][0]["vmid"] == 101
    assert "pool/prod/web" in cli("log", "-C", str(state_repo), "pool/prod/web").out


def test_pools_of_pve7_are_read_through_the_old_endpoint(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # PVE 7.4's /pools has no parameters (apidoc-pve7.4.json): the generic parameter check
    # refuses `poolid` with a 400, and only lists pool ids; /pools/{poolid} holds the pool.
    def pve7_index(request: Any, body: dict[str, Any]) -> dict[str, Any] | web.Response:
        if "poolid" in request.query:
            refused = "property is not defined in schema and the schema does not allow additional properties"
            return pve_error(400, "Parameter verification failed.", {"poolid": refused})
        return {"data": [{"poolid": item["poolid"]} for item in body["data"]]}

    answer_as_pve(small_cluster, "/pools", pve7_index)
    result = cli("sync", "-C", str(state_repo), "--only", "pool")
    assert result.code == 0, result.err
    assert document(state_repo, "pool/prod.yaml")["config"]["members"] == [
        {"id": "qemu/101", "type": "qemu", "vmid": 101}
    ]


PENDING_DIFF = """--- /etc/network/interfaces\t2026-11-01 10:00:00.000000000 +0000
+++ /etc/network/interfaces.new\t2026-11-02 09:00:00.000000000 +0000
@@ -5,7 +5,7 @@
 auto vmbr0
 iface vmbr0 inet static
-\taddress 192.0.2.11/24
+\taddress 192.0.2.99/24
 \tgateway 192.0.2.1
 \tbridge-ports eno1
"""


def test_pending_node_network_is_recorded_apart_from_the_applied_one(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-manager API2/Network.pm index: read_file('interfaces', 1) lists
    # /etc/network/interfaces.new while it exists, and set_result_attrib('changes', $diff) puts
    # the diff against the applied file beside `data`.
    state = {"file": "old"}  # old: applied, nothing pending; pending: .new exists; new: applied

    def as_pve(request: Any, body: dict[str, Any]) -> dict[str, Any] | None:
        if state["file"] == "old":
            return None
        vmbr0 = next(item for item in body["data"] if item["iface"] == "vmbr0")
        vmbr0.update(address="192.0.2.99", cidr="192.0.2.99/24")
        return {**body, "changes": PENDING_DIFF} if state["file"] == "pending" else body

    answer_as_pve(small_cluster, "/nodes/pve1/network", as_pve)
    only = ("--only", "network")
    assert cli("sync", "-C", str(state_repo), *only).code == 0
    state["file"] = "pending"
    result = cli("sync", "-C", str(state_repo), *only)
    assert result.code == 0, result.err
    network = document(state_repo, "network/pve1.yaml")
    assert network["entries"]["vmbr0"]["cidr"] == "192.0.2.11/24"  # still what is applied
    assert network["pending"]["entries"]["vmbr0"]["cidr"] == "192.0.2.99/24"
    assert network["pending"]["changes"] == PENDING_DIFF
    assert "pending" in cli("show-changes", "-C", str(state_repo), "--resource", "network/*").out
    assert "no changes" in cli("sync", "-C", str(state_repo), *only).out  # both kept as they are
    state["file"] = "new"  # "Apply Configuration": interfaces.new became the applied file
    assert cli("sync", "-C", str(state_repo), *only).code == 0
    network = document(state_repo, "network/pve1.yaml")
    assert "pending" not in network
    assert network["entries"]["vmbr0"]["cidr"] == "192.0.2.99/24"


def ceph_on_pve2_only(pve: Any) -> None:
    """Ceph installed and a monitor running on pve2 only; pve1 answers as a node without Ceph."""

    def not_installed(request: Any, body: dict[str, Any]) -> web.Response:
        # pve-manager PVE/Ceph/Tools.pm check_ceph_installed, called by every Ceph handler.
        return pve_error(500, "binary not installed: /usr/bin/ceph-mon")

    def monitors(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        # PVE/API2/Ceph/MON.pm listmon: one entry per monitor, by name, with the host it runs on.
        mon = {"name": "pve2", "host": "pve2", "addr": "192.0.2.12:6789/0", "rank": 0, "quorum": 1}
        return {"data": [{**mon, "state": "running", "service": 1, "direxists": 1}]}

    answer_as_pve(pve, "/nodes/pve1/ceph/*", not_installed)
    answer_as_pve(pve, "/nodes/pve2/ceph/mon", monitors)


def test_ceph_is_read_through_the_node_that_runs_it(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    ceph_on_pve2_only(small_cluster)
    result = cli("sync", "-C", str(state_repo), "--only", "ceph")
    assert result.code == 0, result.err
    ceph = state_repo / "clusters/lab/ceph"
    recorded = sorted(str(p.relative_to(ceph)) for p in ceph.rglob("*.yaml"))
    assert "config.yaml" in recorded and any(p.startswith("pool/") for p in recorded), recorded
    # The only node with Ceph is unreachable: no node can say, so nothing is removed.
    small_cluster.set_node_offline("pve2")
    result = cli("sync", "-C", str(state_repo), "--only", "ceph")
    assert result.code == 3
    assert result.err.count("kept the last state of ceph") == 1, result.err  # one line for Ceph
    assert "kept the last state of ceph/*: no reachable node has Ceph installed" in result.err
    assert "pve2" in result.err
    assert sorted(str(p.relative_to(ceph)) for p in ceph.rglob("*.yaml")) == recorded


def test_a_cluster_without_ceph_has_no_ceph_documents(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    for node in ("pve1", "pve2"):
        small_cluster.fail("GET", f"/nodes/{node}/ceph/mon", 500, "binary not installed: /usr/bin/ceph-mon")
    result = cli("sync", "-C", str(state_repo), "--only", "ceph")
    assert result.code == 0, result.err
    assert not (state_repo / "clusters/lab/ceph").exists()
    asked = [path for method, path, _ in small_cluster.requests if "/ceph/" in path]
    assert asked == ["/api2/json/nodes/pve1/ceph/mon", "/api2/json/nodes/pve2/ceph/mon"]


def test_backup_job_retention_is_typed_as_the_storage_one(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-manager API2/Backup.pm: prune-backups is a property string when written, but the job
    # list returns it parsed ($backup_job_return_schema), with the values as they were parsed.
    def retention_object(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        for job in body["data"]:
            job["prune-backups"] = {"keep-daily": "7", "keep-last": "3"}
        return body

    answer_as_pve(small_cluster, "/cluster/backup", retention_object)
    api_post(small_cluster, pve_env, "/storage", {"storage": "nas", "type": "dir", "path": "/srv/nas"})
    small_cluster.storages["nas"]["prune-backups"] = "keep-last=3,keep-daily=7"
    assert cli("sync", "-C", str(state_repo), "--only", "backup-job,storage").code == 0
    jobs = list((state_repo / "clusters/lab/backup-job").glob("*.yaml"))
    assert jobs
    storage = document(state_repo, "storage/nas.yaml")["config"]["prune-backups"]
    assert storage == {"keep-daily": 7, "keep-last": 3}
    for job in jobs:
        assert yamlio.load(job.read_text())["config"]["prune-backups"] == storage


def test_a_plain_sync_keeps_the_logs_of_failed_tasks(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    upid, pid, start = small_cluster._upid("pve1", "qmstart", "101", "root@pam")
    failed = {
        "upid": upid,
        "node": "pve1",
        "pid": pid,
        "pstart": pid * 7,
        "starttime": start,
        "type": "qmstart",
    }
    failed.update(id="101", user="root@pam", status="stopped", exitstatus="start failed", endtime=start + 1)
    failed["log"] = ["start VM 101", "TASK ERROR: start failed"]
    small_cluster.tasks[upid] = failed
    small_cluster.tasklog.append(failed)
    assert cli("sync", "-C", str(state_repo), "--only", "tasks", "--task-logs").code == 0
    day = next((state_repo / "clusters/lab/tasks/pve1").glob("*.yaml"))
    logged = yamlio.load(day.read_text())["tasks"][upid]
    assert logged["log"] == ["start VM 101", "TASK ERROR: start failed"]
    result = cli("sync", "-C", str(state_repo), "--only", "tasks")
    assert result.code == 0 and "no changes" in result.out
    assert yamlio.load(day.read_text())["tasks"][upid] == logged


def test_a_vanished_guest_keeps_its_firewall_documents_with_its_own(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    only = ("--only", "node,qemu,guest-firewall")
    small_cluster.firewall_config("vm", vmid=102)["rules"] = [{"type": "in", "action": "ACCEPT", "enable": 1}]
    assert cli("sync", "-C", str(state_repo), *only).code == 0
    firewall = state_repo / "clusters/lab/guest-firewall/qemu/102"
    before = {p.name: p.read_bytes() for p in firewall.rglob("*.yaml")}
    assert before and (state_repo / "clusters/lab/qemu/102.yaml").exists()
    # Its node is unreachable and the cluster's list no longer names the guest: the guest's
    # document is kept (it may still be there), and so are its firewall documents.
    small_cluster.set_node_offline("pve2")

    def without_102(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        return {"data": [item for item in body["data"] if item.get("id") != "qemu/102"]}

    answer_as_pve(small_cluster, "/cluster/resources", without_102)
    assert "unreachable: pve2" in cli("sync", "-C", str(state_repo), *only).out
    assert (state_repo / "clusters/lab/qemu/102.yaml").exists()
    assert {p.name: p.read_bytes() for p in firewall.rglob("*.yaml")} == before
    # Back online and still not listed: the guest is gone, and its firewall with it.
    small_cluster.set_node_offline("pve2", offline=False)
    assert cli("sync", "-C", str(state_repo), *only).code == 0
    assert not (state_repo / "clusters/lab/qemu/102.yaml").exists()
    assert not firewall.exists()


def test_ip_set_and_security_group_comments_are_recorded(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-firewall API2/Firewall/IPSet.pm and Groups.pm: the comment of a set or a group is in
    # their list ($get_ipset_list, list_security_groups), not in the set's or group's own GET,
    # which answers its entries or rules.
    api_post(small_cluster, pve_env, "/cluster/firewall/ipset", {"name": "mgmt", "comment": "admins"})
    api_post(small_cluster, pve_env, "/cluster/firewall/ipset/mgmt", {"cidr": "192.0.2.0/24"})
    api_post(small_cluster, pve_env, "/cluster/firewall/groups", {"group": "web", "comment": "web servers"})
    guest_ipsets = "/nodes/pve1/qemu/101/firewall/ipset"
    api_post(small_cluster, pve_env, guest_ipsets, {"name": "backends", "comment": "app tier"})
    result = cli("sync", "-C", str(state_repo), "--only", "firewall,guest-firewall")
    assert result.code == 0, result.err
    ipset = document(state_repo, "firewall/cluster/ipset/mgmt.yaml")
    assert ipset["comment"] == "admins" and "192.0.2.0/24" in ipset["entries"]
    assert document(state_repo, "firewall/cluster/group/web.yaml")["comment"] == "web servers"
    assert document(state_repo, "guest-firewall/qemu/101/ipset/backends.yaml")["comment"] == "app tier"
