"""`proxstate drift` tells a target of drift when it is new or changed, not on every run while it
stays, and when it is gone; reminders come after `remind`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from proxstate.diff import ChangeClass, ChangeSet, FieldChange, ResourceChange
from proxstate.notify.dispatch import compose
from proxstate.notify.events import RunNews
from proxstate.notify.settings import NotifyTarget
from tests.helpers.receiver import Receiver


@pytest.fixture
def watched(
    synced: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, configure: Callable[[Path, str], None]
) -> Path:
    monkeypatch.setenv("NTFY_URL", f"ntfy://{receiver.address}/pve-drift")
    configure(synced, "notify:\n  - url_env: NTFY_URL\n    on: [drift]\n")
    return synced


def test_the_same_drift_twice_is_sent_once(
    watched: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    first = cli("drift", "-C", str(watched), "--format", "json")
    assert first.code == 2, first.err
    assert first.out.lstrip().startswith("{")  # the report on stdout stays JSON
    assert "proxstate: notified $NTFY_URL (drift)" in first.err
    assert cli("drift", "-C", str(watched)).code == 2
    [message] = receiver.wait(1, timeout=0.3)
    sent = message.json()
    assert sent["topic"] == "pve-drift"
    assert sent["title"] == "proxstate: drift in lab: 1 resource differs from the record"
    assert "qemu/102 db01" in sent["message"] and "config.memory: 4096 -> 8192" in sent["message"]


def test_a_changed_drift_is_sent_again_and_its_end_once(
    watched: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    assert cli("drift", "-C", str(watched)).code == 2
    small_cluster.vm(102).config["memory"] = 16384
    assert cli("drift", "-C", str(watched)).code == 2
    small_cluster.vm(102).config["memory"] = 4096
    assert cli("drift", "-C", str(watched)).code == 0
    titles = [request.json()["title"] for request in receiver.wait(3)]
    assert titles == [
        "proxstate: drift in lab: 1 resource differs from the record",
        "proxstate: drift in lab: 1 resource differs from the record",
        "proxstate: no drift in lab any more",
    ]
    assert "16384" in receiver.requests[1].json()["message"]


def test_no_notify_on_drift_sends_and_remembers_nothing(
    watched: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    assert cli("drift", "-C", str(watched), "--no-notify").code == 2
    assert receiver.wait(1, timeout=0.3) == []
    assert cli("drift", "-C", str(watched)).code == 2
    assert len(receiver.wait(1)) == 1


def _drift(memory: int) -> RunNews:
    change = ResourceChange(
        cluster="lab",
        resource_id="qemu/102",
        action="modified",
        name="db01",
        fields=(FieldChange("config.memory", "changed", 4096, memory, ChangeClass.HARDWARE),),
        classes=(ChangeClass.HARDWARE,),
    )
    return RunNews(command="drift", drift={"lab": ChangeSet(base=None, target=None, resources=(change,))})


def test_a_reminder_comes_after_the_interval_only() -> None:
    target = NotifyTarget(url_env="X", remind="12h")
    sent_at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    [first] = compose(_drift(8192), [target], {}, now=sent_at)
    remembered = {target.key: {first.state_key: first.state_value}}
    assert compose(_drift(8192), [target], remembered, now=sent_at + timedelta(hours=11)) == []
    [again] = compose(_drift(8192), [target], remembered, now=sent_at + timedelta(hours=12))
    assert again.status == "reminder" and again.title.startswith("proxstate: still drift in lab")
    [changed] = compose(_drift(1024), [target], remembered, now=sent_at + timedelta(hours=1))
    assert changed.status == "new"


def test_filters_leave_out_what_a_target_did_not_ask_for() -> None:
    network_only = NotifyTarget(url_env="X", classes=["network"])
    other_cluster = NotifyTarget(url_env="X", clusters=["prod-*"])
    vms = NotifyTarget(url_env="X", kinds=["vm"])
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert compose(_drift(8192), [network_only, other_cluster], {}, now=now) == []
    assert len(compose(_drift(8192), [vms], {}, now=now)) == 1


def test_security_changes_only() -> None:
    firewall = ResourceChange(
        cluster="lab",
        resource_id="firewall/cluster/rules",
        action="modified",
        name=None,
        fields=(FieldChange("rules[0].action", "changed", "DROP", "ACCEPT", ChangeClass.CONFIG),),
        classes=(ChangeClass.SECURITY, ChangeClass.CONFIG),
    )
    news = _drift(8192)
    assert news.drift is not None
    both = ChangeSet(base=None, target=None, resources=(*news.drift["lab"].resources, firewall))
    target = NotifyTarget(url_env="X", classes=["security"])
    [message] = compose(RunNews(command="drift", drift={"lab": both}), [target], {}, now=datetime.now(UTC))
    assert message.changeset is not None
    assert [change.resource_id for change in message.changeset.resources] == ["firewall/cluster/rules"]
