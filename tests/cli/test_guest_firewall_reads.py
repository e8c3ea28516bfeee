"""A guest's firewall aliases and IP sets, told by one `refs` request (proxstate.discovery.guestrefs).

A guest with aliases and IP sets of its own still gets them recorded, and not the cluster's that its
`refs` also lists; a guest without any costs no request for its aliases or its IP set list. Where
PVE cannot tell (PVE 7's `refs` has no `scope`), both are read as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from proxstate import yamlio
from tests.helpers.cli import api_post

GUEST = "/nodes/pve1/qemu/101/firewall"


def _configure(pve: Any, env: dict[str, str]) -> None:
    cluster = pve.firewall_config("cluster")
    cluster["aliases"] = {"lan": {"name": "lan", "cidr": "192.0.2.0/24"}}
    cluster["ipset"] = {"dcset": [{"cidr": "192.0.2.1"}]}
    api_post(pve, env, GUEST + "/aliases", {"name": "web", "cidr": "198.51.100.10", "comment": "front"})
    api_post(pve, env, GUEST + "/ipset", {"name": "admins", "comment": "ops team"})
    api_post(pve, env, GUEST + "/ipset/admins", {"cidr": "198.51.100.20"})


def _gets(pve: Any, suffix: str) -> list[str]:
    """The guests' GET requests of a firewall path."""
    return [
        path
        for method, path, _ in pve.requests
        if method == "GET" and path.endswith(suffix) and ("/qemu/" in path or "/lxc/" in path)
    ]


def _recorded(repo: Path) -> dict[str, Any]:
    folder = repo / "clusters/lab/guest-firewall/qemu/101"
    return {
        "aliases": yamlio.load((folder / "aliases.yaml").read_text(encoding="utf-8")),
        "ipsets": sorted(p.name for p in (folder / "ipset").iterdir()),
        "admins": yamlio.load((folder / "ipset/admins.yaml").read_text(encoding="utf-8")),
    }


def test_a_guest_with_aliases_and_ipsets_gets_them_recorded_and_one_without_costs_no_request(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    _configure(small_cluster, pve_env)
    small_cluster.max_requests = 10000
    small_cluster.requests.clear()
    assert cli("sync", "-C", str(state_repo)).code == 0
    recorded = _recorded(state_repo)
    assert "web" in yamlio.dump(recorded["aliases"]) and "198.51.100.10" in yamlio.dump(recorded["aliases"])
    assert "lan" not in yamlio.dump(recorded["aliases"])  # the cluster's alias is not the guest's
    assert recorded["ipsets"] == ["admins.yaml"]
    assert "198.51.100.20" in yamlio.dump(recorded["admins"]) and "ops team" in yamlio.dump(
        recorded["admins"]
    )
    # Guest 101's aliases were read; no other guest's aliases or IP set list was.
    assert _gets(small_cluster, "/firewall/aliases") == ["/api2/json/nodes/pve1/qemu/101/firewall/aliases"]
    assert _gets(small_cluster, "/firewall/ipset") == []
    assert len(_gets(small_cluster, "/firewall/refs")) == 5  # one per guest


def test_without_scope_in_refs_the_aliases_and_ipset_lists_are_read_as_before(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    """PVE 7.4's handler (pve-firewall API2/Firewall/VM.pm, `refs`) lists type, name and comment,
    the cluster's and the guest's merged by name, without `scope`."""
    _configure(small_cluster, pve_env)
    lists = small_cluster._refs

    def refs_of_pve7(conf: Any, scope: str, kind: Any) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in item.items() if k not in ("scope", "ref")} for item in lists(conf, scope, kind)
        ]

    small_cluster._refs = refs_of_pve7
    small_cluster.max_requests = 10000
    small_cluster.requests.clear()
    assert cli("sync", "-C", str(state_repo)).code == 0
    recorded = _recorded(state_repo)
    assert "198.51.100.10" in yamlio.dump(recorded["aliases"])
    assert recorded["ipsets"] == ["admins.yaml"]
    assert len(_gets(small_cluster, "/firewall/ipset")) == 5  # every guest's list, as before


def test_a_refs_answer_of_the_wrong_shape_tells_nothing_and_the_lists_are_read(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    _configure(small_cluster, pve_env)
    original = small_cluster._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.path.endswith("/firewall/refs") and "/qemu/" in request.path:
            return web.json_response({"data": None})
        return response

    small_cluster._answer = answer
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    recorded = _recorded(state_repo)
    assert "198.51.100.10" in yamlio.dump(recorded["aliases"])
    assert recorded["ipsets"] == ["admins.yaml"]
