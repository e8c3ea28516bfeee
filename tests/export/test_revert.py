"""`proxstate revert` and `drift --plan`: the printed plan, sent to the fake cluster through its API
(tests/helpers/pvesh.py), brings it back to the record, so that drift exits 0 after."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from proxstate.demo.clusterlog import log_as_pve
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result, api_post
from tests.helpers.clusterlog import ALICE, add_tokens, api_as
from tests.helpers.pvesh import apply_pvesh

RULES = "/cluster/firewall/rules"


def _record(pve: Any, env: dict[str, str], repo: Path, cli: Callable[..., Result]) -> None:
    vm = pve.find("pve2", 102)
    vm.config.update(net0="virtio=BC:24:11:00:00:02,bridge=vmbr0", onboot=1)
    vm.config["scsi0"] = "local-lvm:vm-102-disk-0,size=32G"
    api_post(
        pve, env, RULES, {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "enable": "1"}
    )
    api_post(pve, env, RULES, {"type": "in", "action": "DROP", "source": "203.0.113.0/24", "enable": "1"})
    result = cli("sync", "-C", str(repo))
    assert result.code == 0, result.err


def _drift(repo: Path, cli: Callable[..., Result]) -> Result:
    return cli("drift", "-C", str(repo), "--no-notify")


def test_the_plan_of_drift_puts_the_cluster_back(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    vm = small_cluster.find("pve2", 102)
    vm.config.update(memory=8192, cores=8, tags="temp", net0="virtio=BC:24:11:00:00:02,bridge=vmbr1")
    del vm.config["onboot"]
    small_cluster._find_ct("pve2", 201).node = "pve1"  # migrated while stopped
    small_cluster.pools["prod"].discard(101)
    api_post(small_cluster, pve_env, RULES, {"type": "out", "action": "ACCEPT", "dest": "198.51.100.7"})
    _delete(small_cluster, pve_env, f"{RULES}/2")  # the ssh rule, now third
    assert _drift(state_repo, cli).code == 2

    plan = cli("drift", "-C", str(state_repo), "--plan")
    assert plan.code == 0, plan.err
    text = plan.out
    assert "pvesh set /nodes/pve2/qemu/102/config --cores 4 --memory 4096 --net0 " in text
    assert "--onboot 1 --delete tags" in text
    assert "#   or: qm set 102 --cores 4" in text
    assert "pvesh create /nodes/pve1/lxc/201/migrate --target pve2" in text
    assert "#   or: pct migrate 201 pve2" in text
    assert "pvesh set /pools/prod --vms 101" in text
    assert "pvesh delete /cluster/firewall/rules/0" in text
    assert "memory: 8192 -> 4096" in text
    # The migration comes before anything else, the pool member after the guests.
    assert text.index("/migrate") < text.index("/config") < text.index("/pools/prod")

    assert apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], text) >= 5
    after = _drift(state_repo, cli)
    assert after.code == 0, after.out


def test_revert_one_resource_as_json(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    small_cluster.find("pve2", 102).config["memory"] = 1024
    small_cluster.find("pve1", 9000).config["memory"] = 512
    result = cli("revert", "qemu/102", "-C", str(state_repo), "--to", "HEAD", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    assert [call["path"] for call in plan["calls"]] == ["/nodes/pve2/qemu/102/config"]
    assert plan["calls"][0]["method"] == "PUT"
    assert plan["calls"][0]["params"] == {"memory": "4096"}
    assert plan["calls"][0]["native"] == "qm set 102 --memory 4096"


def test_a_grown_disk_is_not_revertible(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    small_cluster.find("pve2", 102).config["scsi0"] = "local-lvm:vm-102-disk-0,size=40G"
    plan = cli("revert", "qemu/102", "-C", str(state_repo))
    assert plan.code == 0, plan.err
    assert "# Cannot be reverted from the record:" in plan.out
    assert "scsi0: grown from 32G to 40G; PVE cannot shrink a disk" in plan.out
    assert not [line for line in plan.out.splitlines() if line.startswith("pvesh")]


def _delete(pve: Any, env: dict[str, str], path: str) -> None:
    httpx.delete(
        f"{pve.url}/api2/json{path}",
        headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
        verify=ssl.create_default_context(cafile=env["PROXSTATE_CA_CERT"]),
    ).raise_for_status()


def test_a_destroyed_guest_names_its_newest_backup(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    for day in ("2026_11_01", "2026_11_20", "2026_11_09"):
        small_cluster.store_file("local", f"vzdump-qemu-102-{day}-01_00_00.vma.zst", 1000, content="backup")
    _record(small_cluster, pve_env, state_repo, cli)
    small_cluster.vms.remove(small_cluster.find("pve2", 102))
    plan = cli("revert", "qemu/102", "-C", str(state_repo))
    assert plan.code == 0, plan.err
    assert "qemu/102 was destroyed: its disks' data is not in the record" in plan.out
    assert "the newest recorded backup: local:backup/vzdump-qemu-102-2026_11_20-01_00_00.vma.zst" in plan.out


def test_a_pending_change_is_dropped_with_revert(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    small_cluster.find("pve1", 101).pending["memory"] = "8192"  # a running VM takes it at its next start
    plan = cli("revert", "qemu/101", "-C", str(state_repo))
    assert (
        "pvesh set /nodes/pve1/qemu/101/config --revert memory\n#   or: qm set 101 --revert memory"
        in plan.out
    )


def _serve_backup_jobs(pve: Any, jobs: dict[str, dict[str, Any]]) -> None:
    """Backup jobs kept the way pve-manager's API2/Backup.pm keeps them (fakepve answers them from
    the schema and stores nothing): the list, one job, and PUT setting its keys."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        path = request.path.removeprefix("/api2/json")
        if path.startswith("/cluster/backup") and request.method in ("GET", "PUT"):
            name = path.removeprefix("/cluster/backup").strip("/")
            if request.method == "PUT" and name in jobs:
                jobs[name].update((await request.post()).items())
                return web.json_response({"data": None})
            if request.method == "GET":
                data = jobs.get(name) if name else [dict(job, id=key) for key, job in jobs.items()]
                return web.json_response({"data": data})
        return await original(request, handler, generic, path_node)

    pve._answer = answer


