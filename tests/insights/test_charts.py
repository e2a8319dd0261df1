"""Charts: the SVG parsed back, with exact bar lengths, labels and placeholders, its accessible name, and
labels that cannot inject markup."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from onedoor.insights.charts import BAR_MAX, MIN_BAR, PLACEHOLDER_WIDTH, ChartError, bar_chart, trend_chart
from onedoor.insights.tables import Column, Figure, Row, Table, Unit

SVG = "{http://www.w3.org/2000/svg}"

TABLE = Table(
    key="by-service",
    title="Referrals received, by service",
    row_heading="Service",
    columns=(Column("received", "Received"), Column("in_target", "Within target", Unit.PERCENT)),
    rows=(
        Row("a", "General victim recovery", (Figure(1234), Figure(80.0, Unit.PERCENT))),
        Row(
            "b", "Sexual abuse & violence", (Figure(None, suppressed=True), Figure(None, Unit.PERCENT, suppressed=True))
        ),
        Row("c", "Child exploitation", (Figure(0), Figure(None, Unit.PERCENT))),
        Row("d", "Drug and alcohol (adults)", (Figure(617), Figure(40.0, Unit.PERCENT))),
        Row("t", "Total", (Figure(1856), Figure(60.0, Unit.PERCENT)), is_total=True),
    ),
    period_label="April 2026",
)

MONTHS = [
    "December 2025",
    "January 2026",
    "February 2026",
    "March 2026",
    "April 2026",
    "May 2026",
    "June 2026",
    "July 2026",
    "August 2026",
    "September 2026",
    "October 2026",
    "November 2026",
    "December 2026",
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output, parsed to check it)


def rects(root: ET.Element, cls: str) -> list[dict[str, str]]:
    return [dict(r.attrib) for r in root.iter(f"{SVG}rect") if r.get("class") == cls]


def texts(root: ET.Element, cls: str) -> list[tuple[str, str, str | None]]:
    return [(t.get("x", ""), t.get("y", ""), t.text) for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def test_a_bar_chart_draws_one_bar_per_row_scaled_to_the_largest_with_its_value() -> None:
    svg = bar_chart(TABLE, column_key="received", title="Referrals, April 2026", description="Most went to GVR.")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.get("viewBox") == "0 0 640 208"
    bars = rects(root, "onedoor-chart__bar")
    assert [(b["x"], b["y"], b["width"], b["height"]) for b in bars] == [
        ("4", "22", "520", "20"),
        ("4", "172", "260", "20"),
    ]
    assert [b.get("fill") for b in bars] == ["#1d70b8", "#1d70b8"]
    assert texts(root, "onedoor-chart__label") == [
        ("4", "18", "General victim recovery"),
        ("4", "68", "Sexual abuse & violence"),
        ("4", "118", "Child exploitation"),
        ("4", "168", "Drug and alcohol (adults)"),
    ]  # the total is in the table beside the chart, not drawn as a bar
    assert texts(root, "onedoor-chart__value") == [
        ("530", "37", "1,234"),
        ("46", "87", "[c]"),
        ("10", "137", "0"),
        ("270", "187", "617"),
    ]


def test_a_withheld_figure_is_a_hatched_placeholder_of_fixed_width_labelled_c() -> None:
    root = parse(bar_chart(TABLE, column_key="received", title="T", description="D"))
    [withheld] = rects(root, "onedoor-chart__withheld")
    assert (withheld["x"], withheld["y"], withheld["width"], withheld["height"]) == ("4", "72", "36", "20")
    assert withheld["fill"] == "url(#chart-by-service-received-withheld)"
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern is not None and pattern.get("id") == "chart-by-service-received-withheld"
    # Its tooltip says what it is; the visible "[c]" is beside it.
    assert [t.text for t in root.iter(f"{SVG}title")][1:] == [
        "General victim recovery: 1,234",
        "Sexual abuse & violence: [c] (withheld to protect confidentiality)",
        "Drug and alcohol (adults): 617",
    ]


def test_percentages_are_scaled_and_printed_as_percentages_and_not_applicable_is_x() -> None:
    root = parse(bar_chart(TABLE, column_key="in_target", title="T", description="D"))
    assert [b["width"] for b in rects(root, "onedoor-chart__bar")] == ["520", "260"]
    assert [t[2] for t in texts(root, "onedoor-chart__value")] == ["80.0%", "[c]", "[x]", "40.0%"]


def test_the_chart_is_an_image_named_by_its_title_and_description() -> None:
    root = parse(bar_chart(TABLE, column_key="received", title="Referrals, April 2026", description="Most: GVR."))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-by-service-received-title chart-by-service-received-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and (title.get("id"), title.text) == (
        "chart-by-service-received-title",
        "Referrals, April 2026",
    )
    assert desc is not None and (desc.get("id"), desc.text) == ("chart-by-service-received-desc", "Most: GVR.")
    # Nothing the Content Security Policy would block: no style attributes or elements, no script.
    assert not [e for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}style", f"{SVG}script")]


def test_labels_titles_and_descriptions_cannot_inject_markup() -> None:
    hostile = '<script>alert("x")</script>'
    table = Table(
        key="k<&>",
        title="T",
        row_heading="R",
        columns=(Column("n", "N"),),
        rows=(Row("a", hostile, (Figure(5),)),),
    )
    svg = bar_chart(table, column_key="n", title=f"{hostile} & more", description=f'"{hostile}"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert [t[2] for t in texts(root, "onedoor-chart__label")] == [hostile]
    assert root.find(f"{SVG}title") is not None and root.findtext(f"{SVG}title") == f"{hostile} & more"
    assert root.findtext(f"{SVG}desc") == f'"{hostile}"'
    assert root.get("aria-labelledby") == "chart-k-n-title chart-k-n-desc"
    # In a template it is not escaped a second time.
    rendered = Template("{{ chart }}").render(Context({"chart": svg}))
    assert rendered == svg


def test_an_unknown_column_is_refused_with_the_choices() -> None:
    with pytest.raises(
        ChartError, match=r"^Table 'by-service' has no column 'nope': choose one of received, in_target\.$"
    ):
        bar_chart(TABLE, column_key="nope", title="T", description="D")


def test_a_chart_of_nothing_but_withheld_and_zero_draws_no_bar() -> None:
    table = Table(
        key="k",
        title="T",
        row_heading="R",
        columns=(Column("n", "N"),),
        rows=(Row("a", "A", (Figure(None, suppressed=True),)), Row("b", "B", (Figure(0),))),
    )
    root = parse(bar_chart(table, column_key="n", title="T", description="D"))
    assert rects(root, "onedoor-chart__bar") == []
    assert [t[2] for t in texts(root, "onedoor-chart__value")] == ["[c]", "0"]


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10**7)), min_size=1, max_size=15))
def test_bars_are_in_proportion_and_withheld_ones_all_look_the_same(values: list[int | None]) -> None:
    rows = tuple(
        Row(str(i), f"Row {i}", (Figure(None, suppressed=True) if v is None else Figure(v),))
        for i, v in enumerate(values)
    )
    table = Table(key="k", title="T", row_heading="R", columns=(Column("n", "N"),), rows=rows)
    root = parse(bar_chart(table, column_key="n", title="T", description="D"))
    widths = [float(b["width"]) for b in rects(root, "onedoor-chart__bar")]
    shown = [v for v in values if v]
    assert len(widths) == len(shown)
    if shown:
        top = max(shown)
        assert max(widths) == BAR_MAX
        for width, v in zip(widths, shown, strict=True):
            assert abs(width - v / top * BAR_MAX) <= 0.05 or width == MIN_BAR > v / top * BAR_MAX
    placeholders = rects(root, "onedoor-chart__withheld")
    assert len(placeholders) == values.count(None)
    assert {p["width"] for p in placeholders} <= {str(PLACEHOLDER_WIDTH)}


# --- the trend -------------------------------------------------------------------------------------------


def thirteen_months() -> list[tuple[str, Figure]]:
    points = []
    for i, label in enumerate(MONTHS):
        if i == 3:
            points.append((label, Figure(None, suppressed=True)))
        elif i == 5:
            points.append((label, Figure(None)))
        else:
            points.append((label, Figure(100 + 17 * i)))
    return points


def test_a_trend_draws_thirteen_columns_with_values_and_gaps() -> None:
    root = parse(trend_chart(points=thirteen_months(), title="Referrals each month", description="Rising."))
    assert root.get("viewBox") == "0 0 744 258"
    assert root.get("aria-labelledby") == "trend-referrals-each-month-title trend-referrals-each-month-desc"
    columns = rects(root, "onedoor-chart__bar")
    assert len(columns) == 11  # 13 months less one withheld, less one not applicable
    assert (columns[0]["x"], columns[0]["y"], columns[0]["width"], columns[0]["height"]) == (
        "18",
        "158.2",
        "36",
        "65.8",
    )
    assert (columns[-1]["x"], columns[-1]["y"], columns[-1]["height"]) == ("690", "24", "200")  # the largest: 304
    [withheld] = rects(root, "onedoor-chart__withheld")
    assert (withheld["x"], withheld["y"], withheld["width"], withheld["height"]) == ("186", "188", "36", "36")
    values = texts(root, "onedoor-chart__value")
    assert [v[2] for v in values] == [
        "100",
        "117",
        "134",
        "[c]",
        "168",
        "[x]",
        "202",
        "219",
        "236",
        "253",
        "270",
        "287",
        "304",
    ]
    assert values[0][:2] == ("36", "152.2") and values[5][:2] == ("316", "218")
    labels = [t[2] for t in texts(root, "onedoor-chart__label")]
    assert labels[:4] == ["Dec", "2025", "Jan", "2026"] and labels[-2:] == ["Dec", "2026"]


def test_a_trend_of_percentages_prints_percentages() -> None:
    points = [("2026-04", Figure(50.0, Unit.PERCENT)), ("2026-05", Figure(100.0, Unit.PERCENT))]
    root = parse(trend_chart(points=points, title="T", description="D"))
    assert [c["height"] for c in rects(root, "onedoor-chart__bar")] == ["100", "200"]
    assert [t[2] for t in texts(root, "onedoor-chart__value")] == ["50.0%", "100.0%"]
    assert [t[2] for t in texts(root, "onedoor-chart__label")] == ["2026-04", "2026-05"]


def test_a_trend_refuses_no_points_mixed_units_and_negative_values() -> None:
    with pytest.raises(ChartError, match="at least one point"):
        trend_chart(points=[], title="T", description="D")
    with pytest.raises(ChartError, match="share one unit, not count, percent"):
        trend_chart(points=[("a", Figure(1)), ("b", Figure(5.0, Unit.PERCENT))], title="T", description="D")
    with pytest.raises(ChartError, match="never negative"):
        trend_chart(points=[("a", Figure(-1))], title="T", description="D")


def test_a_chart_id_keeps_two_drawings_of_one_chart_apart() -> None:
    first = parse(bar_chart(TABLE, column_key="received", title="T", description="D"))
    second = parse(bar_chart(TABLE, column_key="received", title="T", description="D", chart_id="Provider view"))
    assert first.get("aria-labelledby") == "chart-by-service-received-title chart-by-service-received-desc"
    assert second.get("aria-labelledby") == "provider-view-title provider-view-desc"
    [withheld] = rects(second, "onedoor-chart__withheld")
    assert withheld["fill"] == "url(#provider-view-withheld)"
    trend = parse(trend_chart(points=[("a", Figure(1))], title="T", description="D", chart_id="t2"))
    assert trend.get("aria-labelledby") == "t2-title t2-desc"
