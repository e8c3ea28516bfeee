"""An answer of the wrong shape for any kind of the catalog keeps that kind's last state.

Every path the declarative catalog reads (each entry's own GET and each source list it is filled
from) is made to answer `null`, the wrong container (an object where a list belongs, a list where
an object belongs), and a list of strings; each time the sync exits 3, names the resource, and
leaves every recorded file as it was.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from proxstate.discovery.answers import NULL_MEANS_ABSENT, shape_of
from proxstate.discovery.guestrefs import IPSETS
from proxstate.resources.catalog import ENTRIES, Entry
from tests.helpers.cli import api_post
from tests.helpers.repo import recorded

PREFIX = "/api2/json"
_UNCHANGED = object()


def _targets() -> list[tuple[str, tuple[Entry, ...]]]:
    """Every path the catalog reads, with the entries whose documents depend on it."""
    out: dict[str, list[Entry]] = {}
    for entry in ENTRIES:
        # What is requested: the newer form where the server has it, or the answer read from.
        own = entry.read_from[0] if entry.read_from else entry.newer or entry.path
        out.setdefault(own, []).append(entry)
        for source, _ in entry.sources.values():
            out.setdefault(source, []).append(entry)
    return [(path, tuple(entries)) for path, entries in out.items()]


TARGETS = _targets()


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", template)
    # A query (tasks' `since`, ...) is part of the request, unless the template names its own.
    query = "" if "?" in template else r"(\?.*)?"
    return re.compile(re.escape(PREFIX) + "[^/?]+".join(re.escape(p) for p in parts) + query + "$")


def _bad_answers(path: str) -> list[Any]:
    own = [entry for entry in ENTRIES if entry.path == path]
    # A source is a list, and so is the newer form of an entry (a list holding the one object).
    shape = shape_of(own[0]) if own else "list"
    wrong = [{"x": 1}] if shape == "object" else {"x": 1}
    return [*([] if path in NULL_MEANS_ABSENT else [None]), wrong, ["x", "y"]]


def _serve(pve: Any, pattern: re.Pattern[str], data: Any, hits: list[str]) -> None:
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.method == "GET" and pattern.match(request.path_qs) and response.status == 200:
            hits.append(request.path_qs)
            if data is _UNCHANGED:
                return response
            body = json.loads(response.text)
            body["data"] = data
            return web.json_response(body)
        return response

    pve._answer = answer


def _refs_without_scope(pve: Any) -> None:
    """`refs` as PVE 7 answers it (no `scope`): a guest's IP set list is then read, not told by
    `refs` (proxstate/discovery/guestrefs.py)."""
    lists = pve._refs

    def refs(conf: Any, scope: str, kind: Any) -> list[dict[str, Any]]:
        return [{k: v for k, v in item.items() if k != "scope"} for item in lists(conf, scope, kind)]

    pve._refs = refs


def _give_every_entry_something(pve: Any, env: dict[str, str]) -> None:
    """The few items fakepve's small cluster lacks, so that every path is read at least once."""
    api_post(pve, env, "/cluster/firewall/ipset", {"name": "mgmt"})
    api_post(pve, env, "/cluster/firewall/ipset/mgmt", {"cidr": "192.0.2.0/24"})
    api_post(pve, env, "/cluster/firewall/groups", {"group": "web"})
    api_post(pve, env, "/nodes/pve1/qemu/101/firewall/ipset", {"name": "own"})
    api_post(pve, env, "/nodes/pve1/qemu/101/firewall/aliases", {"name": "own", "cidr": "192.0.2.5"})
    api_post(pve, env, "/nodes/pve1/qemu/101/snapshot", {"snapname": "before"})


