"""The token secret and the password never appear in the repository, logs, errors, dry runs or commit
messages; --insecure warns on every run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TOKEN_SECRET
from tests.helpers.repo import repository_text

PASSWORD = "pw-Narwhal-91-very-secret"
MASK_KEY = "mask-key-Okapi-55"


def _sync_everything(root: Path, cli: Any, pve: Any) -> list[Any]:
    """Runs that touch every path where a secret could leak: debug logs, failures, dry runs, errors."""
    results = [cli("--debug", "sync", "-C", str(root))]
    pve.vm(101).config["cores"] = 7
    pve.vm(101).config["cipassword"] = "cloud-init-password-77"
    pve.fail("GET", "/nodes/pve2/qemu/102/pending", 500, "boom")
    pve.set_node_offline("pve2")
    results.append(cli("--debug", "sync", "-C", str(root), "--dry-run"))
    results.append(cli("--debug", "sync", "-C", str(root), "-m", "scheduled run"))
    results.append(cli("--debug", "drift", "-C", str(root)))
    results.append(cli("--debug", "sync", "-C", str(root), "--url", "https://127.0.0.1:1"))
    return results


@pytest.mark.parametrize("login", ["token", "password"])
def test_secrets_never_leak(
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Any,
    small_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    login: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    small_cluster.password = PASSWORD
    monkeypatch.setenv("PROXSTATE_MASK_KEY", MASK_KEY)
    monkeypatch.setenv("PROXSTATE_TIMEOUT", "1")
    if login == "password":
        monkeypatch.delenv("PROXSTATE_TOKEN")
        monkeypatch.setenv("PROXSTATE_USER", "root@pam")
        monkeypatch.setenv("PROXSTATE_PASSWORD", PASSWORD)
    results = _sync_everything(state_repo, cli, small_cluster)
    assert results[0].code == 0, results[0].err
    assert results[1].code == 3 and "would commit" in results[1].out
    assert results[2].code == 3
    assert results[4].code == 1
    tickets = list(small_cluster.tickets)
    csrf = [session["csrf"] for session in small_cluster.tickets.values()]
    secrets = [TOKEN_SECRET, PASSWORD, MASK_KEY, "cloud-init-password-77", *tickets, *csrf]
    outputs = "\n".join(r.out + r.err for r in results)
    assert "DEBUG" in caplog.text or "proxstate.api" in caplog.text
    for haystack, where in (
        (outputs, "output"),
        (caplog.text, "debug log"),
        (repository_text(state_repo), "repository"),
    ):
        for secret in secrets:
            assert secret not in haystack, f"a secret in the {where}"
    assert "Traceback" in results[4].err or "proxstate: error" in results[4].err


def test_insecure_warns_every_time(synced: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    for args in (
        ("sync", "-C", str(synced), "--insecure"),
        ("sync", "-C", str(synced), "--insecure", "--dry-run"),
    ):
        for _ in range(2):
            result = cli(*args)
            assert result.code == 0, result.err
            assert "warning" in result.err and "insecure" in result.err.lower()
    monkeypatch.setenv("PROXSTATE_INSECURE", "1")
    for command in (("sync", "-C", str(synced)), ("drift", "-C", str(synced)), ("discover-vms",)):
        result = cli(*command)
        assert result.code == 0, result.err
        assert "warning" in result.err and "insecure" in result.err.lower(), command
    # Asked for in proxstate.yaml rather than on the command line.
    monkeypatch.delenv("PROXSTATE_INSECURE")
    config = synced / "proxstate.yaml"
    config.write_text(config.read_text().replace("clusters: []", "clusters:\n  - tls:\n      insecure: true"))
    for command in (("sync", "-C", str(synced)), ("drift", "-C", str(synced))):
        result = cli(*command)
        assert result.code == 0, result.err
        assert "warning" in result.err and "insecure" in result.err.lower(), command
