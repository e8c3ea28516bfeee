"""A page per snapshot: its change report (what show-changes says of that commit), each change
with its actor, linking to the pages of the resources it changed."""

from __future__ import annotations

from collections.abc import Iterable

from proxstate.site.model import SiteData
from proxstate.site.page import Page, commit_href, entry, snapshot_page


def pages(data: SiteData) -> Iterable[Page]:
    shas = [snapshot.sha for snapshot in data.snapshots]
    for index, snapshot in enumerate(data.snapshots):
        path = snapshot_page(snapshot.sha)
        yield Page(
            path,
            "snapshot.html.j2",
            {
                "title": f"Snapshot {snapshot.short}",
                "sha": snapshot.sha,
                "short": snapshot.short,
                "date": snapshot.date,
                "subject": snapshot.subject,
                "commit_href": commit_href(data, snapshot, path),
                "previous": snapshot_page(shas[index - 1]) if index else "",
                "following": snapshot_page(shas[index + 1]) if index + 1 < len(shas) else "",
                "classes": sorted(snapshot.classes.items()),
                "changes": [entry(data, snapshot, change, page=path) for change in snapshot.changes],
                "report": snapshot.report,
                "error": snapshot.error,
            },
        )
