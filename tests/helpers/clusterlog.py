"""Changing the fake cluster the way a user or a token does, through the API, so that its cluster
log (proxstate/demo/clusterlog.py, shaped after PVE's handlers) names who did it."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

ALICE = "alice@pve!ci"
ALICE_SECRET = "a11ce000-0000-4c1c-8888-alice-secret"
BOB = "bob@pve!ops"
BOB_SECRET = "b0b00000-0000-4b0b-9999-bob-secret"


def add_tokens(pve: Any) -> None:
    """Two tokens that may change guests: alice@pve!ci and bob@pve!ops (fakepve checks no ACL when
    `pve.acl` is None)."""
    pve.apitokens[ALICE] = ALICE_SECRET
    pve.apitokens[BOB] = BOB_SECRET


def api_as(pve: Any, cafile: str, token: str, method: str, path: str, **data: str) -> Any:
    """One call to the fake as `token` (its secret from add_tokens); the answer's `data`."""
    secret = {ALICE: ALICE_SECRET, BOB: BOB_SECRET}.get(token) or pve.apitokens[token]
    response = httpx.request(
        method,
        f"{pve.url}/api2/json{path}",
        headers={"Authorization": f"PVEAPIToken={token}={secret}"},
        data=data or None,
        verify=ssl.create_default_context(cafile=cafile),
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]
