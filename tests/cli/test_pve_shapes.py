"""Answers shaped the way real PVE handlers give them, where fakepve is tidier than PVE.

Each test makes the fake answer as the named PVE handler does and checks what a sync records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from proxstate import yamlio

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