@pytest.mark.parametrize(("path", "entries"), TARGETS, ids=[path for path, _ in TARGETS])
def test_a_wrongly_shaped_answer_keeps_the_last_state(
    path: str,
    entries: tuple[Entry, ...],
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Any,
    small_cluster: Any,
) -> None:
    _give_every_entry_something(small_cluster, pve_env)
    if path == IPSETS:
        _refs_without_scope(small_cluster)
    kinds = ",".join(sorted({entry.kind for entry in entries}))
    # Guest-scoped entries are read for the guests the sync reads.
    guests = ",qemu,lxc" if any(entry.scope == "guest" for entry in entries) else ""
    only = ["--only", kinds + guests]
    original = small_cluster._answer
    read: list[str] = []
    _serve(small_cluster, _pattern(path), _UNCHANGED, read)
    first = cli("sync", "-C", str(state_repo), *only)
    assert first.code == 0, first.err
    if not read:
        # ACME accounts: PVE lets only root@pam (a user, not a token) read them, so a token's sync
        # does not ask (the sync summary says so).
        assert "acme" in path, f"the sync never read {path}"
        pytest.skip(f"a token's sync does not read {path}")
    before = recorded(state_repo)
    globs = [re.sub(r"\{[^}]+\}", "*", entry.rid) for entry in entries]
    for bad in _bad_answers(path):
        small_cluster._answer = original
        hits: list[str] = []
        _serve(small_cluster, _pattern(path), bad, hits)
        result = cli("sync", "-C", str(state_repo), *only)
        assert hits, f"the sync never read {path}"
        assert result.code == 3, (bad, result.out, result.err)
        named = re.findall(r"kept the last state of (\S+): unexpected answer from PVE", result.err)
        assert any(fnmatch.fnmatch(rid, glob) for rid in named for glob in globs), (bad, result.err)
        assert recorded(state_repo) == before, bad


def test_totem_is_null_on_a_standalone_host(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    """pve-cluster's PVE::API2::ClusterConfig `totem` returns `$conf->{main}->{totem}`: undef on a
    host without corosync.conf. That is no totem to record, not a failure."""
    hits: list[str] = []
    _serve(small_cluster, _pattern("/cluster/config/totem"), None, hits)
    result = cli("sync", "-C", str(state_repo), "--only", "corosync")
    assert hits and result.code == 0, result.err
    assert "totem" not in result.err
    assert not (state_repo / "clusters/lab/corosync/totem.yaml").exists()
    assert (state_repo / "clusters/lab/corosync/nodes.yaml").exists()


# The built-in kinds, read through typed calls: (path, --only kinds, shape, what is named).
BUILTIN = [
    ("/nodes/{node}/status", "node", "object", "node/*"),
    ("/storage", "storage,content", "list", "storage/*"),
    ("/nodes/{node}/storage", "storage,content", "list", "storage/*"),
    ("/nodes/{node}/storage/{storage}/content", "storage,content", "list", "content/*"),
    ("/nodes/{node}/tasks", "tasks", "list", "tasks/*"),
    ("/nodes/{node}/qemu/{vmid}/pending", "qemu", "list", "qemu/*"),
    ("/nodes/{node}/lxc/{vmid}/pending", "lxc", "list", "lxc/*"),
    ("/nodes/{node}/qemu/{vmid}/snapshot", "qemu", "list", "qemu/*"),
]


@pytest.mark.parametrize(("path", "kinds", "shape", "named"), BUILTIN, ids=[b[0] for b in BUILTIN])
def test_a_wrongly_shaped_answer_for_a_builtin_kind_keeps_the_last_state(
    path: str,
    kinds: str,
    shape: str,
    named: str,
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Any,
    small_cluster: Any,
) -> None:
    _give_every_entry_something(small_cluster, pve_env)
    first = cli("sync", "-C", str(state_repo), "--only", kinds)
    assert first.code == 0, first.err
    before = recorded(state_repo)
    original = small_cluster._answer
    for bad in [None, [{"x": 1}] if shape == "object" else {"x": 1}, ["x", "y"]]:
        small_cluster._answer = original
        hits: list[str] = []
        _serve(small_cluster, _pattern(path), bad, hits)
        result = cli("sync", "-C", str(state_repo), "--only", kinds)
        assert hits, f"the sync never read {path}"
        assert result.code == 3, (bad, result.out, result.err)
        names = re.findall(r"kept the last state of (\S+): unexpected answer from PVE", result.err)
        assert any(fnmatch.fnmatch(rid, named) for rid in names), (bad, result.err)
        assert recorded(state_repo) == before, bad
