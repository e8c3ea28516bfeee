"""Snapshot configs are typed and masked like the guest config.

The server answers as PVE's handlers do: GET .../qemu/{vmid}/config and .../pending (`vm_config`,
`vm_pending` in qemu-server's API2/Qemu.pm) answer `cipassword` as `**********`, while
GET .../snapshot/{snap}/config (`get_snapshot_config`) returns the snapshot as stored, `cipassword`
in clear (Windows guests keep it so; others a crypt hash); pve-container's `get_snapshot_config`
returns the container's `env` with VM.Audit and leaves out only the raw `lxc` entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.answers import hide_cipassword, rewrite_data
from tests.helpers.repo import git

WINDOWS_PASSWORD = "Winter-Pa55-cloudinit"
DB_PASSWORD = "db-pw-Quokka-42"


def test_snapshot_configs_are_typed_and_masked(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PROXSTATE_MASK_KEY", "mask-key")
    vm = small_cluster.vm(101)
    vm.config.update(ostype="win11", cipassword=WINDOWS_PASSWORD)
    vm.config["parent"] = "before-update"
    vm.snapshots["before-update"] = {
        **vm.config,
        "snaptime": 1767225600,
        "description": "before the update",
    }
    ct = small_cluster.ct(200)
    ct.config["env"] = f"DB_PASSWORD={DB_PASSWORD}\0DB_HOST=db1"
    ct.snapshots["pre"] = {**ct.config, "snaptime": 1767225600}
    ct.config["parent"] = "pre"
    rewrite_data(small_cluster, "/qemu/101/pending", hide_cipassword)

    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err

    base = state_repo / "clusters" / "lab" / "snapshot-config"
    vm_snap = (base / "qemu" / "101" / "before-update.yaml").read_text()
    ct_snap = (base / "lxc" / "200" / "pre.yaml").read_text()
    assert "cipassword: <masked:" in vm_snap
    assert "env: <masked:" in ct_snap
    # Typed like the guest config: property strings as mappings, numbers as numbers.
    assert "  net0:\n    model: virtio\n    bridge: vmbr0\n" in vm_snap
    assert "  memory: 2048\n" in vm_snap
    # The snapshot's own time and description are recorded once, in the guest's document.
    assert "snaptime" not in vm_snap and "before the update" not in vm_snap
    assert "    snaptime: 1767225600\n" in (state_repo / "clusters/lab/qemu/101.yaml").read_text()
    everything = git(state_repo, "log", "-p", "--all") + result.out + result.err
    for secret in (WINDOWS_PASSWORD, DB_PASSWORD):
        assert secret not in everything
        assert secret not in vm_snap + ct_snap
