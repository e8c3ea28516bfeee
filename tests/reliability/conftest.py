"""Fixtures of the fault matrix: an auditor token (the end-to-end fixtures are in
tests/conftest.py, the helpers to check a repository in tests/helpers/).

Every test runs against fakepve on a loopback address or a git remote in tmp_path.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.answers import rewrite_data
from tests.helpers.auditor import (
    AUDITOR,
    SECRET,
    TOKEN,
    TOP_PATHS,
    effective,
    root_with_tokens,
    separate_privileges,
)


@pytest.fixture
def auditor(small_cluster: Any, pve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`pveum acl modify / --users proxstate@pve --tokens proxstate@pve!audit --roles PVEAuditor`.

    Returns what GET /access/permissions answers: `held` maps each top-level path to the privileges
    effective there; None: the fake's own answer (for other logins)."""
    small_cluster.apitokens[TOKEN] = SECRET
    separate_privileges(small_cluster)
    for who in ("proxstate@pve", TOKEN):
        small_cluster.grant(who, "/", *AUDITOR)
    answer: dict[str, Any] = {"held": dict.fromkeys(TOP_PATHS, AUDITOR)}
    rewrite_data(
        small_cluster,
        "/access/permissions",
        lambda data: data if answer["held"] is None else effective(answer["held"]),
    )
    rewrite_data(small_cluster, "/access/users/root@pam", root_with_tokens)
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN}={SECRET}")
    return answer
