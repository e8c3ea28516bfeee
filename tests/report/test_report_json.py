"""render_json: the versioned document, its schema, and secrets."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from proxstate.diff import ChangeSet, Unreadable
from proxstate.report import changeset_schema, render_json


def _validate(document: Any) -> None:
    jsonschema.Draft202012Validator(changeset_schema()).validate(document)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(changeset_schema())


def test_document_validates_and_carries_everything(changeset: ChangeSet) -> None:
    document = json.loads(render_json(changeset))
    _validate(document)
    assert document["format_version"] == 2
    assert document["base"]["short"] == "aaaaaaa"
    assert document["target"]["sha"] == "b" * 40
    assert document["summary"] == {"added": 1, "modified": 1, "removed": 1}
    assert [r["resource_id"] for r in document["resources"]] == ["qemu/101", "qemu/105", "lxc/200"]
    web = document["resources"][0]
    assert web["name"] == "web01"
    assert web["classes"] == ["migrated", "hardware", "network", "snapshot", "tags", "config"]
    assert web["attribution"] == [
        {
            "actor": "alice@pve",
            "source": "task",
            "confidence": "likely",
            "label": None,
            "fields": [],
            "message": "",
            "entry": "",
            "user": "alice@pve",
            "task_type": "qmigrate",
            "time": "2026-11-25T10:02:00Z",
            "upid": "UPID:pve1:1:2:3:qmigrate:101:alice@pve:",
        }
    ]
    changes = {change["path"]: change for change in web["changes"]}
    assert changes["config.memory"] == {
        "path": "config.memory",
        "action": "changed",
        "class": "hardware",
        "old": 2048,
        "new": 4096,
    }
    assert changes["tags"]["new"] == ["prod"]
    assert changes["config.net1"]["new"] is None


def test_secrets_are_flagged_never_revealed(changeset: ChangeSet) -> None:
    text = render_json(changeset)
    assert "masked" not in text and "3f2a9c0d" not in text
    web = json.loads(text)["resources"][0]
    secret = next(change for change in web["changes"] if change["path"] == "config.cipassword")
    assert secret == {
        "path": "config.cipassword",
        "action": "changed",
        "class": "config",
        "old": None,
        "new": None,
        "secret": True,
    }
    assert all("secret" not in change for change in web["changes"] if change is not secret)


def test_drift_empty_and_unreadable_documents_validate(hostile: ChangeSet) -> None:
    drift = json.loads(render_json(hostile))
    _validate(drift)
    assert drift["target"] is None
    assert drift["unreadable"][0]["reason"].startswith("node unreachable | </details>")
    empty = json.loads(render_json(ChangeSet(None, None, (), (Unreadable("c", "qemu/1", "gone"),))))
    _validate(empty)
    assert empty["base"] is None and empty["resources"] == []
    assert empty["summary"] == {"added": 0, "modified": 0, "removed": 0}


def test_hostile_text_round_trips_exactly(hostile: ChangeSet) -> None:
    document = json.loads(render_json(hostile))
    weird = document["resources"][0]
    assert weird["cluster"] == "lab|`x`"
    assert weird["name"] == "<b>n|ame</b>\n`"
    values = [change["old"] for change in weird["changes"] if change["path"].startswith("config.description")]
    assert "nul\x00bell\x07esc\x1b[31mred" in values


def test_schema_rejects_a_revealed_secret(changeset: ChangeSet) -> None:
    document = json.loads(render_json(changeset))
    secret = next(c for c in document["resources"][0]["changes"] if c.get("secret"))
    secret["new"] = "<masked:77aa0b1e>"
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)
