"""The live discovery commands: tables, JSON and YAML, filters, offline nodes, exit codes, secrets."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from proxstate import yamlio
from tests.helpers.cli import PASSWORD, TOKEN_SECRET, api_post, fingerprint_of, strip_ansi


def test_discover_all_table(pve_env: dict[str, str], cli: Any) -> None:
    result = cli("discover-all")
    assert result.code == 0, result.err
    out = strip_ansi(result.out)
    for word in (
        "nodes of lab",
        "vms of lab",
        "containers of lab",
        "storage of lab",
        "web01",
        "ct1",
        "local-lvm",
        "pve2",
    ):
        assert word in out


def test_discover_vms_json(pve_env: dict[str, str], cli: Any) -> None:
    result = cli("discover-vms", "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["vmid"] for r in rows] == [101, 102, 9000]
    assert rows[0]["name"] == "web01" and rows[0]["node"] == "pve1" and rows[0]["status"] == "running"
    assert rows[2]["template"] is True


def test_discover_containers_yaml_verbose_with_node_filter(pve_env: dict[str, str], cli: Any) -> None:
    result = cli("discover-containers", "--format", "yaml", "--verbose", "--node", "pve1")
    assert result.code == 0, result.err
    rows = yamlio.load(result.out)
    assert [r["vmid"] for r in rows] == [200]
    assert rows[0]["config"]["rootfs"] == "local-lvm:vm-200-disk-0,size=8G"


def test_discover_nodes_and_storage(pve_env: dict[str, str], cli: Any) -> None:
    nodes = json.loads(cli("discover-nodes", "--format", "json").out)
    assert {n["name"]: n["status"] for n in nodes} == {"pve1": "online", "pve2": "online"}
    storage = json.loads(cli("discover-storage", "--format", "json").out)
    assert {s["storage"] for s in storage} >= {"local", "local-lvm"}


def test_discover_tasks_limit_and_errors(pve_env: dict[str, str], cli: Any, small_cluster: Any) -> None:
    api_post(small_cluster, pve_env, "/nodes/pve2/qemu/102/status/start")
    api_post(small_cluster, pve_env, "/nodes/pve2/lxc/201/status/start")
    small_cluster.vm(9000).start_error = "TASK ERROR: cannot start a template"
    rows = json.loads(cli("discover-tasks", "--format", "json").out)
    assert {r["type"] for r in rows} == {"qmstart", "vzstart"} and len(rows) == 2
    assert len(json.loads(cli("discover-tasks", "--format", "json", "--limit", "1").out)) == 1
    assert json.loads(cli("discover-tasks", "--format", "json", "--errors").out) == []


def test_offline_node_is_reported_and_the_rest_is_shown(
    pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    small_cluster.set_node_offline("pve2")
    result = cli("discover-all", "--format", "json", "--verbose")
    assert result.code == 3
    data = json.loads(result.out)
    assert {n["name"]: n["status"] for n in data["nodes"]}["pve2"] != "online"
    assert [v["vmid"] for v in data["vms"] if v.get("config")] == [101, 9000]
    assert "pve2" in result.err


def test_fingerprint_pin_and_wrong_pin(
    pve_env: dict[str, str], cli: Any, monkeypatch: Any, fakepve_cafile: str
) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    assert cli("discover-nodes", "--fingerprint", fingerprint_of(fakepve_cafile)).code == 0
    wrong = ":".join(["AB"] * 32)
    result = cli("discover-nodes", "--fingerprint", wrong)
    assert result.code == 1
    assert "fingerprint" in result.err.lower() and "Traceback" not in result.err
    untrusted = cli("discover-nodes")
    assert untrusted.code == 1 and "certificate" in untrusted.err.lower()
    insecure = cli("discover-nodes", "--insecure")
    assert insecure.code == 0 and "warning" in insecure.err.lower()


def test_password_login_and_no_secret_in_debug_output(
    pve_env: dict[str, str], cli: Any, monkeypatch: Any, caplog: Any
) -> None:
    monkeypatch.delenv("PROXSTATE_TOKEN")
    monkeypatch.setenv("PROXSTATE_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    result = cli("--debug", "discover-vms", "--user", "root@pam")
    assert result.code == 0, result.err
    everything = result.out + result.err + caplog.text
    assert PASSWORD not in everything.replace("secrets", "")
    assert "PVEAuthCookie" not in everything
    monkeypatch.delenv("PROXSTATE_PASSWORD")
    monkeypatch.setenv("PROXSTATE_TOKEN", "root@pam!proxstate=wrong-secret")
    denied = cli("--debug", "discover-vms")
    assert denied.code == 1
    assert "wrong-secret" not in denied.out + denied.err + caplog.text
    assert TOKEN_SECRET not in denied.out + denied.err + caplog.text


def test_usage_error_exits_64(pve_env: dict[str, str], cli: Any) -> None:
    result = cli("discover-vms", "--format", "xml")
    assert result.code == 64
    assert cli("no-such-command").code == 64


def test_html_from_a_proxy_is_a_clear_error(pve_env: dict[str, str], cli: Any, small_cluster: Any) -> None:
    small_cluster.fail("GET", "/cluster/resources", 502, "<html><body>Bad Gateway</body></html>", html=True)
    result = cli("discover-vms")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "/cluster/resources" in result.err


TIB = 1024**4


def test_discover_storage_shows_usage_once_for_shared_storage_and_marks_the_unusable(
    pve_env: dict[str, str], cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fakepve answers /nodes/{node}/storage as pve-storage's API2/Storage/Status.pm `index` does:
    # total, used, avail where the storage is active (zero otherwise), used_fraction when the total
    # is known, `enabled: 0` for a storage disabled in storage.cfg.
    small_cluster.storages["nfs"] = {
        "type": "nfs", "active": 1, "content": "backup", "shared": 1, "files": set(),
        "path": "/mnt/pve/nfs", "server": "192.0.2.5", "export": "/export", "total": 4 * TIB,
    }  # fmt: skip
    small_cluster.store_file("nfs", "big.iso", int(1.2 * TIB))
    small_cluster.storages["nas"] = {
        "type": "nfs", "active": 0, "content": "iso", "shared": 1, "files": set(),
        "path": "/mnt/pve/nas", "server": "192.0.2.6", "export": "/e",
    }  # fmt: skip
    small_cluster.storages["old"] = {
        "type": "dir", "active": 1, "content": "iso", "disable": 1, "files": set(), "path": "/old",
    }  # fmt: skip
    table = cli("discover-storage")  # plain columns, one line per row: stdout is not a terminal
    assert table.code == 0, table.err
    lines = {line.split()[0]: line for line in table.out.splitlines()[1:]}
    assert "1.2 TiB of 4.0 TiB, 30%" in lines["nfs"]
    assert lines["nfs"].count("TiB of") == 1  # a shared storage once, not once per node
    assert "pve1 (inactive)" in lines["nas"] and "pve2 (inactive)" in lines["nas"]
    assert "pve1 (disabled)" in lines["old"]
    assert "pve1: " in lines["local"] and "pve2: " in lines["local"]  # local storage per node

    rows = {r["storage"]: r for r in json.loads(cli("discover-storage", "--format", "json").out)}
    nfs = rows["nfs"]
    assert nfs["usage"] == [
        {
            "nodes": ["pve1", "pve2"],
            "total": 4 * TIB,
            "used": int(1.2 * TIB),
            "avail": 4 * TIB - int(1.2 * TIB),
            "used_fraction": int(1.2 * TIB) / (4 * TIB),
        }
    ]
    assert nfs["state"] == {"pve1": "active", "pve2": "active"}
    assert rows["nas"]["usage"] == [] and rows["nas"]["state"] == {"pve1": "inactive", "pve2": "inactive"}
    assert rows["old"]["state"] == {"pve1": "disabled", "pve2": "disabled"}
    assert [u["nodes"] for u in rows["local"]["usage"]] == [["pve1"], ["pve2"]]
    assert all(u["total"] > u["avail"] > 0 for u in rows["local"]["usage"])
