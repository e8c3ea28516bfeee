"""The front page (the clusters) and each cluster's page (its nodes and guests now)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from proxstate.diff.model import natural_key
from proxstate.resources.kinds import GUEST_KINDS, NODE, kind_of
from proxstate.site.facts import guest_facts, node_facts
from proxstate.site.model import SiteData
from proxstate.site.page import Page, cluster_page, resource_page, snapshot_page


def pages(data: SiteData) -> Iterable[Page]:
    clusters = [
        {
            "name": cluster,
            "href": cluster_page(cluster),
            "guests": sum(kind_of(rid) in GUEST_KINDS for rid in data.resources.get(cluster, {})),
            "nodes": sum(kind_of(rid) == NODE for rid in data.resources.get(cluster, {})),
        }
        for cluster in data.clusters
    ]
    latest = data.snapshots[-1] if data.snapshots else None
    yield Page(
        "index.html",
        "index.html.j2",
        {
            "title": "proxstate",
            "clusters": clusters,
            "latest": latest
            and {"short": latest.short, "date": latest.date, "href": snapshot_page(latest.sha)},
            "head": data.head[:12],
        },
    )
    for cluster in data.clusters:
        yield _cluster(data, cluster)


def _vmid(resource_id: str) -> int:
    tail = resource_id.partition("/")[2]
    return int(tail) if tail.isdigit() else 0


def _cluster(data: SiteData, cluster: str) -> Page:
    resources = data.resources.get(cluster, {})
    nodes: list[dict[str, Any]] = []
    guests: list[dict[str, Any]] = []
    others: list[dict[str, str]] = []
    # Guests by VMID whatever their kind, as PVE's tree lists them; the rest by kind and id.
    for rid in sorted(resources, key=lambda rid: (kind_of(rid) in GUEST_KINDS, _vmid(rid), natural_key(rid))):
        document = resources[rid].document
        kind = kind_of(rid)
        href = resource_page(cluster, rid)
        if kind == NODE:
            nodes.append({"id": rid, "href": href, **node_facts(document)})
        elif kind in GUEST_KINDS:
            last = data.last_change(cluster, rid)
            guests.append(
                {
                    "id": rid,
                    "vmid": rid.partition("/")[2],
                    "href": href,
                    **guest_facts(document),
                    "changed": last[0].date if last else "",
                    "changed_href": snapshot_page(last[0].sha) if last else "",
                    "actor": (last[1].actor or "unattributed") if last else "",
                }
            )
        else:
            others.append({"id": rid, "href": href, "kind": kind})
    return Page(
        cluster_page(cluster),
        "cluster.html.j2",
        {
            "title": f"Cluster {cluster}",
            "cluster": cluster,
            "nodes": nodes,
            "guests": guests,
            "others": others,
        },
    )
