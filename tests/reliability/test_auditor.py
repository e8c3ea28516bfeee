"""The token docs/getting-started.md recommends: exactly the PVEAuditor role on `/`.

The fake answers as PVE's handlers do where proxstate depends on it (fakepve checks the schema's
permissions blocks, which already refuse ACME plugins without Sys.Modify and another user's tokens
without User.Modify):

- `GET /access/permissions` as pve-access-control's RPCEnvironment::get_effective_permissions: the
  top-level paths (`/`, `/access`, `/access/groups`, `/nodes`, `/pool`, `/sdn`, `/storage`, `/vms`)
  each with the privileges effective there, 1 where they propagate;
- `GET /access/users/{userid}` as API2/User.pm's read_user: `extract_user_data($data, 1)` returns
  the user's API tokens as `tokens: {tokenid: {comment, expire, privsep}}`;
- `GET /cluster/acme/account/{name}` has no permissions block, so RPCEnvironment's
  check_api2_permissions refuses every login but `root@pam` (`user != root@pam`), tokens included;
- `GET /access/acl` as API2/ACL.pm's read_acl: without Sys.Audit on /access, only the ACL entries
  on paths where the login may modify permissions (none for an auditor).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from proxstate import yamlio
from tests.helpers.answers import rewrite_data
from tests.helpers.auditor import AUDITOR, SECRET, TOKEN, TOP_PATHS, effective, held_by, separate_privileges
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET
from tests.helpers.repo import assert_consistent, committed, git


def test_an_auditor_token_syncs_and_drifts_clean(state_repo: Path, cli: Any, auditor: Any) -> None:
    first = cli("sync", "-C", str(state_repo))
    assert first.code == 0, first.out + first.err
    said = first.out + first.err
    assert said.count("acme/plugin/*") == 1 and "Sys.Modify on /" in said
    assert said.count("acme/account/*") == 1 and "root@pam password login" in said
    assert "kept the last state" not in said
    assert not (state_repo / "clusters/lab/acme").exists()
    # Every user's tokens, read from the user (Sys.Audit), not from .../token (User.Modify or self).
    tokens = yamlio.load((state_repo / "clusters/lab/access/tokens/root@pam.yaml").read_text())
    assert tokens["entries"] == {"proxstate": {"comment": "state recorder", "expire": 0, "privsep": True}}
    again = cli("sync", "-C", str(state_repo))
    assert again.code == 0, again.err
    assert "lab: no changes" in again.out
    drift = cli("drift", "-C", str(state_repo))
    assert drift.code == 0, drift.out + drift.err
    assert "Could not be read" not in drift.out
    assert_consistent(state_repo)


def test_a_privilege_lost_after_recording_keeps_the_last_state(
    state_repo: Path, cli: Any, auditor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded with a root@pam token (which may read ACME plugins), then synced with the auditor."""
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN_ID}={TOKEN_SECRET}")
    held, auditor["held"] = auditor["held"], None
    assert cli("sync", "-C", str(state_repo)).code == 0
    auditor["held"] = held
    before = committed(state_repo)
    plugins = [path for path in before if path.startswith("clusters/lab/acme/plugin/")]
    assert plugins
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN}={SECRET}")
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3, result.out + result.err
    assert "acme/plugin/*" in result.err and "Sys.Modify" in result.err
    after = committed(state_repo)
    for path in plugins:
        assert after[path] == before[path]
    drift = cli("drift", "-C", str(state_repo))
    assert drift.code == 3 and "acme/plugin/*" in drift.out
    # The administrator accepts it: excluded records are removed, and the syncs are clean again.
    config = state_repo / "proxstate.yaml"
    config.write_text(config.read_text().replace("exclude: []", 'exclude: ["acme/plugin/*"]', 1))
    git(state_repo, "commit", "-qam", "leave ACME plugins out")
    excluded = cli("sync", "-C", str(state_repo))
    assert excluded.code == 0, excluded.out + excluded.err
    assert not any(path.startswith("clusters/lab/acme/plugin/") for path in committed(state_repo))
    assert "acme/plugin" not in excluded.out + excluded.err
    assert_consistent(state_repo)


