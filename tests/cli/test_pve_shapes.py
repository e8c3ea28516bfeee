"""Answers shaped the way real PVE handlers give them, where fakepve is tidier than PVE.

Each test makes the fake answer as the named PVE handler does and checks what a sync records.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from proxstate import yamlio

from .conftest import api_post

Answer = Callable[[Any, dict[str, Any]], dict[str, Any] | None]


def answer_as_pve(pve: Any, path: str, change: Answer) -> None:
    """GET requests for `path` (exactly, after /api2/json) are answered with `change(request, body)`
    applied to the fake's own answer body; None keeps the fake's answer."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.method == "GET" and request.path.removeprefix("/api2/json") == path:
            body = json.loads(response.text) if response.status == 200 else {}
            changed = change(request, body)
            if changed is not None:
                status = int(changed.pop("status", 200))
                return web.json_response(changed, status=status)
        return response

    pve._answer = answer


def wait_until(predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def load(root: Path, rel: str) -> Any:
    return yamlio.load((root / "clusters" / "lab" / rel).read_text())


RAW_LXC = [
    ["lxc.cgroup2.devices.allow", "c 10:200 rwm"],
    ["lxc.mount.entry", "/dev/net dev/net none bind,create=dir"],
    ["lxc.mount.entry", "/dev/dri dev/dri none bind,optional,create=dir"],
]


def test_raw_lxc_lines_are_recorded_though_pending_leaves_them_out(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-container API2/LXC/Config.pm vm_config returns the raw lines as `lxc: [[key, value]]`;
    # API2/LXC.pm vm_pending goes through pve-guest-common's config_with_pending_array, which
    # skips every array value, so /pending never has them.
    def with_raw_lines(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        body["data"]["lxc"] = RAW_LXC
        return body

    answer_as_pve(small_cluster, "/nodes/pve1/lxc/200/config", with_raw_lines)
    result = cli("sync", "-C", str(state_repo), "--only", "lxc")
    assert result.code == 0, result.err
    config = load(state_repo, "lxc/200.yaml")["config"]
    assert config["lxc"] == [
        {"lxc.cgroup2.devices.allow": "c 10:200 rwm"},
        {"lxc.mount.entry": "/dev/net dev/net none bind,create=dir"},
        {"lxc.mount.entry": "/dev/dri dev/dri none bind,optional,create=dir"},
    ]
    assert config["memory"] == 512  # the rest still comes from /pending
    assert "lxc" not in load(state_repo, "lxc/201.yaml")["config"]
    # A second sync sees the same container: nothing changed, nothing committed.
    again = cli("sync", "-C", str(state_repo), "--only", "lxc")
    assert again.code == 0 and "no changes" in (again.out + again.err).lower()


def test_a_task_run_by_a_token_names_the_token(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    # pve-manager API2/Tasks.pm node_tasks: convert_token_task splits `user@realm!token` into
    # `user` and `tokenid` (fakepve keeps the whole id in `user`).
    def split_token(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        for task in body["data"]:
            user, _, token = task["user"].partition("!")
            if token:
                task["user"], task["tokenid"] = user, token
        return body

    answer_as_pve(small_cluster, "/nodes/pve2/tasks", split_token)
    small_cluster.time_scale = 0  # the VM starts at once
    assert cli("sync", "-C", str(state_repo), "--only", "qemu,tasks").code == 0
    upid = api_post(small_cluster, pve_env, "/nodes/pve2/qemu/102/status/start")
    wait_until(lambda: small_cluster.tasks[upid].get("exitstatus") is not None)
    assert cli("sync", "-C", str(state_repo), "--only", "qemu,tasks").code == 0
    day = next((state_repo / "clusters/lab/tasks/pve2").glob("*.yaml"))
    assert yamlio.load(day.read_text())["tasks"][upid]["user"] == "root@pam!proxstate"
    report = cli("show-changes", "-C", str(state_repo), "--resource", "qemu/102")
    assert "root@pam!proxstate" in report.out, report.out
