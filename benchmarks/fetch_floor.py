"""The fetch floor: the GET requests of one sync, sent by a bare httpx loop that ignores the answers.

    BENCH_URL=https://127.0.0.1:PORT BENCH_TOKEN='USER@REALM!ID=SECRET' BENCH_CA=cert.pem \\
        python benchmarks/fetch_floor.py PATHS_FILE --concurrency 4

PATHS_FILE lists one request path (with its query string) a line, as the server saw them during a
sync. They are sent in that order by `--concurrency` workers over as many kept-alive connections,
with no dependency between them: no real client can be faster at this concurrency. Prints the
number of requests sent and how many answered with an error.

With `--node-concurrency K` the paths are grouped by the node that serves them (`/nodes/X/...`; a
cluster-wide path by the node the client talks to, `--home`), each node's paths sent by K workers of
its own, and `--concurrency` bounds the total: proxstate's own scheduling (proxstate/api/slots.py),
without its parsing, normalizing and committing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx


def node_of(path: str, home: str) -> str:
    parts = path.split("/")
    return parts[4] if len(parts) > 4 and parts[3] == "nodes" and parts[4] else home


async def fetch(
    url: str,
    token: str,
    ca: str,
    paths: list[str],
    concurrency: int,
    *,
    node_concurrency: int | None = None,
    home: str = "pve1",
) -> tuple[int, int]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"PVEAPIToken={token}", "Accept": "application/json"}
    sent = 0
    failed = 0
    slots = asyncio.Semaphore(concurrency)
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(node_of(path, home) if node_concurrency else "", []).append(path)
    async with httpx.AsyncClient(
        base_url=url,
        verify=ssl.create_default_context(cafile=ca),
        limits=limits,
        headers=headers,
        trust_env=False,
    ) as client:

        async def worker(pending: Iterator[str]) -> None:
            nonlocal sent, failed
            for path in pending:  # shared by the group's workers: each path is sent once
                async with slots:
                    response = await client.get(url + path)
                    await response.aread()
                sent += 1
                failed += response.is_error

        workers = []
        for group in groups.values():
            pending = iter(group)
            workers += [worker(pending) for _ in range(node_concurrency or concurrency)]
        await asyncio.gather(*workers)
    return sent, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", type=Path)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--node-concurrency", type=int, help="requests in flight on one node at most")
    parser.add_argument("--home", default="pve1", help="the node that serves cluster-wide paths")
    args = parser.parse_args()
    paths = [line for line in args.paths.read_text(encoding="utf-8").splitlines() if line]
    sent, failed = asyncio.run(
        fetch(
            os.environ["BENCH_URL"],
            os.environ["BENCH_TOKEN"],
            os.environ["BENCH_CA"],
            paths,
            args.concurrency,
            node_concurrency=args.node_concurrency,
            home=args.home,
        )
    )
    print(f"requests: {sent} errors: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