def test_an_acl_list_filtered_by_privilege_is_kept(
    state_repo: Path, cli: Any, auditor: dict[str, Any], small_cluster: Any
) -> None:
    """NoAccess on /access: PVE leaves /access and /access/groups out of the effective privileges,
    and read_acl lists nothing. The recorded ACL is not recorded as emptied."""
    assert cli("sync", "-C", str(state_repo)).code == 0
    acl = (state_repo / "clusters/lab/access/acl.yaml").read_bytes()
    assert b"entries: []" not in acl
    auditor["held"] = {path: held for path, held in auditor["held"].items() if not path.startswith("/access")}
    rewrite_data(small_cluster, "/access/acl", lambda _: [])
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3, result.out + result.err
    assert "access/acl" in result.err and "Sys.Audit on /access" in result.err
    assert (state_repo / "clusters/lab/access/acl.yaml").read_bytes() == acl
    assert committed(state_repo)["clusters/lab/access/acl.yaml"] == acl
    assert_consistent(state_repo)


def test_check_token_names_what_an_auditor_may_not_read(
    state_repo: Path, cli: Any, auditor: Any, small_cluster: Any
) -> None:
    result = cli("check-token", "-C", str(state_repo), "--format", "json")
    assert result.code == 0, result.out + result.err
    (check,) = json.loads(result.out)["clusters"]
    assert check["login"] == TOKEN and check["clean"] is True and check["surplus"] == []
    assert check["version"] == small_cluster.version
    status = {kind["kind"]: kind for kind in check["kinds"]}
    assert {name for name, kind in status.items() if kind["status"] != "full"} == {
        "acme",
        "lxc",
        "cluster-log",
    }
    assert status["acme"]["status"] == "none"
    # pve-manager Cluster.pm `log`: every login may ask, and sees only its own entries without
    # Sys.Syslog on / (an extra: attribution of others' changes is what it costs).
    assert [(g["endpoint"], g["needs"], g["partly"], g["extra"]) for g in status["cluster-log"]["gaps"]] == [
        ("/cluster/log", "Sys.Syslog on /", True, True)
    ]
    # pve-container's delete_read_restricted_options: `env` only with VM.Config.Options.
    assert status["lxc"]["status"] == "partial"
    assert [(gap["needs"], gap["extra"]) for gap in status["lxc"]["gaps"]] == [
        ("VM.Config.Options on /vms (PVE leaves `env` out without it)", True)
    ]
    assert {(gap["resources"], gap["needs"], gap["extra"]) for gap in status["acme"]["gaps"]} == {
        ("acme/plugin/*", "Sys.Modify on /", True),
        (
            "acme/account/*",
            "the root@pam password login (no API token, not even root@pam's)",
            True,
        ),
    }
    text = cli("check-token", "-C", str(state_repo))
    assert text.code == 0
    assert "acme/plugin/*: needs Sys.Modify on /" in text.out
    assert "lxc/*: needs VM.Config.Options on /vms (PVE leaves `env` out without it)" in text.out
    assert "records in full: cluster, node, qemu" in text.out
    assert "holds more" not in text.out
    assert "cluster-log/*: needs Sys.Syslog on /" in text.out


def test_check_token_names_privileges_a_reader_does_not_need(
    state_repo: Path, cli: Any, auditor: dict[str, Any]
) -> None:
    """A token given PVEVMAdmin on /vms besides: proxstate only reads, so that is a risk to point out."""
    auditor["held"] = {**auditor["held"], "/vms": (*AUDITOR, "VM.Allocate", "VM.PowerMgmt")}
    result = cli("check-token", "-C", str(state_repo))
    assert result.code == 0, result.out + result.err
    assert "holds more than proxstate asks for" in result.out
    assert "VM.Allocate, VM.PowerMgmt" in result.out


def test_check_token_of_a_token_whose_user_holds_nothing(state_repo: Path, cli: Any, auditor: Any) -> None:
    """Privilege separation gives a token the intersection of its ACL and its user's (pve-access-control
    RPCEnvironment: 'intersect user and token permissions'): PVEAuditor given to the token alone is
    nothing, and PVE's effective privileges are empty."""
    auditor["held"] = {}
    result = cli("check-token", "-C", str(state_repo))
    assert result.code == 3, result.out + result.err
    assert "cluster/*: cannot read /cluster/status; needs Sys.Audit on /" in result.out
    assert "qemu/*: lists only part of /cluster/resources; needs VM.Audit on /vms" in result.out


