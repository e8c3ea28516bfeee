"""A sync tells its notification targets what it committed, and which clusters failed or recovered,
through Apprise to a real HTTP receiver on loopback (tests/helpers/receiver.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.receiver import Receiver
from tests.helpers.repo import git, repository_text

TARGET = """notify:
  - url_env: PROXSTATE_NOTIFY_URL
    on: [changes, drift, failure]
"""


@pytest.fixture
def notified(
    synced: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, configure: Callable[[Path, str], None]
) -> Path:
    """A synced repository whose one target is the receiver's JSON webhook (the issue's minimal form)."""
    monkeypatch.setenv("PROXSTATE_NOTIFY_URL", f"json://{receiver.address}/hook")
    configure(synced, TARGET)
    return synced


def test_a_sync_with_changes_sends_one_message_naming_them(
    notified: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(102).config["memory"] = 8192
    small_cluster.ct(200).config["memory"] = 1024
    result = cli("sync", "-C", str(notified))
    assert result.code == 0, result.err
    [message] = receiver.wait(1)
    assert message.path == "/hook"
    sent = message.json()
    assert sent["title"] == "proxstate: lab: 0 added, 2 changed, 0 removed"
    assert "`qemu/102` db01" in sent["message"] and "`lxc/200` ct1" in sent["message"]  # Markdown
    assert "`config.memory` | `4096` | `8192`" in sent["message"]
    assert "notified $PROXSTATE_NOTIFY_URL (changes)" in result.out


def test_a_sync_without_changes_sends_nothing(notified: Path, receiver: Receiver, cli: Any) -> None:
    result = cli("sync", "-C", str(notified))
    assert result.code == 0, result.err
    assert "lab: no changes" in result.out
    assert receiver.wait(1, timeout=0.3) == []


def test_no_notify_sends_nothing(notified: Path, receiver: Receiver, cli: Any, small_cluster: Any) -> None:
    small_cluster.vm(102).config["cores"] = 8
    result = cli("sync", "-C", str(notified), "--no-notify")
    assert result.code == 0, result.err
    assert "committed" in result.out
    assert receiver.wait(1, timeout=0.3) == []


def test_a_failing_cluster_sends_a_failure_once_and_then_a_recovery(
    notified: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    small_cluster.fail("GET", "/nodes/pve2/qemu/102/pending", 500, "can't lock file - got timeout")
    assert cli("sync", "-C", str(notified)).code == 3
    assert cli("sync", "-C", str(notified)).code == 3  # still failing: not sent again
    small_cluster.failures.clear()
    assert cli("sync", "-C", str(notified)).code == 0
    failure, recovery = (request.json() for request in receiver.wait(2))
    assert failure["type"] == "failure"
    assert failure["title"].startswith("proxstate: sync of ") and failure["title"].endswith(" failed")
    assert "qemu/102 (" in failure["message"] and "got timeout" in failure["message"]
    assert "failing since 20" in failure["message"]
    assert recovery["type"] == "success" and recovery["title"].endswith(" recovered")
    assert len(receiver.requests) == 2


def test_a_sync_that_cannot_log_in_is_a_failure_and_a_recovery_is_retried(
    synced: Path,
    receiver: Receiver,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    pve_env: dict[str, str],
    configure: Callable[[Path, str], None],
) -> None:
    monkeypatch.setenv("HOOK", f"form://{receiver.address}/form")
    configure(synced, "notify:\n  - url_env: HOOK\n    on: failure\n    retries: 1\n")
    monkeypatch.setenv("PROXSTATE_TOKEN", pve_env["PROXSTATE_TOKEN"] + "-revoked")
    result = cli("sync", "-C", str(synced))
    assert result.code == 1
    assert "not delivered" not in result.err
    [failure] = [r.form() for r in receiver.wait(1)]
    assert failure["type"] == "failure" and failure["title"].endswith(" failed")
    assert "authentication failure" in failure["message"].lower() or "401" in failure["message"]
    receiver.status = 500  # the target is down now
    monkeypatch.setenv("PROXSTATE_TOKEN", pve_env["PROXSTATE_TOKEN"])
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err  # a notification that fails never changes the exit code
    assert (
        "notification (failure) to $HOOK not delivered: Form (its URL) did not accept it after 2 attempts"
        in (result.err)
    )
    assert len(receiver.wait(3)) == 3  # the recovery was tried twice (retries: 1), and not more
    receiver.status = 200
    assert cli("sync", "-C", str(synced)).code == 0  # not delivered, so sent again
    recovery = receiver.wait(4)[-1].form()
    assert recovery["title"].endswith(" recovered") and "had failed since 20" in recovery["message"]


def test_the_commit_link_comes_from_the_push_remote(
    notified: Path, receiver: Receiver, cli: Any, small_cluster: Any
) -> None:
    git(
        notified, "remote", "add", "origin", "https://ci:glpat-SECRET123@gitlab.example.com/ops/pve-state.git"
    )
    small_cluster.vm(102).config["cores"] = 8
    assert cli("sync", "-C", str(notified)).code == 0
    sha = git(notified, "rev-parse", "HEAD").strip()
    [message] = receiver.wait(1)
    assert f"https://gitlab.example.com/ops/pve-state/-/commit/{sha}" in message.json()["message"]
    assert "glpat" not in message.text


def test_target_secrets_appear_nowhere(
    synced: Path,
    receiver: Receiver,
    cli: Any,
    small_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    configure: Callable[[Path, str], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not in the output, the debug log, the repository or the state file; also when delivery fails
    (a closed port: the connection error quotes the URL's path)."""
    secrets = ("tk_NtfyT0ken", "hunter2pw", "Sl4ckPathT0ken")
    monkeypatch.setenv("NTFY", f"ntfy://{secrets[0]}@{receiver.address}/pve")
    monkeypatch.setenv("DOWN", f"json://admin:{secrets[1]}@127.0.0.1:1/hooks/{secrets[2]}")
    configure(synced, "notify:\n  - url_env: NTFY\n  - url_env: DOWN\n    retries: 0\n")
    small_cluster.vm(102).config["cores"] = 8
    caplog.set_level(logging.DEBUG)
    result = cli("--debug", "sync", "-C", str(synced))
    assert result.code == 0, result.err
    [message] = receiver.wait(1)
    assert message.headers["Authorization"] == f"Bearer {secrets[0]}"  # it did reach the receiver
    assert "notification (changes) to $DOWN not delivered" in result.err
    assert "JSON" in result.err
    assert "apprise" in caplog.text.lower()  # the debug log has Apprise's lines
    seen = result.out + result.err + caplog.text + repository_text(synced)
    seen += "".join(p.read_text(errors="replace") for p in (synced / ".git").rglob("*.json"))
    for secret in secrets:
        assert secret not in seen
