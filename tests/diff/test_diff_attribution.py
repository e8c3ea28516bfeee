"""attribute(): tasks that match a guest change, and the many that must not (no match: the change
is unattributed, one attribution of source `none` naming the fields)."""

from __future__ import annotations

from typing import Any

from proxstate.diff import Attribution, ChangeClass, ChangeSet, FieldChange, ResourceChange, attribute

T0 = 1_764_064_800.0  # 2025-11-25 10:00:00 UTC


def _migrated(resource_id: str = "qemu/101") -> ResourceChange:
    field = FieldChange("node", "changed", "pve1", "pve2", ChangeClass.MIGRATED)
    return ResourceChange("prod", resource_id, "modified", "web01", (field,), (ChangeClass.MIGRATED,))


def _task(
    task_type: str, vmid: Any = 101, start: float = T0 + 120, status: str | None = "OK"
) -> dict[str, Any]:
    return {
        "upid": f"UPID:pve1:0000ABCD:00000001:{int(start):08X}:{task_type}:{vmid}:alice@pve:",
        "type": task_type,
        "id": vmid,
        "user": "alice@pve",
        "starttime": start,
        "endtime": start + 30,
        "status": status,
    }


def _attributions(
    change: ResourceChange, tasks: list[dict[str, Any]], **window: float | None
) -> tuple[Attribution, ...]:
    bounds: dict[str, float | None] = {"since": T0, "until": T0 + 3600}
    bounds.update(window)
    result = attribute(ChangeSet(None, None, (change,)), tasks, since=bounds["since"], until=bounds["until"])
    return result.resources[0].attribution


def _unattributed(found: tuple[Attribution, ...]) -> bool:
    return [(a.source, a.confidence, a.actor) for a in found] == [("none", "none", None)]


def test_matching_migration_task_is_attributed() -> None:
    (attribution,) = _attributions(_migrated(), [_task("qmigrate")])
    assert attribution.user == "alice@pve"
    assert attribution.task_type == "qmigrate"
    assert attribution.time == "2025-11-25T10:02:00Z"
    assert attribution.upid.startswith("UPID:pve1:")


def test_vmid_given_as_string_matches() -> None:
    assert len(_attributions(_migrated(), [_task("qmigrate", vmid="101")])) == 1


def test_wrong_vmid_does_not_match() -> None:
    assert _unattributed(
        _attributions(_migrated(), [_task("qmigrate", vmid=102), _task("qmigrate", vmid="1010")])
    )


def test_outside_window_does_not_match() -> None:
    tasks = [_task("qmigrate", start=T0 + 3601), _task("qmigrate", start=T0 - 5)]
    assert _unattributed(_attributions(_migrated(), tasks))
    # The window is [since, until]: commit times have whole seconds, so both ends count.
    assert len(_attributions(_migrated(), [_task("qmigrate", start=T0 + 3600)])) == 1
    assert len(_attributions(_migrated(), [_task("qmigrate", start=T0)])) == 1


def test_open_window_bounds() -> None:
    assert len(_attributions(_migrated(), [_task("qmigrate", start=1.0)], since=None, until=None)) == 1


def test_wrong_type_does_not_match() -> None:
    tasks = [_task("qmstart"), _task("vzmigrate"), _task("vncproxy"), _task("qmclone")]
    assert _unattributed(_attributions(_migrated(), tasks))


def test_container_uses_vz_types() -> None:
    change = _migrated("lxc/101")
    found = _attributions(change, [_task("qmigrate"), _task("vzmigrate")])
    assert [attribution.task_type for attribution in found] == ["vzmigrate"]


def test_failed_tasks_are_skipped_running_ones_kept() -> None:
    tasks = [_task("qmigrate", status="migration aborted"), _task("hamigrate", start=T0 + 10, status=None)]
    assert [a.task_type for a in _attributions(_migrated(), tasks)] == ["hamigrate"]
    warned = _task("qmigrate", status="WARNINGS: 2")
    assert len(_attributions(_migrated(), [warned])) == 1


def test_each_class_has_its_own_task_types() -> None:
    power = ResourceChange(
        "prod",
        "qemu/101",
        "modified",
        None,
        (FieldChange("status", "changed", "stopped", "running", ChangeClass.POWER),),
        (ChangeClass.POWER,),
    )
    snapshot = ResourceChange(
        "prod",
        "lxc/101",
        "modified",
        None,
        (FieldChange("snapshots.s1", "added", None, {}, ChangeClass.SNAPSHOT),),
        (ChangeClass.SNAPSHOT,),
    )
    added = ResourceChange("prod", "qemu/101", "added", None, (), (ChangeClass.ADDED,))
    tasks = [
        _task("qmstart", start=T0 + 1),
        _task("vzsnapshot", start=T0 + 2),
        _task("qmcreate", start=T0 + 3),
    ]
    assert [a.task_type for a in _attributions(power, tasks)] == ["qmstart"]
    assert [a.task_type for a in _attributions(snapshot, tasks)] == ["vzsnapshot"]
    assert [a.task_type for a in _attributions(added, tasks)] == ["qmcreate"]


def test_tags_change_gets_no_attribution() -> None:
    tags = ResourceChange(
        "prod",
        "qemu/101",
        "modified",
        None,
        (FieldChange("tags", "changed", ["a"], ["b"], ChangeClass.TAGS),),
        (ChangeClass.TAGS,),
    )
    (found,) = _attributions(tags, [_task("qmconfig"), _task("qmstart")])
    assert found.source == "none" and found.fields == ("tags",)


def test_non_guest_resources_and_garbage_tasks_are_left_alone() -> None:
    node = ResourceChange(
        "prod",
        "node/pve1",
        "modified",
        None,
        (FieldChange("status", "changed", "online", "offline", ChangeClass.POWER),),
        (ChangeClass.POWER,),
    )
    garbage: list[dict[str, Any]] = [
        {"type": "qmigrate", "id": 101},
        {"upid": "U", "type": "qmigrate", "id": 101, "starttime": "soon"},
        {"upid": "U", "type": "qmigrate", "id": 101, "starttime": 1e30},
        {"upid": "U", "id": 101, "starttime": T0 + 1},
    ]
    changeset = ChangeSet(None, None, (node, _migrated()))
    result = attribute(changeset, garbage, since=T0, until=None)
    assert result.resources[0].attribution == ()  # not a guest: nothing to say
    assert _unattributed(result.resources[1].attribution)


def test_attributions_are_sorted_and_deduplicated() -> None:
    late, early = _task("qmigrate", start=T0 + 600), _task("hamigrate", start=T0 + 60)
    found = _attributions(_migrated(), [late, early, late])
    assert [a.task_type for a in found] == ["hamigrate", "qmigrate"]
