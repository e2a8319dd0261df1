"""A page shows a period, the one before, the same one a year before and a 13-month trend: a quarter is the sum
of its months in the trend, so a month withheld could be worked out as the quarter minus the other two, and a
quarter's months the page leaves out as the quarter minus those it shows. The page declares these relations
to disclosure control (ADR 0035); here an attacker written apart from it (scipy's integer solver, from
`test_disclosure_property`) is given every cube the page publishes, the margins, the periods' sums and the
parts, and must not pin any withheld cell to fewer than k values."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.insights import assemble as assemble_module
from onedoor.insights import exports, periods
from onedoor.insights.assemble import BlockSpec, PageContext, assemble
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category, Cube, build_cube
from onedoor.insights.disclosure import Protected, protect
from onedoor.insights.periods import Period, add_months
from onedoor.insights.query import EVERYTHING, Computation, Filters, Query
from onedoor.insights.registry import Group, Measure
from onedoor.insights.tables import Unit
from tests.insights.fakes import registered
from tests.insights.test_disclosure_property import _interval_of

pytestmark = pytest.mark.django_db

SERVICES = (Category("a", "Service A"), Category("b", "Service B"))
CATEGORIES = {"service": (*SERVICES, Category(NOT_RECORDED, NOT_RECORDED_LABEL))}
MEASURE = Measure(
    id="t.diff", group=Group.DEMAND, title="Received", definition="d", unit=Unit.COUNT, numerator="n",
    dimensions=("service",),
)  # fmt: skip
FIRST_MONTH = date(2024, 4, 1)  # the earliest month any period below (or its year before) reaches
MONTHS = [add_months(FIRST_MONTH, i) for i in range(30)]  # April 2024 to September 2026

Monthly = Mapping[date, Mapping[str, int]]  # month -> service -> count


def by_months(counts: Monthly) -> Computation:
    """A count measure over constructed months: any period's count is the sum of its months', as the rollups'."""

    def compute(q: Query) -> Cube:
        out: dict[tuple[str, ...], int] = {}
        for month in q.period.month_starts():
            for service, n in counts.get(month, {}).items():
                combo = (service,) if q.by else ()
                out[combo] = out.get(combo, 0) + n
        return build_cube(population=q.population(MEASURE.id), categories={d: CATEGORIES[d] for d in q.by}, counts=out)

    return compute


