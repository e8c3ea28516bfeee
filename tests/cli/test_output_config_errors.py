"""Mistakes in proxstate.yaml are said in plain words, with the setting's path and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import assert_one_line_error

CASES = [
    (
        "clusters:\n  - name: lab\n    timeout:\n      connect: soon\n",
        "clusters[0].timeout.connect (line 4): expected a number of seconds, got 'soon'",
    ),
    ("sync:\n  deadline: [1]\n", "sync.deadline (line 2): expected a number of seconds, got a list"),
    ("record:\n  power_state: maybe\n", "record.power_state (line 2): expected true or false, got 'maybe'"),
    (
        "clusters:\n  - name: lab\n    auth:\n      method: ticket\n",
        "clusters[0].auth.method (line 4): expected 'token' or 'password', got 'ticket'",
    ),
    ("record:\n  task_days: 0\n", "record.task_days (line 2): expected a number of at least 1, got 0"),
    (
        "clusters:\n  - nmae: lab\n",
        "clusters[0].nmae (line 2): unknown setting; known here: auth, concurrency, name,"
        " node_concurrency, timeout, tls, url",
    ),
    (
        "ignore:\n  - resource: qemu/*\n    field: config.description\n",
        "ignore[0].reason (line 2): required, and not set",
    ),
    (
        "clusters:\n  - name: lab\n    timeout: soon\n",
        "clusters[0].timeout (line 3): expected a mapping of settings (connect, read), got 'soon'",
    ),
]


@pytest.mark.parametrize(("text", "said"), CASES)
def test_a_config_mistake_is_one_plain_line(state_repo: Path, cli: Any, text: str, said: str) -> None:
    config = state_repo / "proxstate.yaml"
    config.write_text(text)
    result = cli("sync", "-C", str(state_repo), "--dry-run")
    assert_one_line_error(result)
    assert result.err == f"proxstate: error: {config}: {said}\n"
    assert "Input should" not in result.err and "Field required" not in result.err
