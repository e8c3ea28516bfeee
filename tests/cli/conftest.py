"""Fixtures for end-to-end tests: a small fake cluster over HTTPS, the CLI run in-process, git repos."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from proxstate.cli.main import main

TOKEN_ID = "root@pam!proxstate"
TOKEN_SECRET = "5ec12e7-0000-4a4a-bbbb-token-secret"
PASSWORD = "secret"  # fakepve's login for root@pam


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def small_cluster(fakepve: Any) -> Any:
    """Two nodes, three VMs (one a template), two containers, tags, a pool, a snapshot."""
    fakepve.cluster_name = "lab"
    fakepve.add_node("pve2")
    fakepve.add_vm(
        101,
        "web01",
        node="pve1",
        status="running",
        pool="prod",
        config={
            "memory": "2048",
            "cores": 2,
            "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
            "scsi0": "local-lvm:vm-101-disk-0,iothread=1,size=32G",
            "tags": "prod;web",
            "description": "line one\nline two",
        },
    )
    fakepve.add_vm(102, "db01", node="pve2", status="stopped", config={"memory": 4096, "cores": 4})
    fakepve.add_vm(9000, "tmpl", node="pve1", template=True, config={"memory": 1024})
    fakepve.add_ct(
        200,
        "ct1",
        node="pve1",
        status="running",
        config={
            "memory": 512,
            "net0": "name=eth0,bridge=vmbr0,ip=dhcp",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
        },
    )
    fakepve.add_ct(
        201,
        "ct2",
        node="pve2",
        status="stopped",
        config={"memory": 256, "rootfs": "local-lvm:vm-201-disk-0,size=4G"},
    )
    fakepve.store_file("local", "debian.iso", 1000000)
    fakepve.apitokens[TOKEN_ID] = TOKEN_SECRET
    return fakepve


def fingerprint_of(cafile: str) -> str:
    import ssl

    der = ssl.PEM_cert_to_DER_cert(Path(cafile).read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


@pytest.fixture
def pve_env(monkeypatch: pytest.MonkeyPatch, small_cluster: Any, fakepve_cafile: str) -> dict[str, str]:
    """Environment of a user pointed at the fake cluster with a token and a pinned CA."""
    for name in (
        "PROXSTATE_TOKEN",
        "PROXSTATE_TOKEN_ID",
        "PROXSTATE_TOKEN_SECRET",
        "PROXSTATE_PASSWORD",
        "PROXSTATE_USER",
        "PROXSTATE_MASK_KEY",
        "PROXSTATE_FINGERPRINT",
        "PROXSTATE_INSECURE",
        "NO_COLOR",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    env = {
        "PROXSTATE_URL": small_cluster.url,
        "PROXSTATE_TOKEN": f"{TOKEN_ID}={TOKEN_SECRET}",
        "PROXSTATE_CA_CERT": fakepve_cafile,
        "PROXSTATE_NO_PROGRESS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `proxstate ARGS...` in this process; returns exit code, stdout and stderr."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err)

    return invoke


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def state_repo(tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state repository made by `proxstate init`, with a fixed git identity."""
    for key, value in {
        "GIT_AUTHOR_NAME": "Tester",
        "GIT_AUTHOR_EMAIL": "tester@example.com",
        "GIT_COMMITTER_NAME": "Tester",
        "GIT_COMMITTER_EMAIL": "tester@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "state"
    result = cli("init", str(root))
    assert result.code == 0, result.err
    return root


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def api_post(pve: Any, env: dict[str, str], path: str, data: dict[str, str] | None = None) -> Any:
    """A write through the fake's HTTP API, as an administrator would make it."""
    import ssl

    import httpx

    response = httpx.post(
        f"{pve.url}/api2/json{path}",
        data=data or {},
        headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
        verify=ssl.create_default_context(cafile=env["PROXSTATE_CA_CERT"]),
    )
    response.raise_for_status()
    return response.json()["data"]
