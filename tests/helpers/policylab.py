"""A fake cluster whose configuration breaks (and then follows) every built-in rule, and a state
repository built from it by real syncs at chosen dates: the record `proxstate check` and
`proxstate query` are tested on.

fakepve stores guests, their firewall options, snapshots and pending changes; the rest (backup jobs,
HA, users, tokens, realms, TFA, node networks, package repositories, versions) it answers with
schema samples and does not store. Those GETs are answered here with the configuration a PVE
administrator would have made, in the shape PVE's handlers return it.
"""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakepve import FakePve
from fakepve.pytest_plugin import _Serving

from proxstate.app.init import init_repository
from proxstate.app.sync import SyncRequest, sync
from proxstate.config import parse_config
from proxstate.demo.members import answer_members_as_pve
from proxstate.store import Identity, StateRepo
from tests.helpers.answers import Answer, answer_as_pve
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, fingerprint_of
from tests.helpers.isolation import isolate

DAY = 86400
NODES = ("pve1", "pve2", "pve3")
REPOSITORY = {
    "Types": ["deb"],
    "URIs": ["http://download.proxmox.com/debian/pve"],
    "Suites": ["bookworm"],
    "Components": ["pve-no-subscription"],
    "FileType": "list",
    "Options": [],
    "Comment": "",
}


