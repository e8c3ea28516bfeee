"""Every typed endpoint method against fakepve over HTTPS: values, types and paths."""

from __future__ import annotations

import httpx
import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.errors import ParameterError

pytestmark = pytest.mark.anyio


@pytest.fixture
def cluster(fakepve: FakePve) -> FakePve:
    fakepve.add_vm(
        101,
        "web01",
        node="pve1",
        status="running",
        config={"memory": 2048, "cores": 2, "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0", "tags": "prod"},
    )
    fakepve.add_vm(102, "tmpl", node="pve1", template=True)
    fakepve.add_ct(201, "ct01", node="pve1")
    fakepve.add_node("pve2")
    return fakepve


async def test_cluster_calls(cluster: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        version = await client.version()
        status = await client.cluster_status()
        resources = await client.cluster_resources()
        vms = await client.cluster_resources("vm")
        node_status = await client.node_status("pve1")
    assert version.version == cluster.version
    assert status[0].type == "cluster" and status[0].quorate is True
    assert [(e.name, e.nodeid, e.local) for e in status[1:]] == [("pve1", 1, True), ("pve2", 2, False)]
    assert {r.id for r in resources} >= {"qemu/101", "qemu/102", "lxc/201", "node/pve1", "node/pve2"}
    assert {r.id for r in vms} == {"qemu/101", "qemu/102", "lxc/201"}
    template = next(r for r in vms if r.vmid == 102)
    assert template.template is True and template.type == "qemu"
    assert node_status.cpuinfo is not None and "model" in node_status.cpuinfo
    assert "current-kernel" in node_status.payload()


async def test_qemu_calls(cluster: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        await client.post("/nodes/pve1/qemu/101/snapshot", data={"snapname": "before"})
        pending = await client.qemu_pending("pve1", 101)
        snapshots = await client.qemu_snapshots("pve1", 101)
    assert {p["key"]: p["value"] for p in pending}["cores"] == 2
    assert [s.name for s in snapshots] == ["before", "current"]
    assert snapshots[0].snaptime and snapshots[1].parent == "before"


async def test_lxc_calls(cluster: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        config = await client.lxc_config("pve1", 201)
        pending = await client.lxc_pending("pve1", 201)
        snapshots = await client.lxc_snapshots("pve1", 201)
    assert config.hostname == "ct01" and config.payload()["unprivileged"] == 1
    assert {p["key"] for p in pending} >= {"hostname", "rootfs"}
    assert [s.name for s in snapshots] == ["current"]


async def test_storage_calls(cluster: FakePve, fakepve_settings: ConnectionSettings) -> None:
    cluster.store_file("local", "debian.iso", 1024)
    async with PveClient(fakepve_settings) as client:
        definitions = await client.storage_definitions()
        on_node = await client.node_storage("pve1")
        content = await client.storage_content("pve1", "local")
    assert [(d.storage, d.type) for d in definitions] == [("local", "dir"), ("local-lvm", "lvmthin")]
    assert all(s.active is True and s.enabled is True and s.shared is False for s in on_node)
    assert [(v.volid, v.size, v.content) for v in content] == [("local:iso/debian.iso", 1024, "iso")]


async def test_task_calls(cluster: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        upid = await client.post("/nodes/pve1/lxc/201/status/start")
        cluster.tasks[upid]["log"][:] = [f"line {i}" for i in range(1, 1201)]
        tasks = await client.node_tasks("pve1", limit=10, vmid=201, errors=False, source="all")
        status = await client.task_status("pve1", upid)
        log = await client.task_log("pve1", upid)
        short = await client.task_log("pve1", upid, page_size=1200)
    assert [t.upid for t in tasks] == [upid]
    assert tasks[0].type == "vzstart" and tasks[0].id == "201" and tasks[0].status == "OK"
    assert status.status == "stopped" and status.exitstatus == "OK" and status.node == "pve1"
    assert [line.n for line in log] == list(range(1, 1201))
    assert log[-1].t == "line 1200" and short == log
    # Three pages of 500 for the long log, one page of 1200 then one empty page for the other.
    log_reads = [path for method, path, _ in cluster.requests if path.endswith("/log")]
    assert len(log_reads) == 3 + 2


async def test_node_tasks_sends_only_given_filters(
    cluster: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    async with PveClient(fakepve_settings) as client:
        await client.node_tasks("pve1", since=1700000000, errors=True, typefilter="vzdump")
    method, path, _ = cluster.requests[-1]
    assert (method, path) == ("GET", "/api2/json/nodes/pve1/tasks")


async def test_path_components_are_percent_encoded(
    cluster: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ParameterError) as caught:
            await client.storage_content("pve1", "../../../version")
    # The name reached PVE as one path segment, and PVE refused it as a storage id.
    assert "storage ID '../../../version' contains illegal characters" in caught.value.errors["storage"]
    assert not any(path.endswith("/api2/json/version") for _, path, _ in cluster.requests)


async def test_what_goes_on_the_wire() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": []})

    settings = ConnectionSettings(url="pve.example.com", token="root@pam!ci=s3cr3t")
    async with PveClient(settings, transport=httpx.MockTransport(answer)) as client:
        await client.node_tasks("pve 1", since=1700000000, errors=True, typefilter="vzdump", vmid=None)
        await client.task_log("pve1", "UPID:pve1:0000ABCD:00001234:6955B900:vzdump:100:root@pam:")
        await client.get("/cluster/backup", params={"ids": ["a", "b"], "all": False})
    assert [str(r.url) for r in seen] == [
        "https://pve.example.com:8006/api2/json/nodes/pve%201/tasks?since=1700000000&typefilter=vzdump&errors=1",
        "https://pve.example.com:8006/api2/json/nodes/pve1/tasks/"
        "UPID%3Apve1%3A0000ABCD%3A00001234%3A6955B900%3Avzdump%3A100%3Aroot%40pam%3A/log?start=0&limit=500",
        "https://pve.example.com:8006/api2/json/cluster/backup?ids=a&ids=b&all=0",
    ]
    assert all(r.headers["Authorization"] == "PVEAPIToken=root@pam!ci=s3cr3t" for r in seen)
