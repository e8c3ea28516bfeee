"""How a sync deals with privileges and with a 403. The code is here too, but for the two steps that
name another module: a refused read (proxstate.discovery.reader) and a lost privilege (app/plan.py).

Before anything is read, discovery asks PVE for the login's effective privileges (`GET
/access/permissions`, `read_permissions`) and `restrict` draws three conclusions from them:

- What the login may not see. PVE leaves out of its lists what the login may not audit:
  `/cluster/resources` lists only the guests it holds VM.Audit on, and only the storages it holds
  Datastore.Audit (or Datastore.AllocateSpace) on; a storage's content only the volumes of guests
  it may audit; a node's task list only the login's own tasks without Sys.Audit; `/pools` only the
  pools it holds Pool.Audit on; the users, groups, ACL, TFA, mapping and SDN lists likewise
  (proxstate.discovery.needs says which privilege each list asks for). A guest missing from the
  list may therefore be gone, or only hidden: where a privilege is missing on the root of a kind's
  ACL tree, a failure (`unseen_only`) keeps what was not seen (`hidden_failures`). A container's
  `env` is left out of its config without VM.Config.Options (`hidden_keys`): it keeps its recorded
  value and the summary names the privilege once (`hidden_keys_note`).
- What it may not read at all. What needs more than PVEAuditor on `/` (ACME plugins: Sys.Modify;
  ACME accounts: the root@pam login) is not read by a login without it (`not_permitted`): that is
  a configuration fact, named once, not a failure (`by_design_failures`), unless something of it
  was recorded before: then the privilege was lost, and proxstate.app.plan keeps its last state as
  a failure (exit 3).
- When PVE does not say (an older PVE, an answer of another shape), nothing is assumed.

A 403 that comes anyway, on any read during the run, is a failure of that resource like a 500 or a
lock timeout (proxstate.discovery.reader `Reader.attempt`, `catalog_reads.DeclaredReader._fail`):
it keeps its last state, the rest goes on, and the sync exits 3. Only a 403 on the cluster-wide
calls a discovery starts with (`/version`, `/cluster/status`, `/cluster/resources`) fails the
sync as a whole, and a 401 (credentials that stop working) ends it wherever it comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from proxstate.api.client import PveClient
from proxstate.discovery.needs import Need, major_of, need_of
from proxstate.discovery.reader import Reader
from proxstate.errors import ApiError, AuthenticationError
from proxstate.resources.catalog import ENTRIES, GUEST_OWNED_KINDS, Entry
from proxstate.resources.inventory import ReadFailure
from proxstate.resources.kinds import CONTENT, GUEST_KINDS, QEMU

PERMISSIONS_PATH = "/access/permissions"

# (kinds, ACL path, any one of these privileges, what a login without them does not see)
REQUIRED: tuple[tuple[tuple[str, ...], str, tuple[str, ...], str], ...] = (
    (GUEST_KINDS, "/vms", ("VM.Audit",), "the guests it may not audit"),
    (
        ("storage", "content"),
        "/storage",
        ("Datastore.Audit", "Datastore.AllocateSpace"),
        "the storages it may not audit",
    ),
    (("tasks",), "/nodes", ("Sys.Audit",), "the tasks of other users"),
)

# Config keys a guest's read path leaves out without a privilege on the guest: pve-container's
# LXC.pm `$options_with_restricted_read`, applied by delete_read_restricted_options to GET .../config
# and .../pending (not to a snapshot's config). qemu-server has no such key: it answers
# `cipassword` as `**********` instead, to anyone with VM.Audit.
READ_RESTRICTED: dict[str, dict[str, str]] = {"lxc": {"env": "VM.Config.Options"}}

# The paths PVE's GET /access/permissions always considers (RPCEnvironment::get_effective_permissions).
TOP_PATHS = frozenset({"/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms"})

# path -> privilege -> whether it propagates to the paths below. PVE answers `{path: {privilege: 1}}`,
# with 0 for a privilege that is held on the path itself only (an ACL without propagation).
Permissions = dict[str, dict[str, bool]]


async def read_permissions(client: PveClient) -> Permissions | None:
    """The login's effective privileges; None when PVE does not say (nothing is assumed then)."""
    try:
        return parse_permissions(await client.get(PERMISSIONS_PATH))
    except AuthenticationError:
        raise
    except ApiError:
        return None


