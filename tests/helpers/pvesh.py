"""Running printed `pvesh` lines against fakepve through its HTTP API (tests only: proxstate itself
never sends them). Each `pvesh VERB PATH --key value ...` becomes one request with the token of
tests.helpers.cli; comments and the other lines are skipped."""

from __future__ import annotations

import shlex
import ssl
from typing import Any

import httpx

from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET

METHODS = {"create": "POST", "set": "PUT", "delete": "DELETE"}


def pvesh_calls(script: str) -> list[tuple[str, str, dict[str, str]]]:
    calls = []
    for line in script.splitlines():
        if not line.startswith("pvesh "):
            continue
        words = shlex.split(line)
        params: dict[str, str] = {}
        rest = words[3:]
        for key, value in zip(rest[::2], rest[1::2], strict=True):
            assert key.startswith("--"), line
            params[key[2:]] = value
        calls.append((METHODS[words[1]], words[2], params))
    return calls


def apply_pvesh(pve: Any, cafile: str, script: str) -> int:
    """Send every pvesh line of the script; returns how many were sent. A failing call fails the test."""
    calls = pvesh_calls(script)
    for method, path, params in calls:
        response = httpx.request(
            method,
            f"{pve.url}/api2/json{path}",
            params=params if method == "DELETE" else None,
            data=params if method != "DELETE" else None,
            headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
            verify=ssl.create_default_context(cafile=cafile),
        )
        assert response.status_code == 200, (method, path, params, response.text)
    return len(calls)
