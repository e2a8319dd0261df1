"""Assembling a page: every kind of measure made into figures with exact values, the comparisons beside each
figure, snapshots labelled, derived figures withheld with their counts, and one protect call per page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from onedoor.core.models import District
from onedoor.insights import assemble as assemble_module
from onedoor.insights import periods
from onedoor.insights.assemble import BlockSpec, PageContext, assemble
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category, Cube
from onedoor.insights.disclosure import Protected, protect
from onedoor.insights.query import EVERYTHING, Filters
from onedoor.insights.registry import Group, Measure
from onedoor.insights.tables import Table, Unit
from tests.insights.fakes import fake_computation, registered

pytestmark = pytest.mark.django_db

Q2 = periods.parse("FY2026-27-Q2")  # July to September 2026; previous Q1, a year before FY2025-26-Q2
SERVICES = (Category("a", "Service A"), Category("b", "Service B"))
DAYS = tuple(Category(str(d), str(d)) for d in range(0, 11))
CATEGORIES = {"service": (*SERVICES, Category(NOT_RECORDED, NOT_RECORDED_LABEL)), "wait_days": DAYS}
CTX = PageContext(period=Q2, filters=Filters(), scope=EVERYTHING, services=SERVICES)


def _m(id: str, unit: Unit = Unit.COUNT, **kw: Any) -> Measure:
    return Measure(
        id=id, group=Group.FLOW, title=id.title(), definition=f"{id} defined", unit=unit, numerator="n", **kw
    )


RECEIVED = _m("t.received", dimensions=("service",))
ENGAGED = _m("t.engaged", dimensions=("service",))
ENGAGED_PCT = _m(
    "t.engaged_pct", Unit.PERCENT, numerator_id="t.engaged", denominator_id="t.received", dimensions=("service",)
)
WAITS = _m("t.waits", dimensions=("service", "wait_days"))
MEDIAN = _m(
    "t.median",
    Unit.WORKING_DAYS,
    numerator_id="t.waits",
    histogram="wait_days",
    statistic="median",
    dimensions=("service",),
)
LONGEST = _m(
    "t.longest",
    Unit.WORKING_DAYS,
    numerator_id="t.waits",
    histogram="wait_days",
    statistic="max",
    dimensions=("service",),
)
OPEN_NOW = _m("t.open_now", snapshot=True)


def _rows(table: Table) -> dict[str, list[str]]:
    return {r.label: [f.text for f in r.figures] for r in table.rows}


def _fakes() -> list[tuple[Measure, Any]]:
    received = {
        "FY2026-27-Q2": [({"service": "a"}, 20), ({"service": "b"}, 10)],
        "FY2026-27-Q1": [({"service": "a"}, 8), ({"service": "b"}, 7)],
        "FY2025-26-Q2": [({"service": "a"}, 6)],
    }
    engaged = {"FY2026-27-Q2": [({"service": "a"}, 15), ({"service": "b"}, 5)], "FY2026-27-Q1": [({"service": "a"}, 6)]}
    waits = {
        "FY2026-27-Q2": [
            ({"service": "a", "wait_days": "1"}, 5),
            ({"service": "a", "wait_days": "3"}, 5),
            ({"service": "a", "wait_days": "8"}, 5),
            ({"service": "b", "wait_days": "2"}, 10),
        ]
    }
    return [
        (RECEIVED, fake_computation(RECEIVED.id, received, CATEGORIES)),
        (ENGAGED, fake_computation(ENGAGED.id, engaged, CATEGORIES)),
        (ENGAGED_PCT, None),
        (WAITS, fake_computation(WAITS.id, waits, CATEGORIES)),
        (MEDIAN, None),
        (LONGEST, None),
        (OPEN_NOW, fake_computation(OPEN_NOW.id, {"FY2026-27-Q2": [({}, 9)], "FY2026-27-Q1": [({}, 3)]}, CATEGORIES)),
    ]


def test_counts_percentages_and_working_days_with_their_comparisons() -> None:
    with registered(*_fakes()):
        page = assemble(
            CTX,
            [
                BlockSpec(RECEIVED, "service"),
                BlockSpec(ENGAGED_PCT, "service"),
                BlockSpec(MEDIAN, "service"),
                BlockSpec(LONGEST),
            ],
        )
    received, pct, median, longest = (b.table for b in page.blocks)
    assert [c.label for c in received.columns] == [
        "This period (2026-27 Q2 (July 2026 to September 2026))",
        "Previous period (2026-27 Q1 (April 2026 to June 2026))",
        "Same period last year (2025-26 Q2 (July 2025 to September 2025))",
    ]
    assert _rows(received) == {
        "Service A": ["20", "8", "6"],
        "Service B": ["10", "7", "0"],
        "Not recorded": ["0", "0", "0"],
        "Total": ["30", "15", "6"],
    }
    assert _rows(pct) == {
        "Service A": ["75.0%", "75.0%", "0.0%"],
        "Service B": ["50.0%", "0.0%", "[x]"],
        "Not recorded": ["[x]", "[x]", "[x]"],
        "All": ["66.7%", "40.0%", "0.0%"],
    }
    # Median by nearest rank: A's 15 waits of 1, 3 and 8 days -> 3; all 25 -> 2. Nothing waited a year before.
    assert _rows(median) == {
        "Service A": ["3", "[x]", "[x]"],
        "Service B": ["2", "[x]", "[x]"],
        "Not recorded": ["[x]", "[x]", "[x]"],
        "All": ["2", "[x]", "[x]"],
    }
    assert _rows(longest) == {"All": ["8", "[x]", "[x]"]}
    assert received.measure_ids == ("t.received",) and received.period_label == Q2.label


def test_a_figure_built_on_a_withheld_count_is_withheld() -> None:
    with registered(*_fakes()):
        page = assemble(CTX, [BlockSpec(OPEN_NOW), BlockSpec(ENGAGED_PCT)])
    # Open now: 9 at the end of Q2, 3 (withheld) at the end of Q1; the percentage a year before has nothing to count.
    assert _rows(page.blocks[0].table) == {"Total": ["9", "[c]", "0"]}
    assert _rows(page.blocks[1].table) == {"All": ["66.7%", "40.0%", "0.0%"]}


def test_a_snapshot_is_labelled_as_at_the_end_of_each_period() -> None:
    with registered(*_fakes()):
        table = assemble(CTX, [BlockSpec(OPEN_NOW)]).blocks[0].table
    assert table.snapshot
    assert [c.label for c in table.columns] == [
        "This period (as at 30 September 2026)",
        "Previous period (as at 30 June 2026)",
        "A year before (as at 30 September 2025)",
    ]
    assert table.notes[0].startswith("A snapshot: each figure is as things stood on the last day of its period")


def test_a_rate_divides_by_the_census_population_of_the_district() -> None:
    district = District.objects.exclude(population=None).order_by("gss_code").first()
    assert district is not None and district.population
    cats = {"district": (Category(district.gss_code, district.name), Category(NOT_RECORDED, NOT_RECORDED_LABEL))}
    counts = _m("t.by_district", dimensions=("district",))
    rate = _m("t.rate", Unit.RATE_PER_1000, numerator_id="t.by_district", dimensions=("district",))
    fake = fake_computation(counts.id, {"FY2026-27-Q2": [({"district": district.gss_code}, 50)]}, cats)
    with registered((counts, fake), (rate, None)):
        table = assemble(CTX, [BlockSpec(rate, "district")]).blocks[0].table
    assert table.figure(district.gss_code, "current").text == f"{1000 * 50 / district.population:,.1f}"
    assert table.figure(NOT_RECORDED, "current").text == "[x]"  # no population to divide by


def test_every_cube_of_a_page_goes_through_one_protect_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def spy(cubes: Sequence[Cube], **kw: Any) -> dict[str, Protected]:
        calls.append(sorted(c.population for c in cubes))
        return protect(cubes, **kw)

    monkeypatch.setattr(assemble_module.disclosure, "protect", spy)
    with registered(*_fakes()):
        page = assemble(
            CTX, [BlockSpec(RECEIVED, "service"), BlockSpec(ENGAGED_PCT), BlockSpec(RECEIVED)], trend_of=RECEIVED
        )
    assert len(calls) == 1
    # received and engaged for three periods, plus 13 trend months of received (a month is its own population):
    # 19 populations. Received is shown by service and in total, so each of its periods has two cubes, one per
    # table, that disclosure control protects as one population (ADR 0035): 22 cubes.
    assert len(set(calls[0])) == 3 + 3 + 13
    assert len(calls[0]) == 3 * 2 + 3 + 13
    assert page.trend is not None and [p[0] for p in page.trend.points][-1] == "September 2026"


def test_a_measure_with_no_computation_yet_is_listed_as_missing() -> None:
    orphan = _m("t.orphan")
    with registered((orphan, None)):
        page = assemble(CTX, [BlockSpec(orphan)])
    assert page.blocks == [] and page.missing == [orphan]


def test_a_date_is_not_a_period() -> None:
    assert CTX.period.contains(date(2026, 8, 1))
