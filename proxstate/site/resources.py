"""A page per recorded resource: its document now and its history, newest first."""

from __future__ import annotations

from collections.abc import Iterable

from proxstate.resources.kinds import GUEST_KINDS, kind_of
from proxstate.site.facts import guest_name, text
from proxstate.site.model import Resource, SiteData
from proxstate.site.page import Page, cluster_page, entry, resource_page


def pages(data: SiteData) -> Iterable[Page]:
    for cluster in data.clusters:
        for resource in data.resources.get(cluster, {}).values():
            yield _page(data, resource)


def _name(resource: Resource) -> str:
    if kind_of(resource.resource_id) in GUEST_KINDS:
        return guest_name(resource.document)
    return text(resource.document.get("name")) if isinstance(resource.document.get("name"), str) else ""


def _page(data: SiteData, resource: Resource) -> Page:
    path = resource_page(resource.cluster, resource.resource_id)
    history = data.history.get((resource.cluster, resource.resource_id), [])
    return Page(
        path,
        "resource.html.j2",
        {
            "title": resource.resource_id,
            "resource_id": resource.resource_id,
            "name": _name(resource),
            "cluster": resource.cluster,
            "cluster_href": cluster_page(resource.cluster),
            "path": resource.path,
            "text": resource.text,
            "changes": [entry(data, snapshot, change, page=path) for snapshot, change in history],
            "since": data.since,
        },
    )
