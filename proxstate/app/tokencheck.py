"""`proxstate check-token`: what the configured login can record, and what each missing kind needs.

For each configured cluster, proxstate asks PVE for the login's effective privileges
(`GET /access/permissions`) and holds them against what PVE's handlers ask for the reads of each
kind (proxstate.discovery.needs). A kind is recorded in full, in part (PVE answers with a list that leaves out
what the login may not see, or refuses some of the kind's reads), or not at all. What needs more
than PVEAuditor on `/` is an extra: a sync does not read it and is not partial for lacking it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from proxstate.api.client import PveClient
from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.multicluster import selected_clusters
from proxstate.config import ProxstateConfig
from proxstate.discovery import (
    AUDITOR,
    PERMISSIONS_PATH,
    READ_RESTRICTED,
    Login,
    Permissions,
    complete,
    entry_paths,
    holds,
    major_of,
    need_of,
    parse_permissions,
    permitted,
    rid_glob,
    run,
)
from proxstate.errors import ProtocolError
from proxstate.resources.catalog import ENTRIES

_GUEST_READS = (
    "/cluster/resources",
    "/nodes/{node}/{type}/{vmid}/pending",
    "/nodes/{node}/{type}/{vmid}/snapshot",
)
# The reads of the built-in kinds; the catalog's kinds read their entries' endpoints.
BUILTIN_READS: dict[str, tuple[str, ...]] = {
    "cluster": ("/cluster/status",),
    "node": ("/nodes/{node}/status",),
    "qemu": _GUEST_READS,
    "lxc": _GUEST_READS,
    "storage": ("/storage", "/nodes/{node}/storage"),
    "content": ("/nodes/{node}/storage/{storage}/content",),
    "tasks": ("/nodes/{node}/tasks",),
    "cluster-log": ("/cluster/log",),
}


@dataclass(frozen=True, kw_only=True)
class Gap:
    resources: str  # the resource ids it concerns: "acme/plugin/*"
    endpoint: str  # the endpoint PVE refuses, or answers in part
    needs: str  # what PVE asks for: "Sys.Modify on /"
    partly: bool  # PVE answers, leaving out what the login may not see
    extra: bool  # beyond PVEAuditor on `/`: not read, by design


@dataclass(frozen=True, kw_only=True)
class KindAccess:
    kind: str
    reads: int  # how many reads (catalog entries, or endpoints of a built-in kind) the kind has
    gaps: tuple[Gap, ...] = ()

    @property
    def status(self) -> Literal["full", "partial", "none"]:
        if not self.gaps:
            return "full"
        refused = sum(1 for gap in self.gaps if not gap.partly)
        return "none" if refused >= self.reads else "partial"


@dataclass(frozen=True, kw_only=True)
class TokenCheck:
    cluster: str
    login: str
    kinds: tuple[KindAccess, ...]
    version: str = ""  # PVE's version (GET /version), which decides what exists
    # Privileges the login holds that no read of proxstate asks for (it only reads: a risk, no use).
    surplus: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Whether syncs with this login can be complete: it lacks nothing but extras."""
        return all(gap.extra for kind in self.kinds for gap in kind.gaps)


def _gap(path: str, resources: str, permissions: Permissions, login: Login, major: int | None) -> Gap | None:
    need = need_of(path)
    if major is not None and major < need.since:
        return None  # the server's PVE has neither the endpoint nor its privilege
    if not permitted(need, permissions, login):
        return Gap(resources=resources, endpoint=path, needs=need.text(), partly=False, extra=need.extra)
    if not complete(need, permissions):
        assert need.filtered is not None
        acl, privileges = need.filtered
        needs = f"{' or '.join(privileges)} on {acl}"
        # Sys.Syslog (the cluster log of every user) is beyond PVEAuditor: an extra, not a lack.
        extra = not AUDITOR & set(privileges)
        return Gap(resources=resources, endpoint=path, needs=needs, partly=True, extra=extra)
    return None