def page(
    counts: Monthly, period: Period, k: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[assemble_module.Assembled, list[Cube], dict[str, Any], dict[str, Protected]]:
    """The assembled page, and what its one protect call was given and gave back."""
    seen: dict[str, Any] = {}

    def spy(cubes: Sequence[Cube], **kw: Any) -> dict[str, Protected]:
        seen.update(cubes=list(cubes), kw=kw, out=protect(cubes, **{**kw, "k": k}))
        return seen["out"]  # type: ignore[no-any-return]

    monkeypatch.setattr(assemble_module.disclosure, "protect", spy)
    ctx = PageContext(period=period, filters=Filters(), scope=EVERYTHING, services=SERVICES)
    with registered((MEASURE, by_months(counts))):
        assembled = assemble(ctx, [BlockSpec(MEASURE, "service"), BlockSpec(MEASURE)], trend_of=MEASURE)
    return assembled, seen["cubes"], seen["kw"], seen["out"]


def attack(cubes: list[Cube], kw: Mapping[str, Any], out: Mapping[str, Protected]) -> dict[tuple[str, Any], float]:
    """The width of every withheld cell's interval, to an attacker who knows every relation between the
    page's periods: a whole that its parts fill is their sum; one they do not fill is at least their sum."""
    shown = {population: p.shown for population, p in out.items()}
    sums = []
    for whole, parts in kw.get("sums", ()):
        for key in out[whole].shown:
            if all(key in out[p].shown for p in parts):
                sums.append(((whole, key), [(p, key) for p in parts]))
    at_most = []
    for whole, parts in kw.get("covers", ()):
        assert len(parts) == 1, "this attacker knows one part of a whole at a time"
        for key in out[whole].shown:
            if key in out[parts[0]].shown:
                at_most.append(((parts[0], key), (whole, key)))
    widths = {}
    for population, p in out.items():
        for key in p.withheld:
            low, high = _interval_of(cubes, shown, sums, {(population, key): 1.0}, at_most)
            widths[(population, key)] = high - low
    return widths


def trend_text(assembled: assemble_module.Assembled) -> dict[str, str]:
    assert assembled.trend is not None
    return {r.label: r.figures[0].text for r in assembled.trend.table.rows}


Q2 = periods.parse("FY2026-27-Q2")  # July to September 2026


def test_a_month_of_3_cannot_be_worked_out_from_its_quarter(monkeypatch: pytest.MonkeyPatch) -> None:
    # July 3 (withheld), August 10, September 12: published as they are, the quarter's 25 would give July away.
    counts = {date(2026, 7, 1): {"a": 3}, date(2026, 8, 1): {"a": 10}, date(2026, 9, 1): {"a": 12}}
    assembled, cubes, kw, out = page(counts, Q2, 5, monkeypatch)
    trend = trend_text(assembled)
    assert trend["July 2026"] == "[c]"
    quarter_total = assembled.blocks[1].table.rows[-1].figures[0].text
    # Something more is withheld: the quarter, or a month beside July.
    assert "[c]" in (quarter_total, trend["August 2026"], trend["September 2026"])
    quarter = next(w for w, _ in kw["sums"] if "|FY2026-27-Q2|" in w)
    assert len(dict(kw["sums"])[quarter]) == 3  # the three months of the trend
    widths = attack(cubes, kw, out)
    assert widths and min(widths.values()) >= 5, widths


def test_without_the_relations_the_attacker_would_recover_the_month(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same page protected as it was before: every cube alone. The attacker, told what the page does not
    say but any reader knows (a quarter is its months), pins July to 3: the test above can fail."""
    counts = {date(2026, 7, 1): {"a": 3}, date(2026, 8, 1): {"a": 10}, date(2026, 9, 1): {"a": 12}}
    _, cubes, kw, _ = page(counts, Q2, 5, monkeypatch)
    alone = protect(cubes, k=5)
    widths = attack(cubes, kw, alone)
    month = next(key for key in widths if "|2026-07|" in key[0])
    assert widths[month] == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    data=st.lists(
        st.tuples(st.one_of(st.integers(0, 6), st.integers(0, 30)), st.one_of(st.integers(0, 6), st.integers(0, 30))),
        min_size=len(MONTHS),
        max_size=len(MONTHS),
    ),
    period=st.sampled_from(["FY2026-27-Q2", "FY2025-26-Q4", "2026-04..2026-09", "FY2025-26", "2026-05"]),
    k=st.integers(3, 6),
)
def test_no_withheld_cell_on_a_page_or_its_export_is_narrower_than_k(
    data: list[tuple[int, int]], period: str, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = {month: {"a": a, "b": b} for month, (a, b) in zip(MONTHS, data, strict=True)}
    assembled, cubes, kw, out = page(counts, periods.parse(period), k, monkeypatch)
    for population, p in out.items():
        for key, value in p.shown.items():
            assert value is None or value == 0 or value >= k, (population, key)
    for width in attack(cubes, kw, out).values():
        assert width >= k
    # The export is made from the page's own tables, so it publishes the same cells and no more.
    text = exports.export_tables(assembled.tables, fmt="csv", meta=_meta()).decode("utf-8-sig")
    # Every "[c]" in a table row (the metadata's legend row starts with one, to explain it).
    cells = [cell for row in csv.reader(io.StringIO(text)) if row and row[0] != "[c]" for cell in row]
    figures = [f for t in assembled.tables for r in t.rows for f in r.figures]
    assert all(f.value is None for f in figures if f.suppressed)
    assert cells.count("[c]") == sum(f.suppressed for f in figures)


def _meta() -> exports.ExportMeta:
    from django.utils import timezone

    return exports.ExportMeta(
        title="t",
        period_label="p",
        generated_at=timezone.now(),
        scope_label="All services",
        filters_label="",
        definitions=[],
        suppression_note="n",
    )
