"""The timeline page: changes per day by class as a chart, then every snapshot, newest first.

The chart counts, per day and class, the resources that a snapshot of that day changed in that
class (a VM whose memory and network changed counts once as hardware and once as network), the
counts the snapshot pages show. A day is the snapshot's date as git records it, the same date the
snapshot list and the other pages show.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from markupsafe import Markup

from proxstate.site.chart import Day, changes_chart, class_order
from proxstate.site.model import SiteData, Snapshot
from proxstate.site.page import TIMELINE, Page, snapshot_page


def days(snapshots: Iterable[Snapshot]) -> list[Day]:
    """The snapshots' change counts summed per day."""
    counts: dict[str, dict[str, int]] = {}
    taken: dict[str, int] = {}
    for snapshot in snapshots:
        per_class = counts.setdefault(snapshot.day, {})
        taken[snapshot.day] = taken.get(snapshot.day, 0) + 1
        for name, count in snapshot.classes.items():
            per_class[name] = per_class.get(name, 0) + count
    return [
        Day(day=date.fromisoformat(day), snapshots=taken[day], classes=counts[day]) for day in sorted(counts)
    ]


def _listed(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "href": snapshot_page(snapshot.sha),
        "short": snapshot.short,
        "date": snapshot.date,
        "subject": snapshot.subject,
        "resources": len(snapshot.changes),
        "classes": sorted(snapshot.classes.items(), key=lambda item: class_order(item[0])),
    }


def pages(data: SiteData) -> Iterable[Page]:
    chart = changes_chart(days(data.snapshots))
    yield Page(
        TIMELINE,
        "timeline.html.j2",
        {
            "title": "Timeline",
            # Drawn by chart.py, whose every text is escaped there: the SVG goes in as it is.
            "chart": Markup(chart.svg),  # noqa: S704
            "unit": chart.unit,
            "legend": chart.legend,
            "since": data.since or "",
            "snapshots": [_listed(snapshot) for snapshot in reversed(data.snapshots)],
        },
    )
