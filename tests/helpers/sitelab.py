"""A state repository with a history worth a web view, made by real syncs of a fake cluster at
chosen dates, and its static site built by `proxstate site`: what the browser tests look at.

Three snapshots on three days: the first records the cluster (two nodes, three VMs, two
containers, secrets the fake answers), the second, a day later, a change made on a host (no one
to name), the third, today, a memory change that alice's token made through the API, which PVE's
cluster log names (proxstate/demo/clusterlog.py).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakepve import FakePve
from fakepve.pytest_plugin import _Serving

from proxstate.app.init import init_repository
from proxstate.app.sync import SyncRequest, sync
from proxstate.cli.main import main
from proxstate.config import parse_config
from proxstate.demo.clusterlog import log_as_pve
from proxstate.demo.members import answer_members_as_pve
from proxstate.demo.realms import answer_realms_as_pve
from proxstate.store import Identity, StateRepo
from tests.helpers.answers import rewrite_data
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result, fingerprint_of
from tests.helpers.clusterlog import ALICE, ALICE_SECRET, add_tokens, api_as
from tests.helpers.isolation import isolate
from tests.helpers.process import run_proxstate

DAY = 86400
CLUSTER = "lab"
# The forge the record is pushed to: its commit pages are the only links out of the site.
REMOTE = "git@github.com:example/pve-state.git"
FORGE_COMMITS = "https://github.com/example/pve-state/commit/"
MASK_KEY = "site-mask-key-Okapi-17"
DB_PASSWORD = ["db-pw-Tapir-42", "db-pw-Tapir-43"]
PROXY_PASSWORD = "Pr0xy-Secret-Axolotl"
# What the fake answered or the syncs were given that no page may show.
SECRETS = (*DB_PASSWORD, PROXY_PASSWORD, MASK_KEY, TOKEN_SECRET, ALICE_SECRET)
WEB01_MAC = "BC:24:11:5E:00:01"
WEB01_IP = "10.20.0.11"
# The kinds the site shows in the tests: guests, nodes, storage and the datacenter options (where
# the fake answers a proxy's password) and the cluster log that names who changed what; fewer
# kinds, faster syncs.
KINDS = (
    "cluster",
    "node",
    "qemu",
    "lxc",
    "storage",
    "content",
    "tasks",
    "cluster-options",
    "pool",
    "cluster-log",
)


@dataclass
class SiteLab:
    pve: Any
    cafile: str
    root: Path
    commits: list[str] = field(default_factory=list)

    def config(self) -> str:
        return (
            f"version: 2\nclusters:\n  - name: {CLUSTER}\n    url: {self.pve.url}\n    tls:\n"
            f"      fingerprint: {fingerprint_of(self.cafile)}\nrecord:\n  task_days: 7\n"
            f"  kinds: [{', '.join(KINDS)}]\n"
        )

    def env(self) -> dict[str, str]:
        return {"PROXSTATE_TOKEN": f"{TOKEN_ID}={TOKEN_SECRET}", "PROXSTATE_MASK_KEY": MASK_KEY}

    def sync(self, *, days_ago: int) -> str:
        """A sync whose commit is dated `days_ago` days back (author and committer)."""
        stamp = f"@{int(time.time()) - days_ago * DAY} +0000"
        env = self.env()
        with pytest.MonkeyPatch.context() as dated:
            dated.setenv("GIT_AUTHOR_DATE", stamp)
            dated.setenv("GIT_COMMITTER_DATE", stamp)
            result = sync(self.root, config=parse_config(self.config()), request=SyncRequest(), env=env)
        commit = result.clusters[0].commit
        assert commit, "the sync committed nothing"
        self.commits.append(commit)
        return commit

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    def build_site(self, out: Path, *extra: str) -> None:
        """`proxstate site` as a user runs it in the repository."""
        assert _run("site", "-C", str(self.root), "--out", str(out), *extra) == 0

    def drift_report(self, path: Path) -> Result:
        """`proxstate drift --format json -o PATH` of the live cluster, in a child process: while a
        browser is open, Playwright's synchronous API holds an event loop in this thread, and
        proxstate's reading of a cluster starts one of its own."""
        args = ("drift", "-C", str(self.root), "--no-notify", "--format", "json", "-o", str(path))
        return run_proxstate(*args, env=self.env())


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    raise AssertionError("proxstate returned without an exit status")


def _cluster(pve: Any) -> None:
    pve.cluster_name = CLUSTER
    pve.add_node("pve2")
    pve.add_vm(
        101,
        "web01",
        node="pve1",
        status="running",
        pool="prod",
        config={
            "memory": "2048",
            "cores": 2,
            "net0": f"virtio={WEB01_MAC},bridge=vmbr0,firewall=1",
            "ipconfig0": f"ip={WEB01_IP}/24,gw=10.20.0.1",
            "scsi0": "local-lvm:vm-101-disk-0,iothread=1,size=32G",
            "tags": "prod;web",
        },
    )
    pve.add_vm(
        102,
        "db01",
        node="pve2",
        status="running",
        config={"memory": 8192, "cores": 4, "net0": "virtio=BC:24:11:5E:00:02,bridge=vmbr1"},
    )
    pve.add_vm(103, "app01", node="pve2", status="stopped", config={"memory": 2048, "cores": 2})
    pve.add_vm(9000, "tmpl-debian", node="pve1", template=True, config={"memory": 1024, "template": 1})
    pve.add_ct(
        200,
        "dns01",
        node="pve1",
        status="running",
        config={
            "memory": 512,
            "net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:00:03,ip=dhcp",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
            "env": f"DB_PASSWORD={DB_PASSWORD[0]}\0DB_HOST=db01",
        },
    )
    pve.add_ct(201, "ct-stopped", node="pve2", status="stopped", config={"memory": 256})
    proxy = f"http://proxyuser:{PROXY_PASSWORD}@proxy:3128/"
    rewrite_data(pve, "/cluster/options", lambda data: {**data, "http_proxy": proxy})


@contextmanager
def site_lab(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[SiteLab]:
    """The record of three days (see the module's text) in an isolated environment, the fake
    cluster still serving; it stops at the end."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        pve = FakePve(host="127.0.0.1", port=0)
        pve.time_scale = 0  # tasks end at once, as with fakepve's own fixture
        serving = _Serving(pve, *pki)
        try:
            answer_realms_as_pve(pve)
            answer_members_as_pve(pve)
            pve.apitokens[TOKEN_ID] = TOKEN_SECRET
            add_tokens(pve)
            log_as_pve(pve)
            _cluster(pve)
            root = tmp_path_factory.mktemp("record")
            init_repository(root, author=Identity(name="Tester", email="tester@example.com"), force=True)
            lab = SiteLab(pve=pve, cafile=pki[0], root=root)
            StateRepo.open(root).commit_files(
                {"proxstate.yaml": lab.config().encode()},
                message="Point proxstate at the lab cluster\n",
                author=Identity(name="Tester", email="tester@example.com"),
            )
            lab.git("remote", "add", "origin", REMOTE)
            lab.sync(days_ago=2)
            pve.vm(102).config["cores"] = 8  # on the host itself: PVE logs no author
            pve.ct(200).config["env"] = f"DB_PASSWORD={DB_PASSWORD[1]}\0DB_HOST=db01"
            lab.sync(days_ago=1)
            api_as(pve, lab.cafile, ALICE, "PUT", "/nodes/pve2/qemu/103/config", memory="4096")
            lab.sync(days_ago=0)
            yield lab
        finally:
            serving.stop()
