"""The PVEAuditor token of docs/getting-started.md, as the fake grants it and as PVE answers it
(the tests in tests/reliability/test_auditor.py say which PVE handlers these follow)."""

from __future__ import annotations

from typing import Any

from fakepve.shapes import PRIVILEGES

AUDITOR = (
    "Datastore.Audit",
    "Mapping.Audit",
    "Pool.Audit",
    "SDN.Audit",
    "Sys.Audit",
    "VM.Audit",
    "VM.GuestAgent.Audit",
)
TOP_PATHS = ("/", "/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms")
TOKEN = "proxstate@pve!audit"
SECRET = "7d1c0b9e-auditor-secret-9f3a"


def effective(privileges: dict[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
    """PVE's answer to GET /access/permissions: path -> {privilege: 1 (propagates)}."""
    return {path: dict.fromkeys(held, 1) for path, held in privileges.items() if held}


def separate_privileges(pve: Any) -> None:
    """pve-access-control RPCEnvironment::permissions: a token with privilege separation holds what
    both its own ACL and its user's give ('intersect user and token permissions'); fakepve unites
    them. Every permission check of the fake goes through `allowed`."""
    unite = type(pve).allowed

    def allowed(user: str, path: str, privilege: str) -> bool:
        if "!" not in user or pve.acl is None or user.startswith("root@pam!"):
            return bool(unite(pve, user, path, privilege))
        owner = user.split("!", maxsplit=1)[0]
        acl = pve.acl
        try:
            pve.acl = {user: acl.get(user, [])}
            by_token = unite(pve, user, path, privilege)
            pve.acl = {owner: acl.get(owner, [])}
            by_user = unite(pve, owner, path, privilege)
        finally:
            pve.acl = acl
        return bool(by_token and by_user)

    pve.allowed = allowed


def held_by(pve: Any, who: str) -> dict[str, tuple[str, ...]]:
    """RPCEnvironment::get_effective_permissions from the fake's ACLs: the top-level paths."""
    return {path: tuple(p for p in PRIVILEGES if pve.allowed(who, path, p)) for path in TOP_PATHS}


def root_with_tokens(data: Any) -> Any:
    return {**data, "tokens": {"proxstate": {"comment": "state recorder", "expire": 0, "privsep": 1}}}
