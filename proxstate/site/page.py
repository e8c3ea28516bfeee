"""A page of the site, and where each kind of page lives.

A page module (site/front.py, site/resources.py, ...) exposes `pages(data: SiteData) ->
Iterable[Page]`; site/build.py renders each page with its template and writes it. Every path is
relative to the site's root and made only of parts that are safe as file names: a resource's page
is its record file's path with `.html` for `.yaml` (the store's own escaping, store/layout.py), so a
name from the API can neither leave the site nor collide with another page. `entry` is one change
of a resource as the pages list it, with its links to the snapshot, the commit and the resource.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from proxstate.site.model import Change, SiteData, Snapshot
from proxstate.store.layout import SUFFIX, cluster_dir, document_path


@dataclass(frozen=True)
class Page:
    """One HTML page: its path below the site's root, its template and what the template reads
    (`root`, the way back to the site's root, is added when it is rendered)."""

    path: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class PageModule(Protocol):
    def pages(self, data: SiteData) -> Iterable[Page]: ...


def root_of(path: str) -> str:
    """The relative way from the page at `path` to the site's root: `../../` for
    `clusters/lab/qemu/101.html`, "" for `index.html` (the site works under any sub-path and from
    file://)."""
    return "../" * path.count("/")


def cluster_page(cluster: str) -> str:
    return f"{cluster_dir(cluster)}/index.html"


def resource_page(cluster: str, resource_id: str) -> str:
    """`clusters/<cluster>/<kind>/<id>.html`: the path of the record's file with `.html`."""
    path = str(document_path(cluster, resource_id))
    return path.removesuffix(SUFFIX) + ".html"


def snapshot_page(sha: str) -> str:
    return f"snapshots/{sha}.html"


SEARCH_INDEX = "search-index.js"
TIMELINE = "timeline.html"
DRIFT = "drift.html"
POLICY = "policy.html"


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
