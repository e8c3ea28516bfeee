"""One change of one resource, as the history of a resource page and a snapshot page list it."""

from __future__ import annotations

from typing import Any

from proxstate.site.model import Change, SiteData, Snapshot
from proxstate.site.page import resource_page, root_of, snapshot_page


def commit_href(data: SiteData, snapshot: Snapshot, page: str) -> str:
    """The commit's page on the forge when one is known, else the snapshot's page of the site."""
    return data.commit_url(snapshot.sha) or root_of(page) + snapshot_page(snapshot.sha)


def entry(data: SiteData, snapshot: Snapshot, change: Change, *, page: str) -> dict[str, Any]:
    return {
        "action": change.action,
        "classes": change.classes,
        "actor": change.actor,
        "attributions": change.attributions,
        "rows": change.rows,
        "date": snapshot.date,
        "sha": snapshot.short,
        "snapshot_href": snapshot_page(snapshot.sha),
        "commit_href": commit_href(data, snapshot, page),
        "resource_id": change.resource_id,
        # A resource the record no longer holds has no page: its id is shown without a link.
        "resource_href": resource_page(change.cluster, change.resource_id)
        if change.resource_id in data.resources.get(change.cluster, {})
        else "",
        "name": change.name,
    }
