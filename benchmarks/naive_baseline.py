"""The naive baseline: the script an administrator writes to keep guest configs in Git.

    BENCH_HOST=127.0.0.1 BENCH_PORT=PORT BENCH_TOKEN='USER@REALM!ID=SECRET' BENCH_CA=cert.pem \\
        python benchmarks/naive_baseline.py REPO

proxmoxer, one call after the other: the nodes, each node's VMs and containers, each guest's config;
one YAML file per guest (PyYAML), then `git add -A && git commit` in REPO (an existing Git
repository). It reads less than a sync (no pending changes, snapshots, storage or tasks) and
normalizes nothing. Prints the number of API requests it made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from proxmoxer import ProxmoxAPI


def main() -> int:
    repo = Path(sys.argv[1])
    user, _, rest = os.environ["BENCH_TOKEN"].partition("!")
    token_name, _, token_value = rest.partition("=")
    pve = ProxmoxAPI(
        os.environ["BENCH_HOST"],
        port=int(os.environ["BENCH_PORT"]),
        user=user,
        token_name=token_name,
        token_value=token_value,
        verify_ssl=os.environ["BENCH_CA"],
    )
    requests = 0
    nodes = pve.nodes.get()
    requests += 1
    for node in nodes:
        name = node["node"]
        for kind in ("qemu", "lxc"):
            guests = getattr(pve.nodes(name), kind).get()
            requests += 1
            folder = repo / name / kind
            folder.mkdir(parents=True, exist_ok=True)
            for guest in guests:
                config = getattr(pve.nodes(name), kind)(guest["vmid"]).config.get()
                requests += 1
                config.pop("digest", None)
                with open(folder / f"{guest['vmid']}.yaml", "w", encoding="utf-8") as out:
                    yaml.safe_dump(config, out, default_flow_style=False, sort_keys=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    # Nothing to commit is not an error for this script.
    subprocess.run(["git", "commit", "-q", "-m", "snapshot"], cwd=repo, check=False)
    print(f"requests: {requests}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