def test_bridges_hidden_without_sdn_audit_are_not_recorded_as_removed(
    state_repo: Path, cli: Any, auditor: dict[str, Any], small_cluster: Any
) -> None:
    """pve-manager API2/Network.pm index (PVE 8+): a bridge is listed only with SDN.Audit or SDN.Use
    on /sdn/zones/localnetwork/<bridge>; without them (NoAccess on /sdn) PVE leaves it out."""
    assert cli("sync", "-C", str(state_repo)).code == 0
    network = (state_repo / "clusters/lab/network/pve1.yaml").read_bytes()
    assert b"vmbr0" in network
    auditor["held"] = {path: held for path, held in auditor["held"].items() if path != "/sdn"}

    def without_bridges(data: Any) -> Any:
        return [iface for iface in data if iface.get("type") not in ("bridge", "OVSBridge")]

    rewrite_data(small_cluster, "/network", without_bridges)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3, result.out + result.err
    assert "network/*" in result.err and "SDN.Audit" in result.err
    assert (state_repo / "clusters/lab/network/pve1.yaml").read_bytes() == network
    assert_consistent(state_repo)


# The endpoints proxstate reads that PVE 7.4 does not have (the schema's endpoint list).
NEWER_THAN_7 = (
    "/cluster/mapping/pci",
    "/cluster/mapping/usb",
    "/cluster/mapping/dir",
    "/cluster/notifications/endpoints/gotify",
    "/cluster/notifications/endpoints/sendmail",
    "/cluster/notifications/endpoints/smtp",
    "/cluster/notifications/endpoints/webhook",
    "/cluster/notifications/matchers",
    "/cluster/jobs/realm-sync",
    "/cluster/ha/rules",
    "/cluster/sdn/fabrics/all",
)


def test_an_auditor_token_on_pve_7(
    state_repo: Path, cli: Any, auditor: dict[str, Any], small_cluster: Any
) -> None:
    """PVE 7.4 has no resource mappings, so PVEAuditor there has no Mapping.Audit (pve-access-control
    7's AccessControl.pm has no Mapping group); the paths it does not have answer 501 as
    pve-http-server does for an unknown method."""
    small_cluster.version, small_cluster.release_version = "7.4-17", "7.4"
    auditor["held"] = dict.fromkeys(TOP_PATHS, tuple(p for p in AUDITOR if p != "Mapping.Audit"))
    for path in NEWER_THAN_7:
        small_cluster.fail("GET", path, 501, f"Method 'GET {path}' not implemented")
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.out + result.err
    assert "Mapping.Audit" not in result.out + result.err
    assert not (state_repo / "clusters/lab/mapping").exists()
    assert cli("drift", "-C", str(state_repo)).code == 0
    check = cli("check-token", "-C", str(state_repo))
    assert check.code == 0 and "Mapping" not in check.out, check.out


def test_the_getting_started_commands(
    state_repo: Path, cli: Any, small_cluster: Any, pve_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PVEAuditor given to a privilege-separated token alone gives it nothing (PVE intersects it with
    its user's ACL): every read is refused. Given to the user as well, as docs/getting-started.md
    says, the sync is clean."""
    small_cluster.apitokens[TOKEN] = SECRET
    separate_privileges(small_cluster)
    small_cluster.grant(TOKEN, "/", *AUDITOR)  # pveum acl modify / --tokens ... --roles PVEAuditor
    rewrite_data(small_cluster, "/access/permissions", lambda _: effective(held_by(small_cluster, TOKEN)))
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN}={SECRET}")
    check = cli("check-token", "-C", str(state_repo))
    assert check.code == 3 and "cluster/*: cannot read /cluster/status; needs Sys.Audit on /" in check.out
    refused = cli("sync", "-C", str(state_repo))
    # PVE refuses /cluster/status (exit 1); fakepve answers it to anyone (exit 3, the rest refused).
    assert refused.code in (1, 3) and "Sys.Audit" in refused.err, refused.err
    small_cluster.grant("proxstate@pve", "/", *AUDITOR)  # pveum acl modify / --users ... --roles PVEAuditor
    assert cli("check-token", "-C", str(state_repo)).code == 0
    synced = cli("sync", "-C", str(state_repo))
    assert synced.code == 0, synced.out + synced.err
    assert cli("drift", "-C", str(state_repo)).code == 0
