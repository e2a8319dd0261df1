"""Charts drawn on the server as SVG: no JavaScript, sharp at any magnification, and in the PDF report as on
the page (docs/insights-output.md, ADR 0023).

A chart never replaces its table: the caller shows the table beside it, and the chart draws only figures
the table already publishes, so it adds nothing that disclosure control did not pass. A withheld figure is
drawn as a hatched placeholder of fixed width labelled "[c]", so its size says nothing; a figure that does
not apply gets no bar and the label "[x]".

Accessibility: the SVG has `role="img"` and is labelled by its `<title>` and `<desc>` (by id, with
`aria-labelledby`); every bar carries its value as text, so nothing is told by colour alone; colours are
GOV.UK's. Only presentation attributes are used (no `style`), so the Content Security Policy needs no
`unsafe-inline`. The SVG is built as an element tree and serialised, so every label is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.utils.safestring import SafeString, mark_safe

from onedoor.insights.periods import MONTH_NAMES
from onedoor.insights.tables import SUPPRESSED_TEXT, Figure, Table

# GOV.UK Design System colours.
BAR_COLOUR = "#1d70b8"  # govuk-colour("blue")
TEXT_COLOUR = "#0b0c0c"  # govuk-colour("black")
SECONDARY_TEXT_COLOUR = "#505a5f"  # govuk-colour("dark-grey")
AXIS_COLOUR = "#b1b4b6"  # govuk-colour("mid-grey")
BACKGROUND_COLOUR = "#ffffff"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, arial, sans-serif"

# The bar chart: a label above each bar, the value to its right.
BAR_WIDTH = 640  # the viewBox's width
BAR_MAX = 520  # the longest bar; the rest is room for its value
BAR_LEFT = 4
BAR_HEIGHT = 20
BAR_LABEL_GAP = 18  # from the top of a row to the top of its bar (the label sits above)
BAR_ROW = 50  # from one row to the next
VALUE_GAP = 6
MIN_BAR = 1.0  # the shortest bar: a figure that is not zero always shows one
PLACEHOLDER_WIDTH = 36  # a withheld figure's hatched box: the same for every withheld figure

# The trend chart: one column per month, the value above it, the month below.
TREND_COLUMN_PITCH = 56
TREND_COLUMN_WIDTH = 36
TREND_PLOT_HEIGHT = 200
TREND_TOP = 24  # room for the tallest column's value
TREND_LEFT = 8
TREND_AXIS_LABELS = 34  # room for the two-line month label below the axis

FONT_SIZE = 14
SMALL_FONT_SIZE = 12


class ChartError(ValueError):
    """A chart asked for something the table cannot give; the message says what to change."""


@dataclass(frozen=True)
class _Mark:
    """One bar or column to draw: its label, its figure, and its length in viewBox units (0 when none)."""

    label: str
    figure: Figure
    length: float


def bar_chart(table: Table, *, column_key: str, title: str, description: str, chart_id: str = "") -> SafeString:
    """Horizontal bars, one for each row of `table` that is not a total, for the figures in `column_key`.

    Totals are left out so that the parts are compared with one another; the table beside the chart has
    them. Bars are scaled so that the largest published figure is `BAR_MAX` long. `chart_id` names the chart's
    ids when the same table and column are drawn twice on one page."""
    keys = [c.key for c in table.columns]
    if column_key not in keys:
        raise ChartError(f"Table {table.key!r} has no column {column_key!r}: choose one of {', '.join(keys)}.")
    index = keys.index(column_key)
    rows = [r for r in table.rows if not r.is_total]
    figures = [r.figures[index] for r in rows]
    lengths = _lengths(figures, BAR_MAX)
    marks = [_Mark(r.label, f, n) for r, f, n in zip(rows, figures, lengths, strict=True)]
    ident = _ident(chart_id) if chart_id else _ident("chart", table.key, column_key)
    height = BAR_ROW * len(marks) + 8
    svg = _svg(ident, width=BAR_WIDTH, height=height, title=title, description=description, kind="bar")
    for i, mark in enumerate(marks):
        top = i * BAR_ROW + 4
        bar_top = top + BAR_LABEL_GAP
        _text(svg, x=BAR_LEFT, y=top + FONT_SIZE, text=mark.label, size=FONT_SIZE, role="label")
        end: float
        if mark.figure.suppressed:
            _placeholder(svg, ident, mark, x=BAR_LEFT, y=bar_top, width=PLACEHOLDER_WIDTH, height=BAR_HEIGHT)
            end = BAR_LEFT + PLACEHOLDER_WIDTH
        else:
            _bar(svg, mark, x=BAR_LEFT, y=bar_top, width=mark.length, height=BAR_HEIGHT)
            end = BAR_LEFT + mark.length
        value_y = bar_top + BAR_HEIGHT / 2 + FONT_SIZE / 2 - 2
        _text(svg, x=end + VALUE_GAP, y=value_y, text=mark.figure.text, size=FONT_SIZE, role="value")
    _line(svg, x1=BAR_LEFT, y1=0, x2=BAR_LEFT, y2=height)
    return _serialise(svg)


def trend_chart(
    *, points: Sequence[tuple[str, Figure]], title: str, description: str, chart_id: str = ""
) -> SafeString:
    """Columns, one for each (month label, figure) in order (thirteen months: a year and the same month a
    year before), each with its value above it. A withheld month is a hatched placeholder labelled "[c]", a
    month that does not apply a gap labelled "[x]". Its ids come from the title, or from `chart_id`."""
    if not points:
        raise ChartError("A trend chart needs at least one point (a month and its figure).")
    units = {f.unit for _, f in points}
    if len(units) > 1:
        raise ChartError(f"A trend chart's points must share one unit, not {', '.join(sorted(units))}.")
    lengths = _lengths([f for _, f in points], TREND_PLOT_HEIGHT)
    marks = [_Mark(label, f, n) for (label, f), n in zip(points, lengths, strict=True)]
    ident = _ident(chart_id) if chart_id else _ident("trend", title)
    width = TREND_LEFT * 2 + TREND_COLUMN_PITCH * len(marks)
    baseline = TREND_TOP + TREND_PLOT_HEIGHT
    svg = _svg(
        ident, width=width, height=baseline + TREND_AXIS_LABELS, title=title, description=description, kind="trend"
    )
    for i, mark in enumerate(marks):
        left = TREND_LEFT + i * TREND_COLUMN_PITCH + (TREND_COLUMN_PITCH - TREND_COLUMN_WIDTH) / 2
        centre = left + TREND_COLUMN_WIDTH / 2
        top: float
        if mark.figure.suppressed:
            top = baseline - PLACEHOLDER_WIDTH
            _placeholder(svg, ident, mark, x=left, y=top, width=TREND_COLUMN_WIDTH, height=PLACEHOLDER_WIDTH)
        else:
            top = baseline - mark.length
            _bar(svg, mark, x=left, y=top, width=TREND_COLUMN_WIDTH, height=mark.length)
        _text(svg, x=centre, y=top - 6, text=mark.figure.text, size=SMALL_FONT_SIZE, anchor="middle", role="value")
        for line, text in enumerate(_month_lines(mark.label)):
            y = baseline + (SMALL_FONT_SIZE + 2) * (line + 1)
            _text(svg, x=centre, y=y, text=text, size=SMALL_FONT_SIZE, anchor="middle", role="label")
    _line(svg, x1=TREND_LEFT, y1=baseline, x2=width - TREND_LEFT, y2=baseline)
    return _serialise(svg)


# --- drawing ---------------------------------------------------------------------------------------------


def _lengths(figures: Sequence[Figure], longest: float) -> list[float]:
    """Each published figure's length on a scale where the largest is `longest` (at least `MIN_BAR`); 0 for
    withheld, not applicable and zero figures."""
    shown = [float(f.value) for f in figures if not f.suppressed and f.value is not None]
    if any(v < 0 for v in shown):
        raise ChartError("Charts draw counts, percentages, rates and days, which are never negative.")
    top = max(shown, default=0.0)
    lengths = []
    for f in figures:
        if f.suppressed or f.value is None or f.value == 0:
            lengths.append(0.0)
        else:  # a figure that is not zero is never drawn as nothing, however small beside the largest
            lengths.append(max(MIN_BAR, round(float(f.value) / top * longest, 1)))
    return lengths


def _add(parent: ET.Element, tag: str, attrs: dict[str, str], text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _svg(ident: str, *, width: float, height: float, title: str, description: str, kind: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_n(width)} {_n(height)}",
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "class": f"onedoor-chart onedoor-chart--{kind}",
            "font-family": FONT_FAMILY,
        },
    )
    _add(svg, "title", {"id": f"{ident}-title"}, title)
    _add(svg, "desc", {"id": f"{ident}-desc"}, description)
    defs = _add(svg, "defs", {})
    # Diagonal hatching for withheld figures: a pattern, not a colour, tells them apart.
    pattern = _add(
        defs,
        "pattern",
        {
            "id": f"{ident}-withheld",
            "patternUnits": "userSpaceOnUse",
            "width": "8",
            "height": "8",
            "patternTransform": "rotate(45)",
        },
    )
    _add(pattern, "rect", {"width": "8", "height": "8", "fill": BACKGROUND_COLOUR})
    _add(
        pattern,
        "line",
        {"x1": "0", "y1": "0", "x2": "0", "y2": "8", "stroke": SECONDARY_TEXT_COLOUR, "stroke-width": "3"},
    )
    return svg


def _box(x: float, y: float, width: float, height: float) -> dict[str, str]:
    return {"x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height)}


def _bar(svg: ET.Element, mark: _Mark, *, x: float, y: float, width: float, height: float) -> None:
    if mark.length == 0:  # zero, or not applicable: no bar, only the value ("0", "[x]")
        return
    bar = _add(svg, "rect", {**_box(x, y, width, height), "fill": BAR_COLOUR, "class": "onedoor-chart__bar"})
    _add(bar, "title", {}, f"{mark.label}: {mark.figure.text}")


def _placeholder(svg: ET.Element, ident: str, mark: _Mark, *, x: float, y: float, width: float, height: float) -> None:
    attrs = {
        **_box(x, y, width, height),
        "fill": f"url(#{ident}-withheld)",
        "stroke": SECONDARY_TEXT_COLOUR,
        "stroke-width": "1",
        "class": "onedoor-chart__withheld",
    }
    box = _add(svg, "rect", attrs)
    _add(box, "title", {}, f"{mark.label}: {SUPPRESSED_TEXT} (withheld to protect confidentiality)")


def _text(svg: ET.Element, *, x: float, y: float, text: str, size: int, role: str, anchor: str = "start") -> ET.Element:
    attrs = {
        "x": _n(x),
        "y": _n(y),
        "fill": TEXT_COLOUR,
        "font-size": str(size),
        "text-anchor": anchor,
        "class": f"onedoor-chart__{role}",
    }
    return _add(svg, "text", attrs, text)


def _line(svg: ET.Element, *, x1: float, y1: float, x2: float, y2: float) -> None:
    attrs = {"x1": _n(x1), "y1": _n(y1), "x2": _n(x2), "y2": _n(y2), "stroke": AXIS_COLOUR, "stroke-width": "1"}
    _add(svg, "line", attrs)


def _month_lines(label: str) -> list[str]:
    """A month label on two lines under its column: "September 2026" as "Sep" and "2026"; any other
    label split at its last space."""
    head, _, tail = label.rpartition(" ")
    if not head:
        return [label]
    if head in MONTH_NAMES:
        head = head[:3]
    return [head, tail]


def _ident(*parts: str) -> str:
    """An id for the chart's title, description and pattern, made of the table key and column (or the
    title): the same chart is the same bytes, and two different charts on a page do not share ids."""
    return "-".join((re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "x")[:40] for p in parts)


def _n(value: float) -> str:
    """A coordinate as SVG text: whole numbers without a point, others to one decimal place."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


def _serialise(svg: ET.Element) -> SafeString:
    # ElementTree escapes every text and attribute, so a label such as "<script>" is drawn as text. The
    # result is marked safe for templates on that ground alone.
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308
