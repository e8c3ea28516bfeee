"""The timeline's chart: changes per day by class, as an SVG drawn at build time (no script, no service).

`changes_chart` is a pure function of the per-day counts: the same history gives the same bytes.
Each bar is a `g.bar` with `data-day` (the first day of its period) holding one `rect` per class
with changes (`data-class`), stacked in the reports' class order, and a `<title>` that a browser
shows on hover and a screen reader reads. The chart scales to the page's width (a viewBox) and
carries its colours as attributes, so it prints as it shows.

A long history stays readable by drawing one bar per period instead of per day: up to
`MAX_DAYS` days one bar per day, then per week (starting Monday) up to `MAX_WEEKS` weeks, then per
month up to `MAX_MONTHS` months, then per year (docs/site.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from proxstate.diff import ChangeClass

MAX_DAYS = 92  # a quarter: bars stay a few pixels wide on a phone
MAX_WEEKS = 104
MAX_MONTHS = 120

# Fixed colours per class, distinct enough side by side; a class proxstate does not know yet
# gets OTHER_COLOUR rather than failing the build.
COLOURS: Mapping[str, str] = {
    ChangeClass.ADDED: "#1b9e77",
    ChangeClass.REMOVED: "#d95f02",
    ChangeClass.SECURITY: "#b2182b",
    ChangeClass.MIGRATED: "#7570b3",
    ChangeClass.POWER: "#e7298a",
    ChangeClass.RESIZED: "#66a61e",
    ChangeClass.HARDWARE: "#e6ab02",
    ChangeClass.NETWORK: "#1f78b4",
    ChangeClass.PENDING: "#a6761d",
    ChangeClass.SNAPSHOT: "#6a3d9a",
    ChangeClass.TAGS: "#a6cee3",
    ChangeClass.POOL: "#b2df8a",
    ChangeClass.HA: "#fb9a99",
    ChangeClass.LOCK: "#cab2d6",
    ChangeClass.TEMPLATE: "#fdbf6f",
    ChangeClass.TASK: "#969696",
    ChangeClass.CONFIG: "#8dd3c7",
}
OTHER_COLOUR = "#525252"
_ORDER = {str(change_class): index for index, change_class in enumerate(ChangeClass)}

# Drawing units (the viewBox): the plot and the room for the axes' labels.
WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 48
FONT = 15  # drawing units: about 9 px on a phone, 15 to 19 on a wider screen
X_LABELS = 5
MAX_BAR = 40


@dataclass(frozen=True, kw_only=True)
class Day:
    """What the snapshots of one day changed: per class, how many changes."""

    day: date
    snapshots: int
    classes: Mapping[str, int]


@dataclass(frozen=True, kw_only=True)
class Bar:
    start: date  # the first day of the period
    label: str  # how the period is named: 2026-11-30, week of 2026-11-23, 2026-11, 2026
    snapshots: int
    counts: tuple[tuple[str, int], ...]  # per class with changes, in stacking order

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


@dataclass(frozen=True, kw_only=True)
class Chart:
    unit: str  # day, week, month or year
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str, int], ...]  # (class, colour, changes over the whole history)
    svg: str


def colour(change_class: str) -> str:
    return COLOURS.get(change_class, OTHER_COLOUR)


def class_order(change_class: str) -> tuple[int, str]:
    return (_ORDER.get(change_class, len(_ORDER)), change_class)


def unit_for(days: Iterable[date]) -> str:
    """The period of one bar for a history over these days."""
    known = sorted(days)
    if not known:
        return "day"
    span = (known[-1] - known[0]).days + 1
    if span <= MAX_DAYS:
        return "day"
    if span <= MAX_WEEKS * 7:
        return "week"
    months = (known[-1].year - known[0].year) * 12 + known[-1].month - known[0].month + 1
    return "month" if months <= MAX_MONTHS else "year"


def period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def period_label(start: date, unit: str) -> str:
    if unit == "week":
        return f"week of {start.isoformat()}"
    if unit == "month":
        return start.strftime("%Y-%m")
    if unit == "year":
        return str(start.year)
    return start.isoformat()


def _next(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if unit == "year":
        return date(start.year + 1, 1, 1)
    return start + timedelta(days=1)


def bars(days: Iterable[Day], unit: str) -> tuple[Bar, ...]:
    """One bar per period that has snapshots, oldest first."""
    snapshots: dict[date, int] = {}
    counts: dict[date, dict[str, int]] = {}
    for entry in days:
        start = period_start(entry.day, unit)
        snapshots[start] = snapshots.get(start, 0) + entry.snapshots
        per_class = counts.setdefault(start, {})
        for name, count in entry.classes.items():
            if count > 0:
                per_class[name] = per_class.get(name, 0) + count
    return tuple(
        Bar(
            start=start,
            label=period_label(start, unit),
            snapshots=snapshots[start],
            counts=tuple(sorted(counts[start].items(), key=lambda item: class_order(item[0]))),
        )
        for start in sorted(snapshots)
    )


def changes_chart(days: Iterable[Day], *, element_id: str = "changes-per-day") -> Chart:
    """The chart of these days (in any order; one entry per day)."""
    listed = list(days)
    unit = unit_for(entry.day for entry in listed)
    drawn = bars(listed, unit)
    totals: dict[str, int] = {}
    for bar in drawn:
        for name, count in bar.counts:
            totals[name] = totals.get(name, 0) + count
    legend = tuple((name, colour(name), totals[name]) for name in sorted(totals, key=class_order))
    return Chart(unit=unit, bars=drawn, legend=legend, svg=_svg(drawn, unit, element_id=escape(element_id)))


def nice_step(top: int) -> int:
    """A step of 1, 2 or 5 times a power of ten that divides 0..top into at most five ticks."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top <= step * factor * 5:
                return step * factor
        step *= 10


