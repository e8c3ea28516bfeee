"""Running the command line in-process and reading what it says, as a user would."""

from __future__ import annotations

import hashlib
import re
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from proxstate.cli.main import main

TOKEN_ID = "root@pam!proxstate"
TOKEN_SECRET = "5ec12e7-0000-4a4a-bbbb-token-secret"
PASSWORD = "secret"  # fakepve's login for root@pam


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """`proxstate ARGS...` through the console script's `main`: exit code, stdout and stderr."""
    capsys.readouterr()
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:  # pragma: no cover - main always exits
        code = 0
    captured = capsys.readouterr()
    return Result(code=code, out=captured.out, err=captured.err)


def assert_one_line_error(result: Result) -> None:
    """Exit 1 with exactly one `proxstate: error:` line on stderr and no traceback."""
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("proxstate: error: ")]
    assert len(errors) == 1, result.err


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def fingerprint_of(cafile: str) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as PVE shows it (`AB:CD:...`)."""
    der = ssl.PEM_cert_to_DER_cert(Path(cafile).read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def api_post(pve: Any, env: dict[str, str], path: str, data: dict[str, str] | None = None) -> Any:
    """A write through the fake's HTTP API, as an administrator would make it."""
    response = httpx.post(
        f"{pve.url}/api2/json{path}",
        data=data or {},
        headers={"Authorization": f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"},
        verify=ssl.create_default_context(cafile=env["PROXSTATE_CA_CERT"]),
    )
    response.raise_for_status()
    return response.json()["data"]
