"""Defence in depth: the secret detector masks what no key rule knows, lists it, and obeys allow_secrets.

`/cluster/options` answers as pve-manager's `get_options` (API2/Cluster.pm) does: datacenter.cfg as
it is, `http_proxy` with its credentials (the schema's own example is
`http://username:password@host:port/`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.answers import rewrite_data
from tests.helpers.repo import git

PROXY_PASSWORD = "Pr0xy-Secret-Walrus"
ROOT_PASSWORD = "Hunter2-Lemur-88"
GITHUB_TOKEN = "ghp_" + "Zq3xW9kLm2Np8Rt5Vb7Yc1Hd4Jf6Gs0Ae2Ui"


def _proxy(host: str) -> Any:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "http_proxy": f"http://proxyuser:{PROXY_PASSWORD}@{host}:3128/"}

    return change


def test_proxy_credentials_are_masked_and_a_new_proxy_host_still_shows(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PROXSTATE_MASK_KEY", "mask-key")
    rewrite_data(small_cluster, "/cluster/options", _proxy("proxy"))
    first = cli("sync", "-C", str(state_repo), "--only", "cluster-options")
    assert first.code == 0, first.err
    options = (state_repo / "clusters" / "lab" / "cluster-options.yaml").read_text()
    assert "http_proxy: http://proxyuser:<masked:" in options
    assert ">@proxy:3128/" in options
    assert "cluster-options config.http_proxy: URL credentials" in first.out

    rewrite_data(small_cluster, "/cluster/options", _proxy("proxy2"))
    second = cli("sync", "-C", str(state_repo), "--only", "cluster-options")
    assert second.code == 0, second.err
    changes = cli("show-changes", "-C", str(state_repo))
    assert "http_proxy" in changes.out and "proxy2" in changes.out
    everything = git(state_repo, "log", "-p", "--all") + first.out + second.out + changes.out
    assert PROXY_PASSWORD not in everything


def test_descriptions_are_scrubbed_listed_and_false_positives_allowed(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    small_cluster.vm(101).config["description"] = f"web server\nroot password: {ROOT_PASSWORD}\n"
    small_cluster.vm(102).config["description"] = "password: see the team vault"
    small_cluster.ct(200).config["description"] = f"deploy with {GITHUB_TOKEN} (read-only)"
    config = state_repo / "proxstate.yaml"
    rule = (
        "allow_secrets:\n  - resource: qemu/102\n    field: config.description\n"
        "    reason: names where the password is, holds none\n"
    )
    config.write_text(config.read_text().replace("allow_secrets: []\n", rule))
    git(state_repo, "commit", "-qam", "allow the vault note")

    result = cli("sync", "-C", str(state_repo), "--only", "qemu,lxc")
    assert result.code == 0, result.err
    recorded = state_repo / "clusters" / "lab"
    vm = (recorded / "qemu" / "101.yaml").read_text()
    ct = (recorded / "lxc" / "200.yaml").read_text()
    assert "root password: <masked>" in vm and "web server" in vm
    assert "deploy with <masked> (read-only)" in ct
    assert "password: see the team vault" in (recorded / "qemu" / "102.yaml").read_text()
    assert "masked 2 values that look like secrets" in result.out
    assert "qemu/101 config.description: Secret Keyword" in result.out
    assert "lxc/200 config.description: GitHub Token" in result.out
    assert "qemu/102" not in result.out
    everything = git(state_repo, "log", "-p", "--all") + result.out + result.err
    assert ROOT_PASSWORD not in everything and GITHUB_TOKEN not in everything
