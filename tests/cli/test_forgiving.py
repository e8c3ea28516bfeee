"""Forgiving where git is: what an administrator types, as git or the PVE tools print it, works."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import fingerprint_of


def test_debug_is_taken_after_the_command_too(synced: Path, cli: Any) -> None:
    result = cli("show-changes", "-C", str(synced), "--since", "not a date at all", "--debug")
    assert "No such option" not in result.err
    assert cli("list-nodes", "-C", str(synced), "--debug").code == 0
    # After `--` it is an argument, as every option is.
    assert "No such option" not in cli("log", "-C", str(synced), "--", "--debug").err


def _served_fingerprint(url: str) -> str:
    """What getting-started's openssl pipeline prints for the server at `url`."""
    host_port = url.removeprefix("https://").split("/")[0]
    served = subprocess.run(
        ["openssl", "s_client", "-connect", host_port],
        input=b"",
        capture_output=True,
        check=True,
        timeout=10,
    )
    printed = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
        input=served.stdout,
        capture_output=True,
        check=True,
        timeout=10,
    )
    return printed.stdout.decode().strip()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl program")
def test_the_fingerprint_as_openssl_prints_it(
    pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    printed = _served_fingerprint(pve_env["PROXSTATE_URL"])
    assert printed.lower().startswith("sha256 fingerprint=")
    monkeypatch.setenv("PROXSTATE_FINGERPRINT", printed)
    assert cli("discover-nodes").code == 0


def test_the_fingerprint_as_openssl_and_pvenode_print_it(
    pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch, fakepve_cafile: str
) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    digest = fingerprint_of(fakepve_cafile)
    for printed in (
        f"SHA256 Fingerprint={digest}",  # OpenSSL 1.1
        f"sha256 Fingerprint={digest.lower()}",
        f'"fingerprint" : "{digest}"',  # a line of `pvenode cert info --output-format json`
        f'      "fingerprint" : "{digest}",',
        f"│ fingerprint   │ {digest} │",  # `pvenode cert info`'s table
    ):
        assert cli("discover-nodes", "--fingerprint", printed).code == 0, printed
    wrong = cli("discover-nodes", "--fingerprint", f"md5 Fingerprint={digest[:47]}")
    assert wrong.code != 0 and "openssl x509 -noout -fingerprint -sha256" in wrong.err