@dataclass
class Lab:
    """The fake cluster `lab` and what its administrator configured; `broken` names the built-in
    rules the configuration breaks at the moment."""

    pve: Any
    cafile: str
    root: Path
    broken: set[str] = field(default_factory=set)
    commits: list[str] = field(default_factory=list)

    def api(self, method: str, path: str, data: dict[str, str] | None = None) -> Any:
        response = httpx.request(
            method,
            f"{self.pve.url}/api2/json{path}",
            data=data,
            headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
            verify=ssl.create_default_context(cafile=self.cafile),
        )
        response.raise_for_status()
        return response.json()["data"]

    def sync(self, *, days_ago: float, actor: str | None = None) -> str:
        """A sync committed `days_ago` days ago; the tasks started since the last one are moved to
        just before that moment (and, with `actor`, made by that user)."""
        moment = int(time.time() - days_ago * DAY)
        for task in self.pve.tasklog:
            if not task.get("aged"):
                task["aged"] = True
                task["starttime"] = moment - 60
                if task.get("endtime"):
                    task["endtime"] = moment - 30
                if actor:
                    task["user"] = actor
        stamp = f"@{moment} +0000"
        previous = {name: os.environ.get(name) for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
        os.environ.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        try:
            result = sync(
                self.root, config=parse_config(self.config()), request=SyncRequest(), env=self.env()
            )
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        assert result.clusters[0].commit, "the sync committed nothing"
        self.commits.append(result.clusters[0].commit)
        return result.clusters[0].commit

    def config(self) -> str:
        return (
            f"version: 2\nclusters:\n  - name: lab\n    url: {self.pve.url}\n    tls:\n"
            f"      fingerprint: {fingerprint_of(self.cafile)}\nrecord:\n  task_days: 365\n"
        )

    def env(self) -> dict[str, str]:
        return {"PROXSTATE_TOKEN": f"{TOKEN_ID}={TOKEN_SECRET}"}

    def set_broken(self, rules: set[str]) -> None:
        """Make the configuration break exactly `rules` (those fakepve stores, through its API)."""
        self.broken.clear()
        self.broken.update(rules)
        firewall_nic = "0" if "firewall-off-nic" in rules else "1"
        self.api("PUT", "/nodes/pve1/qemu/101/firewall/options", {"enable": firewall_nic})
        firewall_prod = "0" if "firewall-off-production" in rules else "1"
        self.api("PUT", "/nodes/pve1/lxc/200/firewall/options", {"enable": firewall_prod})
        if "protection-off-protected-pool" in rules:
            self.api("PUT", "/nodes/pve1/qemu/101/config", {"delete": "protection"})
        else:
            self.api("PUT", "/nodes/pve1/qemu/101/config", {"protection": "1"})

    # ------------------------------------------------------------------ the answers

    def answers(self) -> None:
        broken = self.broken.__contains__  # read at answer time: set_broken changes the set in place
        pve = self.pve

        def data(value: Any) -> Answer:
            def answer(request: Any, body: dict[str, Any]) -> dict[str, Any]:
                return {"data": value() if callable(value) else value}

            return answer

        answer_as_pve(pve, "/cluster/backup", data(lambda: [self._backup_job()]))
        answer_as_pve(
            pve,
            "/cluster/ha/groups",
            data(
                lambda: [
                    {
                        "group": "g1",
                        "type": "group",
                        "nodes": "pve2,pve3" if broken("ha-outside-group") else "pve1,pve2",
                    }
                ]
            ),
        )
        answer_as_pve(
            pve,
            "/cluster/ha/resources",
            data([{"sid": "vm:101", "group": "g1", "state": "started", "type": "vm"}]),
        )
        answer_as_pve(pve, "/cluster/ha/rules", data([]))
        answer_as_pve(
            pve,
            "/access/users",
            data(
                [
                    {"userid": "root@pam", "enable": 1, "expire": 0},
                    {"userid": "alice@pve", "enable": 1, "expire": 0},
                ]
            ),
        )
        answer_as_pve(
            pve,
            "/access/users/root@pam",
            data(
                lambda: {
                    "enable": 1,
                    "expire": 0,
                    "tokens": {"ci": {"privsep": 0 if broken("token-no-privsep") else 1}},
                }
            ),
        )
        answer_as_pve(pve, "/access/users/alice@pve", data({"enable": 1, "expire": 0, "tokens": {}}))
        realms = [{"realm": "pam", "type": "pam"}, {"realm": "pve", "type": "pve", "tfa": "type=oath"}]
        answer_as_pve(pve, "/access/domains", data(realms))
        answer_as_pve(pve, "/access/domains/pam", data({"type": "pam", "digest": "0" * 40}))
        answer_as_pve(
            pve, "/access/domains/pve", data({"type": "pve", "tfa": "type=oath", "digest": "0" * 40})
        )
        answer_as_pve(pve, "/access/tfa", data(self._tfa))
        for node in NODES:
            answer_as_pve(pve, f"/nodes/{node}/network", data(lambda node=node: self._network(node)))
            answer_as_pve(pve, f"/nodes/{node}/apt/repositories", data(lambda node=node: self._apt(node)))
            answer_as_pve(pve, f"/nodes/{node}/status", self._status_of(node))
        answer_as_pve(pve, "/nodes/pve3/storage", self._storage)

    def _backup_job(self) -> dict[str, Any]:
        job: dict[str, Any] = {
            "id": "nightly",
            "type": "vzdump",
            "enabled": 1,
            "schedule": "21:00",
            "storage": "local",
        }
        job |= {"vmid": "101"} if "guest-no-backup" in self.broken else {"all": 1}
        if "backup-job-no-retention" not in self.broken:
            job["prune-backups"] = "keep-last=3"
        return job

    def _tfa(self) -> list[dict[str, Any]]:
        entry = {"id": "totp1", "type": "totp", "description": "phone", "created": 1, "enable": 1}
        users = ["root@pam"] + ([] if "user-no-tfa" in self.broken else ["alice@pve"])
        return [{"userid": userid, "entries": [entry]} for userid in users]

    def _network(self, node: str) -> list[dict[str, Any]]:
        bridges = ["vmbr0"] + ([] if node == "pve3" and "node-missing-bridge" in self.broken else ["vmbr1"])
        return [{"iface": "eno1", "type": "eth", "active": 1}] + [
            {"iface": name, "type": "bridge", "active": 1, "autostart": 1, "bridge_ports": "none"}
            for name in bridges
        ]

    def _apt(self, node: str) -> dict[str, Any]:
        enabled = 0 if node == "pve3" and "node-missing-repository" in self.broken else 1
        repository = {**REPOSITORY, "Enabled": enabled}
        files = [{"path": "/etc/apt/sources.list", "file-type": "list", "repositories": [repository]}]
        return {"files": files, "errors": [], "infos": [], "standard-repos": [], "digest": "0" * 40}

    def _status_of(self, node: str) -> Answer:
        def answer(request: Any, body: dict[str, Any]) -> dict[str, Any]:
            old = node == "pve3" and "node-version-behind" in self.broken
            version = "pve-manager/8.2.4/faaf6bd8e5aa11c5" if old else "pve-manager/8.3.1/fb48e850ef9dde27"
            return {**body, "data": {**body["data"], "pveversion": version}}

        return answer

    def _storage(self, request: Any, body: dict[str, Any]) -> dict[str, Any]:
        if "node-missing-storage" not in self.broken:
            return body
        return {**body, "data": [item for item in body["data"] if item.get("storage") != "local-lvm"]}


@contextmanager
def lab_repository(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[Lab]:
    """A started fake cluster `lab` (three nodes, two VMs, a container, a protected pool), an
    isolated environment and an empty state repository; the cluster stops at the end."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        pve = FakePve(host="127.0.0.1", port=0)
        serving = _Serving(pve, *pki)
        try:
            answer_members_as_pve(pve)
            pve.cluster_name = "lab"
            for node in NODES[1:]:
                pve.add_node(node)
            pve.apitokens[TOKEN_ID] = TOKEN_SECRET
            pve.add_vm(
                101,
                "web01",
                node="pve1",
                status="running",
                pool="prod",
                config={
                    "memory": 2048,
                    "net0": "virtio=BC:24:11:00:01:01,bridge=vmbr0,firewall=1",
                    "tags": "prod;web",
                },
            )
            pve.add_vm(
                102,
                "db01",
                node="pve2",
                status="running",
                config={"memory": 4096, "net0": "virtio=BC:24:11:00:01:02,bridge=vmbr1"},
            )
            pve.add_ct(
                200,
                "dns01",
                node="pve1",
                status="running",
                config={"memory": 512, "net0": "name=eth0,bridge=vmbr0,ip=dhcp", "tags": "prod"},
            )
            root = tmp_path_factory.mktemp("lab")
            init_repository(root, author=Identity(name="Tester", email="tester@example.com"), force=True)
            StateRepo.open(root)
            lab = Lab(pve=pve, cafile=pki[0], root=root)
            lab.answers()
            lab.api("PUT", "/pools/prod", {"comment": "production, protected"})
            yield lab
        finally:
            serving.stop()
