"""The revert plan of keyed lists changed in place: cluster aliases and IP set entries added,
removed and changed; the plan, sent to the fake cluster, brings drift back to 0."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.cli import Result, api_post
from tests.helpers.pvesh import apply_pvesh

FW = "/cluster/firewall"


def _record(pve: Any, env: dict[str, str], repo: Path, cli: Callable[..., Result]) -> None:
    api_post(pve, env, FW + "/aliases", {"name": "lan", "cidr": "192.0.2.0/24"})
    api_post(pve, env, FW + "/aliases", {"name": "web", "cidr": "198.51.100.10", "comment": "front"})
    api_post(pve, env, FW + "/ipset", {"name": "admins"})
    api_post(pve, env, FW + "/ipset/admins", {"cidr": "198.51.100.20", "comment": "alice"})
    api_post(pve, env, FW + "/ipset/admins", {"cidr": "198.51.100.21"})
    result = cli("sync", "-C", str(repo))
    assert result.code == 0, result.err


def test_aliases_changed_in_place_are_set_back(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    aliases = small_cluster.firewall_config("cluster")["aliases"]
    aliases["lan"]["cidr"] = "192.0.2.0/25"
    del aliases["web"]
    api_post(small_cluster, pve_env, FW + "/aliases", {"name": "temp", "cidr": "203.0.113.9"})
    d = cli("drift", "-C", str(state_repo), "--no-notify")
    assert d.code == 2, d.out

    plan = cli("drift", "-C", str(state_repo), "--plan")
    assert plan.code == 0, plan.err
    assert "# undo firewall/cluster/aliases: temp was added" in plan.out
    assert "pvesh delete /cluster/firewall/aliases/temp" in plan.out
    assert "# undo firewall/cluster/aliases: web was removed" in plan.out
    created = "pvesh create /cluster/firewall/aliases --cidr 198.51.100.10 --comment front --name web"
    assert created in plan.out
    assert "# undo firewall/cluster/aliases: lan was changed" in plan.out
    assert "pvesh set /cluster/firewall/aliases/lan --cidr 192.0.2.0/24" in plan.out

    assert apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], plan.out) == 3
    after = cli("drift", "-C", str(state_repo), "--no-notify")
    assert after.code == 0, after.out


def test_ip_set_entries_changed_in_place_are_set_back(
    small_cluster: Any, pve_env: dict[str, str], state_repo: Path, cli: Callable[..., Result]
) -> None:
    _record(small_cluster, pve_env, state_repo, cli)
    entries = small_cluster.firewall_config("cluster")["ipset"]["admins"]
    entries[:] = [e for e in entries if e["cidr"] != "198.51.100.21"]
    entries[0]["comment"] = "bob"
    api_post(small_cluster, pve_env, FW + "/ipset/admins", {"cidr": "203.0.113.50"})

    plan = cli("revert", "firewall/cluster/ipset/admins", "-C", str(state_repo))
    assert plan.code == 0, plan.err
    assert "pvesh delete /cluster/firewall/ipset/admins/203.0.113.50" in plan.out
    assert "pvesh create /cluster/firewall/ipset/admins --cidr 198.51.100.21" in plan.out
    assert "pvesh set /cluster/firewall/ipset/admins/198.51.100.20 --comment alice" in plan.out

    assert apply_pvesh(small_cluster, pve_env["PROXSTATE_CA_CERT"], plan.out) == 3
    again = cli("revert", "firewall/cluster/ipset/admins", "-C", str(state_repo))
    assert again.out.endswith("the recorded one.\n"), again.out
