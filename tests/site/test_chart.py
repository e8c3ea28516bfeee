"""The timeline's chart: one bar per day (or per period in a long history), a rect per class."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from proxstate.site.chart import COLOURS, MAX_DAYS, MAX_MONTHS, MAX_WEEKS, Day, changes_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]


def test_one_bar_per_day_with_a_rect_per_class_and_a_title() -> None:
    days = [
        Day(day=date(2026, 11, 2), snapshots=3, classes={"network": 2, "hardware": 1}),
        Day(day=date(2026, 11, 1), snapshots=1, classes={"added": 4, "config": 0}),
        Day(day=date(2026, 11, 5), snapshots=2, classes={"power": 1}),
        Day(day=date(2026, 11, 6), snapshots=2, classes={}),
    ]
    chart = changes_chart(days)
    root = parse(chart.svg)
    assert root.get("id") == "changes-per-day"
    bars = groups(root)
    assert [g.get("data-day") for g in bars] == ["2026-11-01", "2026-11-02", "2026-11-05", "2026-11-06"]
    # Stacked in the reports' class order; a class without changes draws nothing.
    assert [r.get("data-class") for r in bars[0].iter(f"{SVG}rect")] == ["added"]
    assert [r.get("data-class") for r in bars[1].iter(f"{SVG}rect")] == ["hardware", "network"]
    assert list(bars[3].iter(f"{SVG}rect")) == []
    titles = [g.findtext(f"{SVG}title") for g in bars]
    assert titles == [
        "2026-11-01: 1 snapshot, 4 changes (added 4)",
        "2026-11-02: 3 snapshots, 3 changes (hardware 1, network 2)",
        "2026-11-05: 2 snapshots, 1 change (power 1)",
        "2026-11-06: 2 snapshots, 0 changes",
    ]
    # The days without snapshots (3 and 4 November) keep their room on the axis.
    x = [float(next(g.iter(f"{SVG}rect")).get("x", "0")) for g in bars[:3]]
    assert abs((x[2] - x[1]) - 3 * (x[1] - x[0])) < 0.05
    assert chart.legend == (
        ("added", COLOURS["added"], 4),
        ("power", COLOURS["power"], 1),
        ("hardware", COLOURS["hardware"], 1),
        ("network", COLOURS["network"], 2),
    )


def test_each_class_has_its_own_colour_and_heights_follow_the_counts() -> None:
    assert len(set(COLOURS.values())) == len(COLOURS)
    root = parse(
        changes_chart(
            [Day(day=date(2026, 1, 1), snapshots=1, classes={"power": 3, "tags": 1, "brand-new": 2})]
        ).svg
    )
    rects = {r.get("data-class"): r for r in root.iter(f"{SVG}rect")}
    assert rects["power"].get("fill") == COLOURS["power"]
    assert rects["tags"].get("fill") == COLOURS["tags"]
    assert rects["brand-new"].get("fill") not in COLOURS.values()  # unknown: grey, not a failure
    heights = {name: float(r.get("height", "0")) for name, r in rects.items()}
    assert abs(heights["power"] - 3 * heights["tags"]) < 0.05


def test_axes_are_labelled_and_the_chart_names_itself() -> None:
    root = parse(changes_chart([Day(day=date(2026, 3, 1), snapshots=1, classes={"config": 7})]).svg)
    assert root.get("role") == "img"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "changes" in texts and "day" in texts and "2026-03-01" in texts
    assert root.findtext(f"{SVG}title") == "Changes per day, by class"
    assert root.findtext(f"{SVG}desc") == "1 day with snapshots, 7 changes"


def test_an_empty_history_draws_axes_and_says_so() -> None:
    chart = changes_chart([])
    root = parse(chart.svg)
    assert groups(root) == []
    assert "No snapshots yet." in [t.text for t in root.iter(f"{SVG}text")]
    assert chart.legend == ()


def test_the_same_history_gives_the_same_bytes() -> None:
    days = [Day(day=date(2026, 5, d), snapshots=1, classes={"config": d, "ha": 1}) for d in range(1, 20)]
    assert changes_chart(days).svg == changes_chart(list(reversed(days))).svg


def history(span: int, start: date = date(2016, 1, 1)) -> list[Day]:
    return [Day(day=start + timedelta(days=i), snapshots=24, classes={"task": 2}) for i in range(span)]


def test_a_long_history_is_drawn_per_week_then_per_month_then_per_year() -> None:
    assert changes_chart(history(MAX_DAYS)).unit == "day"
    weekly = changes_chart(history(MAX_DAYS + 1, start=date(2026, 1, 5)))  # a Monday
    assert weekly.unit == "week"
    bars = groups(parse(weekly.svg))
    assert len(bars) == 14 and bars[0].get("data-day") == "2026-01-05"
    assert bars[1].findtext(f"{SVG}title") == "week of 2026-01-12: 168 snapshots, 14 changes (task 14)"
    assert changes_chart(history(MAX_WEEKS * 7 + 1)).unit == "month"
    thousands = changes_chart(history(3000))
    assert thousands.unit == "month" and len(groups(parse(thousands.svg))) == 99
    assert changes_chart(history(MAX_MONTHS * 31)).unit == "year"