def test_a_disabled_backup_job_is_enabled_again(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    jobs = {"nightly": {"type": "vzdump", "enabled": 1, "schedule": "02:00", "storage": "local", "all": 1}}
    _serve_backup_jobs(small_cluster, jobs)
    _record(small_cluster, pve_env, state_repo, cli)
    jobs["nightly"]["enabled"] = 0
    assert _drift(state_repo, cli).code == 2
    plan = cli("drift", "-C", str(state_repo), "--plan")
    assert "pvesh set /cluster/backup/nightly --enabled 1" in plan.out
    assert "# undo backup-job/nightly: enabled: 0 -> 1" in plan.out
    apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], plan.out)
    after = _drift(state_repo, cli)
    assert after.code == 0, after.out


def test_the_plan_names_who_made_the_change(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    add_tokens(small_cluster)
    log_as_pve(small_cluster)  # the cluster log PVE's handlers write, naming the login
    _record(small_cluster, pve_env, state_repo, cli)
    api_as(
        small_cluster,
        pve_env["PROXSTATE_CA_CERT"],
        ALICE,
        "PUT",
        "/nodes/pve2/qemu/102/config",
        memory="2048",
    )
    plan = cli("revert", "qemu/102", "-C", str(state_repo))
    assert f"# undo qemu/102: memory: 2048 -> 4096 (by {ALICE})\n" in plan.out


def test_a_storage_definition_is_set_back(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    small_cluster.storages["local"]["content"] = "iso"
    plan = cli("revert", "storage/local", "-C", str(state_repo))
    assert plan.code == 0, plan.err
    assert "pvesh set /storage/local --content " in plan.out
    apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], plan.out)
    assert cli("revert", "storage/local", "-C", str(state_repo)).out.endswith("the recorded one.\n")
