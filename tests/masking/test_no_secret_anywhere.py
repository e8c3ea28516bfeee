"""A cluster full of secrets, answered as PVE's handlers answer: after syncs, reports, drift and live
views, no secret is in the work tree, the history, the commit messages or any command's output.

- GET .../qemu/{vmid}/pending (`vm_pending`, qemu-server API2/Qemu.pm) answers `cipassword` as
  `**********`; GET .../snapshot/{snap}/config (`get_snapshot_config`) returns it as stored, in
  clear for a Windows guest;
- pve-container's `vm_pending` and `get_snapshot_config` return the container's `env` (the token
  here has VM.Config.Options);
- GET /cluster/options (`get_options`, pve-manager API2/Cluster.pm) returns datacenter.cfg as it
  is, `http_proxy` with its credentials;
- descriptions hold what administrators paste: a root password, a token, proxy credentials.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.answers import hide_cipassword, rewrite_data
from tests.helpers.cli import TOKEN_SECRET
from tests.helpers.repo import repository_text

MASK_KEY = "mask-key-Capybara-31"
WINDOWS_PW = ["Winter-Pa55-cloudinit", "Spring-Pa55-cloudinit"]
ROOT_PW = ["Hunter2-Lemur-88", "Hunter3-Lemur-99"]
DB_PW = ["db-pw-Quokka-42", "db-pw-Quokka-43"]
PROXY_PW = ["Pr0xy-Secret-Walrus", "Pr0xy-Secret-Narwhal"]
GITHUB_TOKEN = "ghp_" + "Zq3xW9kLm2Np8Rt5Vb7Yc1Hd4Jf6Gs0Ae2Ui"
SECRETS = [*WINDOWS_PW, *ROOT_PW, *DB_PW, *PROXY_PW, GITHUB_TOKEN, MASK_KEY, TOKEN_SECRET]


def _set_secrets(pve: Any, round_no: int) -> None:
    vm = pve.vm(101)
    vm.config.update(
        ostype="win11",
        cipassword=WINDOWS_PW[round_no],
        description=f"web\nroot password: {ROOT_PW[round_no]}\n",
    )
    ct = pve.ct(200)
    ct.config["env"] = f"DB_PASSWORD={DB_PW[round_no]}\0DB_HOST=db1"
    ct.config["description"] = f"mirror via http://mirror:{PROXY_PW[round_no]}@proxy:3128/"
    if round_no == 0:
        vm.snapshots["pre"] = {**vm.config, "snaptime": 1767225600, "description": f"ci {GITHUB_TOKEN}"}
        vm.config["parent"] = "pre"
        ct.snapshots["pre"] = {**ct.config, "snaptime": 1767225600}
        ct.config["parent"] = "pre"
    proxy = f"http://proxyuser:{PROXY_PW[round_no]}@proxy{round_no}:3128/"
    rewrite_data(pve, "/cluster/options", lambda data: {**data, "http_proxy": proxy})


def test_no_secret_in_the_record_its_history_or_any_output(
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Any,
    small_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PROXSTATE_MASK_KEY", MASK_KEY)
    rewrite_data(small_cluster, "/qemu/101/pending", hide_cipassword)
    repo = str(state_repo)
    _set_secrets(small_cluster, 0)
    results = [cli("sync", "-C", repo)]
    assert results[0].code == 0, results[0].err
    _set_secrets(small_cluster, 1)
    results.append(cli("--debug", "sync", "-C", repo))
    assert results[1].code == 0, results[1].err
    _set_secrets(small_cluster, 0)  # the live cluster drifts back to the first secrets
    for fmt in ("text", "json", "markdown"):
        results.append(cli("show-changes", "-C", repo, "--format", fmt))
        results.append(cli("log", "qemu/101", "-C", repo, "--format", fmt))
        results.append(cli("--debug", "drift", "-C", repo, "--format", fmt))
    for fmt in ("table", "json", "yaml"):
        for command in ("discover-vms", "discover-containers"):
            results.append(cli(command, "-C", repo, "--verbose", "--format", fmt))
    results.append(cli("show", "snapshot-config/qemu/101/pre", "-C", repo))
    scanned = cli("scan", "-C", repo)
    results.append(scanned)

    assert scanned.code == 0, scanned.out
    assert all(r.code in (0, 2) for r in results), [(r.code, r.err) for r in results if r.code not in (0, 2)]
    changes = "".join(r.out for r in results[2:5])
    # The changes are seen, not their values (cipassword itself never changes: PVE hides it).
    assert "http_proxy" in changes and "description" in changes and "env" in changes
    record = state_repo / "clusters" / "lab"
    assert "cipassword: <masked:" in (record / "snapshot-config" / "qemu" / "101" / "pre.yaml").read_text()
    assert "env: <masked:" in (record / "snapshot-config" / "lxc" / "200" / "pre.yaml").read_text()
    outputs = "\n".join(r.out + r.err for r in results)
    for haystack, where in (
        (repository_text(state_repo), "repository"),
        (outputs, "output"),
        (caplog.text, "debug log"),
    ):
        for secret in SECRETS:
            assert secret not in haystack, f"{secret} in the {where}"
