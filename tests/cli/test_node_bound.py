"""A sync keeps every node's workers busy without ever sending one node more than its bound.

PVE serves `/nodes/X/...` on node X with a few worker processes (proxstate.api.slots); the server
here counts the requests each node is answering at once, each taking 5 ms so that those sent
together overlap. A cluster-wide request is served by the node the client talks to, which
/cluster/status marks `local` (pve1 in fakepve).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fakepve import FakePve

from tests.helpers.cli import Result


def _count_per_node(pve: FakePve) -> dict[str, Any]:
    original = pve._answer
    seen: dict[str, Any] = {"now": {}, "most": {}, "total": 0, "most_total": 0}

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        node = path_node or "pve1"
        seen["now"][node] = seen["now"].get(node, 0) + 1
        seen["most"][node] = max(seen["most"].get(node, 0), seen["now"][node])
        seen["total"] += 1
        seen["most_total"] = max(seen["most_total"], seen["total"])
        try:
            await asyncio.sleep(0.005)
            return await original(request, handler, generic, path_node)
        finally:
            seen["now"][node] -= 1
            seen["total"] -= 1

    pve._answer = answer
    return seen


def _more_guests(pve: FakePve) -> None:
    pve.add_node("pve3")
    for index in range(9):
        pve.add_vm(300 + index, f"extra{index}", node=f"pve{1 + index % 3}", config={"memory": 512})


def test_a_sync_never_sends_a_node_more_than_three_requests_at_once(
    small_cluster: FakePve, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _more_guests(small_cluster)
    seen = _count_per_node(small_cluster)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert (state_repo / "clusters/lab/qemu/308.yaml").is_file()
    assert set(seen["most"]) == {"pve1", "pve2", "pve3"}
    assert max(seen["most"].values()) == 3  # the default bound, reached and never passed
    # The nodes were served side by side: more requests in flight than one node may have.
    assert seen["most_total"] > 3


def test_the_bound_per_node_comes_from_proxstate_yaml(
    small_cluster: FakePve, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    config = state_repo / "proxstate.yaml"
    text = config.read_text(encoding="utf-8").replace("clusters: []", "")
    config.write_text(text + "clusters:\n- node_concurrency: 1\n", encoding="utf-8")
    _more_guests(small_cluster)
    seen = _count_per_node(small_cluster)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert max(seen["most"].values()) == 1
    assert seen["most_total"] > 1
