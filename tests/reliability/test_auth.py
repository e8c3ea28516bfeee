"""Credentials that stop working during a sync, and tokens that may read only part of the cluster."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from proxstate.discovery.privileges import hidden_failures, holds, parse_permissions
from tests.helpers.cli import TOKEN_ID, assert_one_line_error
from tests.helpers.process import wait_for
from tests.helpers.repo import assert_consistent, committed, git

PASSWORD = "pw-Quokka-7-not-in-any-log"


def _when_first_seen(pve: Any, fragment: str, action: Any) -> threading.Thread:
    """Run `action` in a thread as soon as the fake has seen a request whose path holds `fragment`."""
    pve.requests.clear()

    def watch() -> None:
        wait_for(
            lambda: any(fragment in path for _, path, _ in list(pve.requests)), timeout=10, what=fragment
        )
        action()

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


@pytest.fixture
def password_login(pve_env: dict[str, str], small_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    small_cluster.password = PASSWORD
    monkeypatch.delenv("PROXSTATE_TOKEN")
    monkeypatch.setenv("PROXSTATE_USER", "root@pam")
    monkeypatch.setenv("PROXSTATE_PASSWORD", PASSWORD)


def _change_guests(pve: Any) -> None:
    for vm in pve.vms:
        vm.config["cores"] = 5


def test_tickets_expire_in_the_middle(
    synced: Path, cli: Any, small_cluster: Any, password_login: None
) -> None:
    """The ticket expires once the guests are being read: one new login, and the sync completes."""
    _change_guests(small_cluster)

    def expire() -> None:
        for session in small_cluster.tickets.values():
            session["expires"] = time.time() - 1

    thread = _when_first_seen(small_cluster, "/pending", expire)
    try:
        result = cli("sync", "-C", str(synced))
    finally:
        thread.join(10)
    assert result.code == 0, result.err
    # The root@pam login also reads the ACME account, which PVE refuses to root@pam's tokens.
    assert git(synced, "log", "-1", "--format=%s").strip() == "sync lab: 1 added, 3 changed, 0 removed"
    logins = [path for _, path, _ in small_cluster.requests if path.endswith("/access/ticket")]
    assert len(logins) == 2, "the first login, and one after the expiry"
    assert_consistent(synced)


def test_tickets_revoked_in_the_middle(
    synced: Path, cli: Any, small_cluster: Any, password_login: None
) -> None:
    _change_guests(small_cluster)
    thread = _when_first_seen(small_cluster, "/pending", small_cluster.revoke_tickets)
    try:
        result = cli("sync", "-C", str(synced))
    finally:
        thread.join(10)
    assert result.code == 0, result.err
    assert "3 changed" in result.out
    assert_consistent(synced)


def test_password_changed_in_the_middle(
    synced: Path, cli: Any, small_cluster: Any, password_login: None
) -> None:
    """The ticket is revoked and the new login refused: one clear error, nothing recorded."""
    before = committed(synced)
    head = git(synced, "rev-parse", "HEAD")
    _change_guests(small_cluster)

    def change_password() -> None:
        small_cluster.password = "changed-" + PASSWORD
        small_cluster.revoke_tickets()

    thread = _when_first_seen(small_cluster, "/pending", change_password)
    try:
        result = cli("sync", "-C", str(synced))
    finally:
        thread.join(10)
    assert_one_line_error(result)
    assert "root@pam" in result.err and "401" in result.err
    assert git(synced, "rev-parse", "HEAD") == head
    assert committed(synced) == before
    assert PASSWORD not in result.err
    assert_consistent(synced)


# Markers of requests that come early in their stage, so that more requests follow them.
@pytest.mark.parametrize("when", ["/pending", "/storage", "/firewall/options"])
def test_token_revoked_in_the_middle(synced: Path, cli: Any, small_cluster: Any, when: str) -> None:
    """Whenever the token stops working, the sync stops with one clear error and records nothing."""
    before = committed(synced)
    head = git(synced, "rev-parse", "HEAD")
    _change_guests(small_cluster)
    thread = _when_first_seen(small_cluster, when, lambda: small_cluster.apitokens.pop(TOKEN_ID))
    try:
        result = cli("sync", "-C", str(synced))
    finally:
        thread.join(10)
    assert_one_line_error(result)
    assert "authentication" in result.err and "401" in result.err and TOKEN_ID in result.err
    assert git(synced, "rev-parse", "HEAD") == head
    assert committed(synced) == before
    assert_consistent(synced)


READER = "audit@pve!reader"
READER_SECRET = "0b5e7c1e-reader-secret-4242"


@pytest.fixture
def reader_token(small_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    small_cluster.apitokens[READER] = READER_SECRET
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{READER}={READER_SECRET}")


def test_token_without_vm_audit_on_every_guest(
    synced: Path, cli: Any, small_cluster: Any, reader_token: None
) -> None:
    """The token may audit VM 101 and the nodes and storage, not the other guests: what it can see is
    recorded, the others keep their last state, and the output names the missing privilege."""
    before = committed(synced)
    small_cluster.grant(READER, "/vms/101", "VM.Audit")
    small_cluster.grant(READER, "/nodes", "Sys.Audit")
    small_cluster.grant(READER, "/storage", "Datastore.Audit")
    small_cluster.vm(101).config["cores"] = 11
    small_cluster.vm(102).config["cores"] = 11
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.out + result.err
    assert "VM.Audit" in result.err and "/vms" in result.err
    after = committed(synced)
    assert set(before) <= set(after), "what the token cannot see is not removed"
    assert b"cores: 11" in after["clusters/lab/qemu/101.yaml"]
    for path in ("clusters/lab/qemu/102.yaml", "clusters/lab/qemu/9000.yaml", "clusters/lab/lxc/200.yaml"):
        assert after[path] == before[path]
    for path in before:  # content lists only the volumes of guests the token may audit
        if path.startswith("clusters/lab/content/"):
            assert after[path] == before[path], path
    assert "VM.Audit" in git(synced, "log", "-1", "--format=%b")
    assert_consistent(synced)


def test_token_without_any_privilege(synced: Path, cli: Any, small_cluster: Any, reader_token: None) -> None:
    """A token with privilege separation and no ACL of its own sees nothing: nothing is removed."""
    before = committed(synced)
    small_cluster.grant("someone@pve", "/", "VM.Audit")  # ACLs apply from now on; none for the reader
    result = cli("sync", "-C", str(synced))
    assert result.code in (1, 3), result.out + result.err
    assert "Traceback" not in result.err
    for privilege in ("VM.Audit", "Datastore.Audit", "Sys.Audit"):
        assert privilege in result.err
    after = committed(synced)
    assert set(before) <= set(after)
    for path in before:
        if "/nodes/" not in path and not path.endswith("cluster.yaml"):
            assert after[path] == before[path], path
    assert_consistent(synced)


def test_a_403_for_one_guest_names_the_privilege(synced: Path, cli: Any, small_cluster: Any) -> None:
    before = committed(synced)
    small_cluster.fail(
        "GET", "/nodes/pve2/lxc/201/pending", 403, "Permission check failed (/vms/201, VM.Audit)"
    )
    small_cluster.vm(102).config["cores"] = 6
    result = cli("sync", "-C", str(synced))
    assert result.code == 3
    assert "lxc/201" in result.err and "VM.Audit" in result.err
    after = committed(synced)
    assert after["clusters/lab/lxc/201.yaml"] == before["clusters/lab/lxc/201.yaml"]
    assert b"cores: 6" in after["clusters/lab/qemu/102.yaml"]
    assert_consistent(synced)


def test_effective_privileges_the_nearest_path_decides() -> None:
    """PVE's answer (RPCEnvironment::get_effective_permissions): the top-level paths and the ACL
    paths, each with {privilege: 1 if it propagates, else 0}; a path where nothing is held is left out."""
    permissions = parse_permissions(
        {
            "/": {"VM.Audit": 1, "Sys.Audit": 1},
            "/nodes": {"VM.Audit": 1, "Sys.Audit": 1},
            "/pool": {"VM.Audit": 1, "Sys.Audit": 1},
            "/vms": {"VM.PowerMgmt": 1},
            "/storage/local": {"Datastore.Audit": 1},
            "/sdn": {"SDN.Audit": 0},
        }
    )
    assert permissions is not None
    assert not holds(permissions, "/vms", ("VM.Audit",))  # an ACL on /vms without propagation from /
    assert holds(permissions, "/vms/101", ("VM.PowerMgmt",))
    assert holds(permissions, "/nodes", ("Sys.Audit",))
    assert not holds(permissions, "/storage", ("Datastore.Audit",))
    assert holds(permissions, "/storage/local", ("Datastore.AllocateSpace", "Datastore.Audit"))
    # Held on /sdn itself, not below it; /access is left out: NoAccess there.
    assert holds(permissions, "/sdn", ("SDN.Audit",))
    assert not holds(permissions, "/sdn", ("SDN.Audit",), below=True)
    assert not holds(permissions, "/sdn/zones/localnetwork", ("SDN.Audit",))
    assert not holds(permissions, "/access/groups", ("Sys.Audit",))
    assert parse_permissions(None) is None and parse_permissions([1]) is None
    assert holds({}, "/vms", ("VM.Audit",)) is False
    assert (
        hidden_failures(
            {"/": dict.fromkeys(("VM.Audit", "Sys.Audit", "Datastore.Audit", "Pool.Audit"), True)},
            frozenset({"qemu", "lxc", "storage", "content", "tasks", "pool"}),
            user="u",
        )
        == []
    )
