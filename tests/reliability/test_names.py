"""Names from the API as hostile as they get: nothing leaves clusters/<cluster>/, every name and value
loads back exactly, and a name cannot add a line to a commit message or to the output."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxstate import yamlio
from proxstate.app.plan import plan_cluster
from proxstate.config import KINDS
from proxstate.normalize import NormalizeOptions
from proxstate.resources.inventory import Inventory, RawCluster, RawContent, RawGuest, RawNode, RawStorage
from proxstate.store.commit import check_path
from proxstate.store.layout import cluster_dir, document_path, resource_of_path
from tests.helpers.repo import assert_consistent, assert_only_files_of_the_repository, committed, git

HOSTILE_NAMES = [
    "../../escape", "..", ".", "a/b", "-rf", "--help", "nul\x00byte", "new\nline\n\nProxstate-Cluster: x",
    " ", "%2E%2E", "C:\\x", ".git", "名前", "\x1b[2J\x1b[31mred", "x" * 300,
]  # fmt: skip
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def test_hostile_names_end_to_end(synced: Path, cli: Any, small_cluster: Any, tmp_path: Path) -> None:
    """Each name is a node, a storage and a guest name (with the same tags and description)."""
    for index, name in enumerate(HOSTILE_NAMES):
        small_cluster.nodes[name] = {"online": True}
        small_cluster.storages[name] = {
            "type": "dir",
            "active": 1,
            "content": "iso",
            "files": set(),
            "path": "/x",
        }
        small_cluster.add_vm(150 + index, name, node="pve1", config={"tags": name, "description": name})
    result = cli("sync", "-C", str(synced))
    assert "Traceback" not in result.err
    assert result.code in (0, 3), result.err
    for line in (result.out + result.err).splitlines():
        assert not CONTROL.search(line), line
        assert line.startswith(("lab: ", "proxstate: warning: ")), line
    assert_consistent(synced)
    assert_only_files_of_the_repository(tmp_path, synced)
    files = committed(synced)
    for index, name in enumerate(HOSTILE_NAMES):
        vm = yamlio.load(files[str(document_path("lab", f"qemu/{150 + index}"))].decode())
        assert vm["config"]["description"] == name
        assert vm.get("name") in (name, None)
        node = yamlio.load(files[str(document_path("lab", f"node/{name}"))].decode())
        assert node["name"] == name
        storage = yamlio.load(files[str(document_path("lab", f"storage/{name}"))].decode())
        assert storage["storage"] == name
    message = git(synced, "log", "-1", "--format=%B").rstrip("\n").split("\n")
    assert message[-3].startswith("Proxstate-Cluster: lab") and message[-1].startswith("Proxstate-Version: ")
    assert sum(line.startswith("Proxstate-Cluster:") for line in message) == 1
    for index in range(len(HOSTILE_NAMES)):
        assert sum(line.startswith(f"qemu/{150 + index} ") for line in message) == 1
    for line in message:
        assert not CONTROL.search(line), line
    again = cli("sync", "-C", str(synced))
    assert again.code == result.code and "no changes" in again.out, again.out + again.err


# ------------------------------------------------------------------ properties of the whole pipeline

NAMES = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.text(min_size=1, max_size=40),
    st.text(alphabet="./-%\\\x00\n ", min_size=1, max_size=8),
)
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["yes", "no", "on", "~", "null", "0x1F", "1e3", "01", "- a", "a: b", "#", "|", "", " x "]
    ),
)


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    cluster = draw(NAMES)
    nodes = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    storages = draw(st.lists(NAMES, max_size=2, unique=True))
    guests = []
    for vmid in draw(st.lists(st.integers(100, 999_999_999), max_size=3, unique=True)):
        config = {
            "description": draw(VALUES),
            "name": draw(NAMES),
            "tags": draw(VALUES),
            "x-odd": draw(VALUES),
        }
        guests.append(
            RawGuest(
                kind=draw(st.sampled_from(["qemu", "lxc"])),
                vmid=vmid,
                node=draw(st.sampled_from(nodes)),
                resource={"type": "qemu", "vmid": vmid, "name": draw(NAMES), "status": draw(VALUES)},
                config=config,
                pending=[{"key": key, "value": value} for key, value in config.items()],
            )
        )
    node = nodes[0]
    return Inventory(
        cluster=RawCluster(
            name=cluster,
            version={"version": draw(VALUES)},
            status=[{"type": "cluster", "name": cluster}, *({"type": "node", "name": n} for n in nodes)],
        ),
        nodes=[RawNode(name=n, online=True, resource={"node": n, "type": "node"}, status={}) for n in nodes],
        guests=guests,
        storages=[
            RawStorage(storage=s, definition={"storage": s, "type": "dir"}, per_node={node: {"active": 1}})
            for s in storages
        ],
        contents=[
            RawContent(node=node, storage=s, volumes=[{"volid": f"{s}:iso/{draw(NAMES)}", "size": 1}])
            for s in storages
        ],
        kinds=frozenset(KINDS),
    )


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(inventory=inventories())
def test_every_recorded_document_stays_inside_and_loads_back(inventory: Inventory) -> None:
    options = NormalizeOptions()
    plan = plan_cluster(inventory, {}, options=options)
    cluster = inventory.cluster.name
    folder = f"{cluster_dir(cluster)}/"
    for path, content in plan.files.items():
        assert content is not None
        check_path(path)
        assert path.startswith(folder) and ".." not in path.split("/")
        located = resource_of_path(path, content)
        assert located is not None and located[0] == cluster
        assert yamlio.load(content.decode("utf-8")) == plan.current[located[1]]
    for guest in inventory.guests:
        document = plan.current[f"{guest.kind}/{guest.vmid}"]
        assert document["config"]["description"] == guest.config["description"]
    # What was recorded, read back as the previous state, is exactly what the cluster says again.
    again = plan_cluster(inventory, {p: c for p, c in plan.files.items() if c is not None}, options=options)
    assert again.files == {} and again.changes == []


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(inventory=inventories())
def test_a_plan_that_lets_the_answers_go_plans_the_same(inventory: Inventory) -> None:
    """A sync's plan drops the inventory's answers as it makes their documents (`consume`); drift's
    keeps them. Both plan the same record, and an added resource's change holds its document."""
    options = NormalizeOptions()
    kept = plan_cluster(copy.deepcopy(inventory), {}, options=options)
    consumed = plan_cluster(inventory, {}, options=options, consume=True)
    assert inventory.guests == []
    assert consumed.files == kept.files and consumed.changes == kept.changes
    assert dict(consumed.current) == dict(kept.current) and consumed.detections == kept.detections
    for change in consumed.changes:
        assert change.action == "added" and change.whole_document == consumed.current[change.resource_id]
