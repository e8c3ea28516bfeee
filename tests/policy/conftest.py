"""The record the policy tests read: one repository per test process (`lab`, package scope),
built by syncs of a fake cluster (tests/helpers/policylab.py), and the reports read from it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.cli import Result
from tests.helpers.policylab import DAY, Lab, lab_repository

RULES_BROKEN = (
    "guest-no-backup",
    "backup-job-no-retention",
    "ha-outside-group",
    "firewall-off-nic",
    "firewall-off-production",
    "protection-off-protected-pool",
    "node-missing-bridge",
    "node-missing-storage",
    "node-missing-repository",
    "node-version-behind",
    "token-no-privsep",
    "user-no-tfa",
)


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory, _fakepve_pki: Any) -> Iterator[Lab]:
    """Snapshots: clean (90 days ago), every rule broken (80), unchanged but older (40), fixed (1)."""
    with lab_repository(tmp_path_factory, _fakepve_pki) as lab:
        lab.set_broken(set())
        lab.sync(days_ago=90)
        lab.set_broken(set(RULES_BROKEN))
        lab.api("POST", "/nodes/pve1/qemu/101/snapshot", {"snapname": "before-upgrade"})
        lab.pve.vm(101).snapshots["before-upgrade"]["snaptime"] = int(time.time() - 80 * DAY)
        lab.api("PUT", "/nodes/pve2/qemu/102/config", {"memory": "8192"})  # running: pending
        lab.sync(days_ago=80, actor="alice@pve")
        lab.api("PUT", "/nodes/pve2/qemu/102/config", {"description": "primary database"})
        lab.sync(days_ago=40)
        lab.set_broken(set())
        lab.api("DELETE", "/nodes/pve1/qemu/101/snapshot/before-upgrade")
        lab.api("POST", "/nodes/pve2/qemu/102/status/stop")
        lab.api("PUT", "/nodes/pve2/qemu/102/config", {"net0": "virtio=BC:24:11:00:01:02,bridge=vmbr0"})
        lab.api("POST", "/nodes/pve2/qemu/102/status/start")
        lab.sync(days_ago=1)
        yield lab


@pytest.fixture(scope="package")
def _outputs() -> dict[tuple[str, ...], Result]:
    return {}


@pytest.fixture
def once(cli: Callable[..., Result], _outputs: dict[tuple[str, ...], Result]) -> Callable[..., Result]:
    """`cli`, run once per test process for the same arguments: tests that only read the record
    share what the command printed."""

    def run(*args: str) -> Result:
        if args not in _outputs:
            _outputs[args] = cli(*args)
        return _outputs[args]

    return run
