"""The golden .conf corpus: each file is given to fakepve as a guest's config, pending changes and
snapshots, recorded by `proxstate sync`, and `proxstate show --format conf` must print it back."""

from __future__ import annotations

from collections.abc import Callable
from difflib import unified_diff
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, Result
from tests.helpers.conffile import load_guest, parse_conf

GOLDEN = Path(__file__).parent / "golden"
# Lines PVE keeps as the administrator typed them, which come back in the canonical form of the
# property string (default key bare and first, the other keys sorted): the same settings to PVE.
# docs/revert.md lists these differences.
CANONICAL = {
    "ipconfig0: ip=10.0.0.5/24,gw=10.0.0.1": "ipconfig0: gw=10.0.0.1,ip=10.0.0.5/24",
    "startup: order=2,up=30": "startup: 2,up=30",
    "usb0: host=1234:5678": "usb0: 1234:5678",
}
VMIDS = {
    "qemu-snapshots": 101,
    "qemu-pending": 102,
    "qemu-devices": 103,
    "lxc-mounts": 200,
    "lxc-pending": 201,
}


@pytest.fixture
def recorded(
    fakepve: Any,
    fakepve_cafile: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cli: Callable[..., Result],
) -> Callable[[str], Path]:
    """Load the golden guests into fakepve, sync them into a new state repository."""

    def record(*names: str) -> Path:
        for name in names:
            kind = name.partition("-")[0]
            load_guest(fakepve, kind, VMIDS[name], parse_conf((GOLDEN / f"{name}.conf").read_text()))
        fakepve.apitokens[TOKEN_ID] = TOKEN_SECRET
        monkeypatch.setenv("PROXSTATE_URL", fakepve.url)
        monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN_ID}={TOKEN_SECRET}")
        monkeypatch.setenv("PROXSTATE_CA_CERT", fakepve_cafile)
        monkeypatch.setenv("PROXSTATE_NO_PROGRESS", "1")
        repo = tmp_path / "state"
        assert cli("init", str(repo)).code == 0
        result = cli("sync", "-C", str(repo))
        assert result.code == 0, result.err
        return repo

    return record


def test_golden_conf_files_round_trip(recorded: Callable[..., Path], cli: Callable[..., Result]) -> None:
    repo = recorded(*VMIDS)
    for name, vmid in VMIDS.items():
        kind = name.partition("-")[0]
        result = cli("show", f"{kind}/{vmid}", "-C", str(repo), "--format", "conf")
        assert result.code == 0, result.err
        expected = "".join(
            f"{CANONICAL.get(line, line)}\n" for line in (GOLDEN / f"{name}.conf").read_text().splitlines()
        )
        diff = unified_diff(expected.splitlines(), result.out.splitlines(), name, "exported", lineterm="")
        assert result.out == expected, "\n".join(diff)


def test_conf_at_an_older_revision(
    recorded: Callable[..., Path], cli: Callable[..., Result], fakepve: Any
) -> None:
    repo = recorded("qemu-pending")
    fakepve.find("pve1", 102).config["memory"] = "1024"
    assert cli("sync", "-C", str(repo)).code == 0
    now = cli("show", "qemu/102", "-C", str(repo), "--format", "conf")
    before = cli("show", "qemu/102", "-C", str(repo), "--format", "conf", "--at", "HEAD~1")
    assert "\nmemory: 1024\n" in now.out
    assert before.out == (GOLDEN / "qemu-pending.conf").read_text()


def test_conf_of_another_kind_is_refused(recorded: Callable[..., Path], cli: Callable[..., Result]) -> None:
    repo = recorded("lxc-pending")
    result = cli("show", "node/pve1", "-C", str(repo), "--format", "conf")
    assert result.code == 1
    assert "--format conf is for VMs and containers" in result.err
