"""The cost of the secret detector: normalizing the benchmark's 5,000-guest inventory with and without it.

    .venv/bin/python benchmarks/detector_bench.py [--guests 5000] [--rounds 3]

Guests are those of the sync benchmark (benchmarks/fakeserver.py), each with a snapshot list and a
pending change; one in ten has a longer free-text description. Prints CPU seconds per normalization
without the detector, with it (cold cache: first sync of a process) and the share it adds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeserver import guests

import proxstate.normalize.documents as documents
from proxstate.normalize import NormalizeOptions, normalize_inventory
from proxstate.normalize.detector import find_secrets
from proxstate.resources.inventory import Inventory, RawCluster, RawGuest

PROSE = (
    "Production web frontend behind the load balancer. Maintenance window: Sunday 02:00-04:00.\n"
    "Contact the infrastructure team before rebooting; certificates renewed automatically.\n"
)


def inventory(count: int) -> Inventory:
    raw = []
    for index, guest in enumerate(guests(count, 16)):
        config: dict[str, Any] = dict(guest["config"])
        if index % 10 == 0:
            config["description"] = PROSE + f"ticket INFRA-{index}\n"
        raw.append(
            RawGuest(
                kind=guest["type"],
                vmid=guest["vmid"],
                node=guest["node"],
                resource={"name": guest["name"], "status": guest["status"], "vmid": guest["vmid"]},
                config=config,
                pending=[{"key": "cores", "value": 2, "pending": 4}] if index % 50 == 0 else [],
                snapshots=[{"name": "pre", "snaptime": 1767225600, "description": "before upgrade"}],
            )
        )
    return Inventory(cluster=RawCluster(name="bench", version={}, status=[]), guests=raw)


def timed(inv: Inventory, options: NormalizeOptions) -> float:
    start = time.process_time()
    normalize_inventory(inv, options=options)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    options = NormalizeOptions(mask_secret=b"bench")
    # documents calls scrub_document by the name it imported: that name is what gets replaced.
    scrub = getattr(documents, "scrub_document")  # noqa: B009 - not an export of documents
    without: list[float] = []
    cold: list[float] = []
    for _ in range(args.rounds):
        setattr(documents, "scrub_document", lambda *a, **k: [])  # noqa: B010 - as above
        without.append(timed(inventory(args.guests), options))
        setattr(documents, "scrub_document", scrub)  # noqa: B010 - as above
        find_secrets.cache_clear()
        cold.append(timed(inventory(args.guests), options))
    base, with_detector = min(without), min(cold)
    print(f"guests: {args.guests}")
    print(f"normalize without the detector: {base:.3f} s")
    print(f"normalize with the detector:    {with_detector:.3f} s")
    print(f"detector: +{with_detector - base:.3f} s ({(with_detector - base) / base:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
