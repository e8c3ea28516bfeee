"""`discover-* --verbose` masks what the record masks, in every format.

The container's `env` comes back in clear from GET .../lxc/{vmid}/pending for a token with
VM.Config.Options (pve-container's `vm_pending` filters it only through
`delete_read_restricted_options`); the VM's description holds a pasted password; the storage
definition a proxy URL with credentials.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.answers import rewrite_data

DB_PASSWORD = "db-pw-Axolotl-17"
ROOT_PASSWORD = "Hunter2-Lemur-88"
PROXY_PASSWORD = "Pr0xy-Secret-Walrus"


@pytest.fixture
def secret_cluster(small_cluster: Any) -> Any:
    small_cluster.ct(200).config["env"] = f"DB_PASSWORD={DB_PASSWORD}\0DB_HOST=db1"
    small_cluster.vm(101).config["description"] = f"web\nroot password: {ROOT_PASSWORD}\n"

    def storage_with_proxy(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**s, "comment": f"mirror http://u:{PROXY_PASSWORD}@proxy:3128/"} for s in data]

    rewrite_data(small_cluster, "/api2/json/storage", storage_with_proxy)
    return small_cluster


@pytest.mark.parametrize("fmt", ["table", "json", "yaml"])
def test_discover_verbose_masks_like_the_record(
    pve_env: dict[str, str], cli: Any, secret_cluster: Any, monkeypatch: Any, fmt: str
) -> None:
    monkeypatch.setenv("PROXSTATE_MASK_KEY", "mask-key")
    outputs = []
    for command in ("discover-containers", "discover-vms", "discover-storage", "discover-all"):
        result = cli(command, "--verbose", "--format", fmt)
        assert result.code == 0, result.err
        outputs.append(result.out + result.err)
    text = "\n".join(outputs)
    for secret in (DB_PASSWORD, ROOT_PASSWORD, PROXY_PASSWORD):
        assert secret not in text
    if fmt != "table":
        assert "<masked:" in outputs[0]  # env
        assert "root password: <masked:" in outputs[1]
        assert "http://u:<masked:" in outputs[2]
