"""Fixtures shared by every test folder (fakepve's own come from its pytest plugin).

Every test runs isolated from the developer's environment (`isolated`, autouse): an empty HOME, no
global or system git configuration, no GIT_* or PROXSTATE_* variable of the shell, a fixed commit
identity. The end-to-end fixtures (a small fake cluster, a user's environment pointed at it, the
CLI run in-process, a state repository made by `proxstate init`) are here too, for tests/cli,
tests/reliability and tests/masking. Plain helpers live in tests/helpers/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakepve import FakePve
from fakepve.pytest_plugin import _Serving

from proxstate.api.settings import ConnectionSettings
from proxstate.demo.members import answer_members_as_pve
from proxstate.demo.realms import answer_realms_as_pve
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result, run_cli
from tests.helpers.isolation import isolate

SettingsFactory = Callable[..., ConnectionSettings]


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git configuration but the repository's own, no proxstate variable of the shell."""
    isolate(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def fakepve(fakepve: FakePve) -> FakePve:
    """fakepve's own fixture, answering a realm's GET as PVE does (fakepve answers null), and
    keeping each cluster member's node id and address when nodes are added (fakepve renumbers)."""
    answer_realms_as_pve(fakepve)
    answer_members_as_pve(fakepve)
    return fakepve


@pytest.fixture
def second_pve(_fakepve_pki: Any) -> Iterator[Any]:
    """Another started FakePve on a loopback address, independent of the `fakepve` fixture."""
    serving = _Serving(FakePve(host="127.0.0.1", port=0), *_fakepve_pki)
    answer_realms_as_pve(serving.pve)
    answer_members_as_pve(serving.pve)
    try:
        yield serving.pve
    finally:
        serving.stop()


@pytest.fixture
def make_pve_settings(fakepve: FakePve, fakepve_cafile: str) -> SettingsFactory:
    """Build ConnectionSettings for the fakepve fixture; keywords replace any setting.

    Defaults: root@pam with its password, the fixture's CA, short timeouts and a 2 s retry budget.
    """

    def make(**overrides: Any) -> ConnectionSettings:
        values: dict[str, Any] = {
            "url": fakepve.url,
            "user": "root@pam",
            "password": "secret",
            "ca_cert": Path(fakepve_cafile),
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "retry_budget": 2.0,
        }
        values.update(overrides)
        return ConnectionSettings(**values)

    return make


@pytest.fixture
def fakepve_settings(make_pve_settings: SettingsFactory) -> ConnectionSettings:
    """ConnectionSettings for the fakepve fixture with the defaults of make_pve_settings."""
    return make_pve_settings()


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
    # PVE keeps the template flag in the config (`qm template` writes `template: 1`).
    fakepve.add_vm(9000, "tmpl", node="pve1", template=True, config={"memory": 1024, "template": 1})
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


@pytest.fixture
def pve_env(monkeypatch: pytest.MonkeyPatch, small_cluster: Any, fakepve_cafile: str) -> dict[str, str]:
    """Environment of a user pointed at the fake cluster with a token and a pinned CA."""
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
    return lambda *args: run_cli(capsys, *args)


@pytest.fixture
def state_repo(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    """A state repository made by `proxstate init` (commits by the isolation's fixed identity)."""
    root = tmp_path / "state"
    result = cli("init", str(root))
    assert result.code == 0, result.err
    return root


@pytest.fixture
def synced(state_repo: Path, pve_env: dict[str, str], cli: Callable[..., Result]) -> Path:
    """The state repository after a first, complete sync of the small cluster."""
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    return state_repo


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository with one file, `victim`: what a link in the repository could
    point at (`tests.helpers.repo.assert_untouched` checks nothing reached it)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim").write_bytes(b"untouched\n")
    return folder
