"""A wrong password is one line of ours on stderr: no Python warning (`coroutine ... was never
awaited`) from requests left behind when the login is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.process import run_proxstate


@pytest.mark.parametrize("command", ["sync", "drift", "discover-all"])
def test_a_wrong_password_says_one_line_and_no_python_warning(
    state_repo: Path, small_cluster: Any, fakepve_cafile: str, command: str
) -> None:
    for vmid in range(300, 320):  # requests in flight together when the login is refused
        small_cluster.add_vm(vmid, f"vm{vmid}", node="pve2", config={"memory": 1024})
    env = {
        "PROXSTATE_URL": small_cluster.url,
        "PROXSTATE_USER": "root@pam",
        "PROXSTATE_PASSWORD": "wrong",
        "PROXSTATE_CA_CERT": fakepve_cafile,
        "PROXSTATE_NO_PROGRESS": "1",
        # Every warning shown, each time: a coroutine never awaited would print its line.
        "PYTHONWARNINGS": "always",
    }
    result = run_proxstate(command, "-C", str(state_repo), env=env)
    assert result.code == 1
    assert result.err == (
        f"proxstate: error: login as root@pam at {small_cluster.url.split('//')[1].rstrip('/')} refused "
        "(401 authentication failure)\n"
    ), result.err