def surplus(permissions: Permissions) -> tuple[str, ...]:
    """The privileges held anywhere beyond PVEAuditor's and the extras' (Sys.Modify for ACME plugins):
    the other privileges a handler accepts (VM.Snapshot, User.Modify, ...) let a login change things
    and give proxstate nothing an auditor does not."""
    needs = [need_of(path) for entry in ENTRIES for path in entry_paths(entry)]
    needs += [need_of(path) for reads in BUILTIN_READS.values() for path in reads]
    extras = {name for need in needs if need.extra for name in need.any_of}
    extras |= {name for need in needs if need.filtered for name in need.filtered[1]} - AUDITOR
    extras |= {name for keys in READ_RESTRICTED.values() for name in keys.values()}
    held = {name for privileges in permissions.values() for name in privileges}
    return tuple(sorted(held - AUDITOR - extras))


def hidden_key_gaps(kind: str, permissions: Permissions) -> list[Gap]:
    """Config keys PVE leaves out of the guests of `kind` for this login (a container's `env`
    without VM.Config.Options): an extra, the rest of each guest is recorded."""
    return [
        Gap(
            resources=f"{kind}/*",
            endpoint=f"/nodes/{{node}}/{kind}/{{vmid}}/config",
            needs=f"{privilege} on /vms (PVE leaves `{key}` out without it)",
            partly=True,
            extra=True,
        )
        for key, privilege in READ_RESTRICTED.get(kind, {}).items()
        if not holds(permissions, "/vms", (privilege,), below=True)
    ]


def assess(
    permissions: Permissions, kinds: list[str], login: Login, *, major: int | None = None
) -> tuple[KindAccess, ...]:
    """What the login can record of each kind on a PVE of that major version (pure)."""
    out = []
    for kind in kinds:
        gaps: list[Gap] = []
        if kind in BUILTIN_READS:
            reads = len(BUILTIN_READS[kind])
            for path in BUILTIN_READS[kind]:
                gap = _gap(path, f"{kind}/*", permissions, login, major)
                gaps += [gap] if gap else []
            gaps += hidden_key_gaps(kind, permissions)
        else:
            entries = [entry for entry in ENTRIES if entry.kind == kind]
            reads = len(entries)
            for entry in entries:
                glob = rid_glob(entry)
                found = [_gap(path, glob, permissions, login, major) for path in entry_paths(entry)]
                gaps += [gap for gap in found if gap][:1]
        out.append(KindAccess(kind=kind, reads=reads, gaps=tuple(gaps)))
    return tuple(out)


def check_token(
    config: ProxstateConfig,
    *,
    cluster: str | None,
    overrides: ConnectionOverrides,
    env: Mapping[str, str],
) -> list[TokenCheck]:
    """For each cluster of proxstate.yaml (or the one named, or --url), what its login can record."""
    out = []
    for entry in selected_clusters(config, name=cluster, overrides=overrides):
        settings = resolve_connection(entry, overrides=overrides, env=env)

        async def ask() -> tuple[object, str]:
            async with PveClient(settings) as client:  # noqa: B023 - awaited at once
                version = await client.version()
                return await client.get(PERMISSIONS_PATH), str(version.payload().get("version", ""))

        answer, version = run(ask)
        permissions = parse_permissions(answer)
        if permissions is None:
            raise ProtocolError(
                f"unexpected answer from PVE at GET {PERMISSIONS_PATH}: not a mapping of paths",
                path=PERMISSIONS_PATH,
            )
        login = Login(user=settings.auth_user, token=settings.token is not None)
        out.append(
            TokenCheck(
                cluster=entry.name or str(settings.url),
                login=login.user,
                kinds=assess(permissions, list(config.record.kinds), login, major=major_of(version)),
                surplus=surplus(permissions),
                version=version,
            )
        )
    return out


__all__ = ["BUILTIN_READS", "Gap", "KindAccess", "TokenCheck", "assess", "check_token", "surplus"]