def _svg(drawn: tuple[Bar, ...], unit: str, *, element_id: str) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slots = _slots(drawn, unit)
    top = max((bar.total for bar in drawn), default=0)
    step = nice_step(max(top, 1))
    y_max = step * -(-max(top, 1) // step)
    changes = sum(bar.total for bar in drawn)
    summary = (
        f"{len(drawn)} {unit}{'s' if len(drawn) != 1 else ''} with snapshots, {changes} changes"
        if drawn
        else "No snapshots yet."
    )
    out = [
        f'<svg id="{element_id}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="{FONT}" '
        # currentColor: the text and the axis follow the page's colour (dark mode, print).
        'fill="currentColor" '
        f'aria-labelledby="{element_id}-title {element_id}-desc">',
        f'<title id="{element_id}-title">Changes per {unit}, by class</title>',
        f'<desc id="{element_id}-desc">{escape(summary)}</desc>',
    ]
    # The y axis: ticks, grid lines and its label.
    for value in range(0, y_max + 1, step):
        y = base - plot_h * value / y_max
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#888" stroke-opacity="0.35"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + FONT / 3:.1f}" text-anchor="end">{value}</text>')
    out.append(
        f'<text class="axis-label" transform="translate(14 {TOP + plot_h / 2:.1f}) rotate(-90)" '
        'text-anchor="middle">changes</text>'
    )
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="currentColor"/>')
    slot_w = plot_w / max(len(slots), 1)
    bar_w = min(max(slot_w * 0.8, 0.5), MAX_BAR)  # a few days do not make a wall of colour
    for bar in drawn:
        x = LEFT + slots[bar.start] * slot_w + (slot_w - bar_w) / 2
        out.append(f'<g class="bar" data-day="{bar.start.isoformat()}" data-unit="{unit}">')
        out.append(f"<title>{escape(bar_title(bar))}</title>")
        y = float(base)
        for name, count in bar.counts:
            height = plot_h * count / y_max
            y -= height
            out.append(
                f'<rect data-class="{escape(name)}" data-count="{count}" x="{x:.2f}" y="{y:.2f}" '
                f'width="{bar_w:.2f}" height="{height:.2f}" fill="{colour(name)}"/>'
            )
        out.append("</g>")
    # The x axis: a few periods named, evenly spread, the first and the last among them.
    # The first and the last label are anchored inward, so that neither is cut at the edge.
    labels = _x_labels(slots)
    for place, (index, start) in enumerate(labels):
        x = LEFT + (index + 0.5) * slot_w
        anchor = "middle"
        if len(labels) > 1 and place == 0:
            x, anchor = max(x - slot_w / 2, LEFT), "start"
        elif len(labels) > 1 and place == len(labels) - 1:
            x, anchor = min(x + slot_w / 2, WIDTH - RIGHT), "end"
        out.append(
            f'<text x="{x:.1f}" y="{base + FONT + 6}" text-anchor="{anchor}">'
            f"{escape(_short_label(start, unit))}</text>"
        )
    out.append(
        f'<text class="axis-label" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">'
        f"{unit}</text>"
    )
    if not drawn:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle">'
            "No snapshots yet.</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_title(bar: Bar) -> str:
    """What hovering a bar says: 2026-11-30: 2 snapshots, 5 changes (hardware 3, network 2)."""
    snapshots = f"{bar.snapshots} snapshot{'s' if bar.snapshots != 1 else ''}"
    total = f"{bar.total} change{'s' if bar.total != 1 else ''}"
    detail = ", ".join(f"{name} {count}" for name, count in bar.counts)
    return f"{bar.label}: {snapshots}, {total}" + (f" ({detail})" if detail else "")


def _slots(drawn: tuple[Bar, ...], unit: str) -> dict[date, int]:
    """Each period from the first bar's to the last's, with its place on the x axis (the periods
    without snapshots keep their room, so that a gap in the history shows as a gap)."""
    if not drawn:
        return {}
    slots: dict[date, int] = {}
    start = drawn[0].start
    while start <= drawn[-1].start:
        slots[start] = len(slots)
        start = _next(start, unit)
    return slots


def _x_labels(slots: dict[date, int]) -> list[tuple[int, date]]:
    starts = list(slots)
    if len(starts) <= X_LABELS:
        return list(enumerate(starts))
    picks = sorted({round(i * (len(starts) - 1) / (X_LABELS - 1)) for i in range(X_LABELS)})
    return [(index, starts[index]) for index in picks]


def _short_label(start: date, unit: str) -> str:
    return start.isoformat() if unit in ("day", "week") else period_label(start, unit)
