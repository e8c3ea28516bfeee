"""`proxstate notify` lists the targets; `--test [TARGET]` sends each (or one) a sample message,
here through Gotify's schema and a form webhook pointed at the loopback receiver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.receiver import Receiver

TARGETS = """notify:
  - name: gotify
    url_env: GOTIFY_URL
    on: [changes, failure]
    kinds: [vm]
  - url_env: FORM_URL
"""


@pytest.fixture
def two_targets(
    state_repo: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    configure: Callable[[Path, str], None],
) -> Path:
    monkeypatch.setenv("GOTIFY_URL", f"gotify://{receiver.address}/AppT0kenSecret")
    monkeypatch.setenv("FORM_URL", f"form://{receiver.address}/form")
    configure(state_repo, TARGETS)
    return state_repo


def test_the_targets_are_listed_without_their_urls(two_targets: Path, cli: Any) -> None:
    result = cli("notify", "-C", str(two_targets))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "1 gotify: changes, failure (kinds: qemu)",
        "2 $FORM_URL: changes, drift, failure",
    ]


def test_a_test_reaches_every_target(two_targets: Path, cli: Any, receiver: Receiver) -> None:
    result = cli("notify", "-C", str(two_targets), "--test")
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["notified gotify (changes)", "notified $FORM_URL (changes)"]
    gotify, form = receiver.wait(2)
    assert gotify.path == "/message" and gotify.headers["X-Gotify-Key"] == "AppT0kenSecret"
    assert gotify.json()["title"] == "proxstate: test notification (a sample change)"
    assert "qemu/100 sample-vm" in gotify.json()["message"]
    assert form.form()["title"] == "proxstate: test notification (a sample change)"
    assert "AppT0kenSecret" not in result.out + result.err


def test_a_test_of_one_target_and_of_one_that_fails(
    two_targets: Path, cli: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("notify", "-C", str(two_targets), "--test", "$FORM_URL").code == 0
    assert len(receiver.wait(1)) == 1 and receiver.requests[0].path == "/form"
    monkeypatch.delenv("GOTIFY_URL")
    result = cli("notify", "-C", str(two_targets), "--test", "1")
    assert result.code == 1
    assert (
        "to gotify not delivered: notify target gotify: the environment variable GOTIFY_URL holds no"
        in result.err
    )
    unknown = cli("notify", "-C", str(two_targets), "--test", "slack")
    assert (
        unknown.code == 64
        and "no notify target 'slack' in proxstate.yaml (targets: 1 gotify, 2 $FORM_URL)" in unknown.err
    )


def test_a_url_file_is_read_outside_the_repository_only(
    state_repo: Path, cli: Any, receiver: Receiver, tmp_path: Path, configure: Callable[[Path, str], None]
) -> None:
    outside = tmp_path / "notify-url"
    outside.write_text(f"# the ops webhook\njson://{receiver.address}/from-file\n")
    inside = state_repo / "notify-url"
    inside.write_text(f"json://{receiver.address}/inside\n")
    configure(state_repo, f"notify:\n  - url_file: {outside}\n  - name: inside\n    url_file: {inside}\n")
    result = cli("notify", "-C", str(state_repo), "--test")
    assert result.code == 1
    assert f"notified {outside} (changes)" in result.out
    assert "to inside not delivered: notify target inside: the file" in result.err
    assert "is inside the state repository, where it would be committed with its token" in result.err
    assert [request.path for request in receiver.wait(1)] == ["/from-file"]
