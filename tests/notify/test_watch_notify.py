"""`proxstate watch` commits through sync, so its commits are notified like a sync's; --no-notify
turns that off. The first poll of a watch is a sweep (a full sync): --max-polls 1 is one sync."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.receiver import Receiver


@pytest.fixture
def watched(
    synced: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, configure: Callable[[Path, str], None]
) -> Path:
    monkeypatch.setenv("PROXSTATE_NOTIFY_URL", f"json://{receiver.address}/hook")
    configure(synced, "notify:\n  - url_env: PROXSTATE_NOTIFY_URL\n")
    return synced


def test_a_commit_of_watch_is_notified(
    watched: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    result = cli("watch", "-C", str(watched), "--max-polls", "1")
    assert result.code == 0, result.err
    assert "notified $PROXSTATE_NOTIFY_URL (changes)" in result.out
    [message] = receiver.wait(1)
    assert "`qemu/102` db01" in message.json()["message"]


def test_no_notify_on_watch(watched: Path, receiver: Receiver, cli: Any, small_cluster: Any) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    result = cli("watch", "-C", str(watched), "--max-polls", "1", "--no-notify")
    assert result.code == 0, result.err
    assert "committed" in result.out and "notified" not in result.out
    assert receiver.wait(1, timeout=0.3) == []