def restrict(reader: Reader, permissions: Permissions, *, version: str) -> None:
    """What the login may not see or read: failures that keep it, and catalog entries not read."""
    settings = reader.client.settings
    login = Login(user=settings.auth_user, token=settings.token is not None)
    kinds = reader.options.kinds
    reader.permissions = permissions
    reader.failures += hidden_failures(permissions, kinds, user=login.user, major=major_of(version))
    reader.failures += by_design_failures(permissions, kinds, login)
    reader.not_permitted = frozenset(entry.path for entry, _ in not_permitted(permissions, kinds, login))


@dataclass(frozen=True, kw_only=True)
class Login:
    user: str  # USER@REALM, or USER@REALM!TOKENID
    token: bool

    @property
    def root(self) -> bool:
        return self.user == "root@pam" and not self.token


def parse_permissions(data: Any) -> Permissions | None:
    """`{path: {privilege: 0|1}}` as PVE answers it; None for any other shape."""
    if not isinstance(data, Mapping):
        return None
    out: Permissions = {}
    for path, privileges in data.items():
        if isinstance(privileges, Mapping):
            held = {str(name): value for name, value in privileges.items() if value is not None}
            out[str(path)] = {name: value not in (0, "0", False) for name, value in held.items()}
    return out


def holds(permissions: Permissions, path: str, privileges: tuple[str, ...], *, below: bool = False) -> bool:
    """Whether any of `privileges` is effective on `path` (with `below`: on everything under it).

    PVE lists the top-level paths and every path with an ACL, each with what is effective there, and
    leaves out a path where nothing is (NoAccess): the nearest path listed decides, a top-level path
    left out holds nothing, and a privilege reaches the paths below only where it propagates. (An
    answer without any top-level path but `/` is not PVE's own: there the nearest path decides.)
    """
    top_level_listed = any(top in permissions for top in TOP_PATHS)
    probe = path
    while probe not in permissions:
        if probe == "/" or (top_level_listed and probe in TOP_PATHS):
            return False
        probe = probe.rsplit("/", 1)[0] or "/"
    held = permissions[probe]
    inherited = probe != path or below
    return any(name in held and (held[name] or not inherited) for name in privileges)


def permitted(need: Need, permissions: Permissions, login: Login) -> bool:
    """Whether PVE answers the login at all (a filtered list always answers)."""
    if need.root:
        return login.root
    return not need.any_of or holds(permissions, need.acl, need.any_of)


def complete(need: Need, permissions: Permissions) -> bool:
    """Whether PVE's answer leaves nothing out for this login."""
    return need.filtered is None or holds(permissions, need.filtered[0], need.filtered[1], below=True)


def hidden_keys(permissions: Permissions, kind: str, vmid: int, pool: str | None) -> tuple[str, ...]:
    """The config keys of a guest PVE leaves out for this login. PVE's check_vm_perm holds a
    privilege given on /vms/<vmid> or on the guest's pool."""
    paths = [f"/vms/{vmid}"] + ([f"/pool/{pool}"] if pool else [])
    return tuple(
        key
        for key, privilege in READ_RESTRICTED.get(kind, {}).items()
        if not any(holds(permissions, path, (privilege,)) for path in paths)
    )


def hidden_keys_note(kind: str) -> ReadFailure:
    """Named once in the sync summary when PVE left keys out of some guest of `kind`."""
    keys = READ_RESTRICTED.get(kind, {})
    needs = ", ".join(f"{key} needs {privilege}" for key, privilege in keys.items())
    return ReadFailure(
        resource_id=f"{kind}/*",
        reason=f"{needs} on the guest (PVE leaves it out without it; a recorded value keeps its last state)",
        by_design=True,
    )


