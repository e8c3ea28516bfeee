"""`proxstate blame`: each field's last change and its author, from a real record made by syncs of
the fake, whose cluster log follows PVE's handlers (proxstate/demo/clusterlog.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proxstate.demo.clusterlog import log_as_pve
from tests.helpers.clusterlog import ALICE, BOB, add_tokens, api_as
from tests.helpers.repo import git


def test_blame_names_the_snapshot_and_author_of_each_fields_last_change(
    small_cluster: Any, fakepve_cafile: str, state_repo: Path, pve_env: Any, cli: Any
) -> None:
    add_tokens(small_cluster)
    log_as_pve(small_cluster)
    assert cli("sync", "-C", str(state_repo)).code == 0
    first = git(state_repo, "rev-parse", "--short=7", "HEAD").strip()
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    assert cli("sync", "-C", str(state_repo)).code == 0
    second = git(state_repo, "rev-parse", "--short=7", "HEAD").strip()
    api_as(small_cluster, fakepve_cafile, BOB, "PUT", "/nodes/pve2/qemu/102/config", cores="8")
    assert cli("sync", "-C", str(state_repo)).code == 0
    third = git(state_repo, "rev-parse", "--short=7", "HEAD").strip()

    result = cli("blame", "qemu/102", "-C", str(state_repo), "--format", "json")
    assert result.code == 0, result.err
    fields = {f["path"]: f for f in json.loads(result.out)["fields"]}
    memory, cores, name = fields["config.memory"], fields["config.cores"], fields["config.name"]
    assert memory["value"] == 8192 and memory["commit"]["short"] == second
    assert [(a["actor"], a["source"], a["confidence"]) for a in memory["attribution"]] == [
        (ALICE, "cluster-log", "exact")
    ]
    assert cores["value"] == 8 and cores["commit"]["short"] == third
    assert [a["actor"] for a in cores["attribution"]] == [BOB]
    assert name["commit"]["short"] == first  # set before the first snapshot: recorded then
    assert name["attribution"] == []  # by nobody the record knows of

    text = cli("blame", "qemu/102", "memory", "-C", str(state_repo))
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[1].split() == ["FIELD", "VALUE", "SNAPSHOT", "BY"]
    assert lines[2].startswith("config.memory  8192 ") and second in lines[2]
    assert f"{ALICE} (update VM 102: -memory 8192)" in lines[2] and len(lines) == 3


def test_blame_of_an_unknown_field_or_resource_says_so(synced: Path, cli: Any) -> None:
    result = cli("blame", "qemu/102", "nonsense", "-C", str(synced))
    assert result.code == 1 and "qemu/102 has no field 'nonsense'" in result.err
    result = cli("blame", "qemu/999", "-C", str(synced))
    assert result.code == 1 and "qemu/999 is not recorded" in result.err
