"""Config keys PVE leaves out for a login without a privilege on the guest.

The fake answers as pve-container does: API2/LXC/Config.pm's vm_config and API2/LXC.pm's
vm_pending pass the config through LXC.pm's delete_read_restricted_options, which drops `env`
(`$options_with_restricted_read = { env => 'VM.Config.Options' }`) unless check_vm_perm grants
VM.Config.Options on /vms/<vmid> or the guest's pool. A snapshot's config (API2/LXC/Snapshot.pm)
is not filtered. qemu-server has no such key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aiohttp import web
from fakepve.server import USER

from proxstate import yamlio
from tests.helpers import auditor as auditors
from tests.helpers.repo import assert_consistent, committed

READ_PATH = re.compile(r"/nodes/[^/]+/lxc/(\d+)/(config|pending)$")


def answer_env_as_pve_container(pve: Any) -> None:
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        found = READ_PATH.search(request.path)
        if found is None or response.status != 200:
            return response
        if pve.allowed(request[USER] or "root@pam", f"/vms/{found[1]}", "VM.Config.Options"):
            return response
        body = json.loads(response.text)
        data = body["data"]
        if isinstance(data, dict):
            data.pop("env", None)
        else:
            body["data"] = [entry for entry in data if entry.get("key") != "env"]
        return web.json_response(body)

    pve._answer = answer


def test_env_hidden_from_an_auditor_keeps_its_last_value(
    state_repo: Path, cli: Any, auditor: dict[str, Any], small_cluster: Any
) -> None:
    """Recorded while the token also held VM.Config.Options on /vms, then synced with the
    auditor role alone: `env` and its pending value are not recorded as removed, and the summary
    says why once."""
    small_cluster.ct(200).config["env"] = "DB_HOST=db1\0DB_PASSWORD=hunter2-secret"
    small_cluster.ct(200).pending["env"] = "DB_HOST=db2\0DB_PASSWORD=hunter2-secret"  # at next start
    answer_env_as_pve_container(small_cluster)
    held = auditor["held"]
    for who in ("proxstate@pve", auditors.TOKEN):
        small_cluster.grant(who, "/vms", "VM.Config.Options")
    auditor["held"] = {**held, "/vms": (*auditors.AUDITOR, "VM.Config.Options")}
    check = cli("check-token", "-C", str(state_repo))
    assert check.code == 0 and "VM.Config.Options" not in check.out, check.out
    first = cli("sync", "-C", str(state_repo))
    assert first.code == 0, first.out + first.err
    assert "VM.Config.Options" not in first.out + first.err
    path = "clusters/lab/lxc/200.yaml"
    before = committed(state_repo)[path]
    document = yamlio.load(before.decode())
    assert "env" in document["config"] and list(document["pending"]) == ["env"]
    assert b"hunter2" not in before

    for who in ("proxstate@pve", auditors.TOKEN):
        small_cluster.acl[who] = [grant for grant in small_cluster.acl[who] if grant[0] != "/vms"]
    auditor["held"] = held
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.out + result.err
    said = result.out + result.err
    assert said.count("env needs VM.Config.Options") == 1, said
    assert "lab: no changes" in result.out
    assert committed(state_repo)[path] == before
    drift = cli("drift", "-C", str(state_repo))
    assert drift.code == 0, drift.out + drift.err
    assert_consistent(state_repo)