def entry_paths(entry: Entry) -> list[str]:
    """The endpoints one catalog entry reads."""
    source_paths = [source for source, _ in entry.sources.values()]
    return [entry.read_from[0] if entry.read_from else entry.path, *source_paths]


def rid_glob(entry: Entry) -> str:
    """The entry's resource id with `*` for what varies (`acme/plugin/*`)."""
    return "/".join("*" if "{" in part else part for part in entry.rid.split("/"))


def hidden_failures(
    permissions: Permissions, kinds: frozenset[str], *, user: str, major: int | None = None
) -> list[ReadFailure]:
    """Failures for what the login may only partly see; each keeps what was not seen.

    The declarative documents of a guest (its firewall, ...) are read only for the guests listed,
    so they are kept the same way when guests may be hidden. A storage's content lists only the
    volumes of guests the login may audit: then the content keeps its last state as a whole. A list
    recorded as one document (the ACL, TFA, a node's interfaces) keeps its last state as a whole.
    An endpoint newer than the server's PVE version (`major`) hides nothing: its privilege does not
    exist there either (PVE 7 has no Mapping.Audit).
    """
    failures = []
    for wanted, path, privileges, hidden in REQUIRED:
        if holds(permissions, path, privileges, below=True):
            continue
        lacks = f"{user} lacks {' or '.join(privileges)} on {path}"
        reason = f"{lacks}, so PVE does not list {hidden}; what it does not list keeps its last state"
        patterns = [kind for kind in wanted if kind in kinds]
        if QEMU in wanted:
            patterns += sorted(GUEST_OWNED_KINDS & kinds)
            if CONTENT in kinds:
                failures.append(
                    ReadFailure(
                        resource_id=f"{CONTENT}/*",
                        reason=f"{lacks}, so PVE lists only the volumes of the guests it may audit",
                    )
                )
        failures += [
            ReadFailure(resource_id=f"{kind}/*", reason=reason, unseen_only=True) for kind in patterns
        ]
    for entry in ENTRIES:
        if entry.kind not in kinds or entry.scope == "guest":
            continue
        for path in entry_paths(entry):
            need = need_of(path)
            if need.filtered is None or complete(need, permissions):
                continue
            if major is not None and major < need.since:
                continue
            acl, privileges = need.filtered
            whole = "{" not in entry.rid or (entry.mode != "items" and not entry.sources)
            failures.append(
                ReadFailure(
                    resource_id=rid_glob(entry),
                    reason=f"{user} lacks {' or '.join(privileges)} on {acl}, so PVE leaves out of "
                    f"{path} what it may not see; "
                    + ("it keeps its last state" if whole else "what it does not list keeps its last state"),
                    unseen_only=not whole,
                )
            )
            break
    return failures


def not_permitted(permissions: Permissions, kinds: Iterable[str], login: Login) -> list[tuple[Entry, Need]]:
    """The catalog entries of `kinds` that need more than PVEAuditor and that the login may not read."""
    wanted = set(kinds)
    out = []
    for entry in ENTRIES:
        if entry.kind not in wanted:
            continue
        for path in entry_paths(entry):
            need = need_of(path)
            if need.extra and not permitted(need, permissions, login):
                out.append((entry, need))
                break
    return out


def by_design_failures(permissions: Permissions, kinds: frozenset[str], login: Login) -> list[ReadFailure]:
    """What the login is not allowed to read by design, as failures that discovery does not read."""
    return [
        ReadFailure(
            resource_id=rid_glob(entry),
            reason=f"needs {need.text()}",
            by_design=True,
        )
        for entry, need in not_permitted(permissions, kinds, login)
    ]


__all__ = [
    "PERMISSIONS_PATH",
    "READ_RESTRICTED",
    "Login",
    "Permissions",
    "by_design_failures",
    "complete",
    "entry_paths",
    "hidden_failures",
    "hidden_keys",
    "hidden_keys_note",
    "holds",
    "not_permitted",
    "parse_permissions",
    "permitted",
    "read_permissions",
    "restrict",
    "rid_glob",
]
