from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.insights import periods
from onedoor.insights.periods import Period, PeriodError, PeriodKind

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("code", "start", "end", "kind"),
    [
        ("2026-04", date(2026, 4, 1), date(2026, 4, 30), PeriodKind.MONTH),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), PeriodKind.MONTH),
        ("FY2026-27-Q1", date(2026, 4, 1), date(2026, 6, 30), PeriodKind.QUARTER),
        ("fy2025-26-q4", date(2026, 1, 1), date(2026, 3, 31), PeriodKind.QUARTER),
        ("FY2025-26", date(2025, 4, 1), date(2026, 3, 31), PeriodKind.YEAR),
        ("FY2009-10", date(2009, 4, 1), date(2010, 3, 31), PeriodKind.YEAR),
        ("2009-10", date(2009, 10, 1), date(2009, 10, 31), PeriodKind.MONTH),
        ("2026-01..2026-06", date(2026, 1, 1), date(2026, 6, 30), PeriodKind.CUSTOM),
    ],
)
def test_codes_name_whole_months(code: str, start: date, end: date, kind: PeriodKind) -> None:
    assert periods.parse(code) == Period(start=start, end=end, kind=kind)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("2026-13", "no month 13"),
        ("FY2026-28", "after 2026 comes 27"),
        ("FY2026-27-Q5", "no quarter 5"),
        ("2026-06..2026-01", "ends before it starts"),
        ("1999-12", "outside the years"),
        ("last month", "is not a period"),
    ],
)
def test_bad_codes_say_what_to_fix(code: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        periods.parse(code)


def test_comparisons_are_the_previous_period_and_the_same_one_a_year_before() -> None:
    q = periods.parse("FY2026-27-Q1")
    assert q.previous().code == "FY2025-26-Q4"
    assert q.same_period_last_year().code == "FY2025-26-Q1"
    assert periods.parse("2026-01..2026-06").previous().code == "2025-07..2025-12"


def test_only_ended_periods_can_be_shown() -> None:
    assert periods.check_publishable(periods.parse("2026-11"), today=TODAY).code == "2026-11"
    with pytest.raises(PeriodError, match="has not ended yet"):
        periods.check_publishable(periods.parse("2026-12"), today=TODAY)
    with pytest.raises(PeriodError, match="in the future"):
        periods.check_publishable(periods.parse("FY2027-28"), today=TODAY)
    with pytest.raises(PeriodError, match="at most 60 months"):
        periods.check_publishable(periods.parse("2020-01..2025-12"), today=TODAY)
    assert periods.last_complete_quarter(today=TODAY).code == "FY2026-27-Q2"
    assert periods.last_complete_financial_year(today=TODAY).code == "FY2025-26"


def test_a_trend_is_thirteen_months_ending_with_the_period() -> None:
    months = periods.trend_months(periods.parse("FY2025-26-Q4"))
    assert [m.code for m in (months[0], months[-1])] == ["2025-03", "2026-03"] and len(months) == 13


kinds = st.sampled_from([PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.CUSTOM])


@given(kind=kinds, year=st.integers(2001, 2990), number=st.integers(1, 12), length=st.integers(1, 24))
def test_every_period_parses_back_from_its_code(kind: PeriodKind, year: int, number: int, length: int) -> None:
    if kind is PeriodKind.MONTH:
        p = periods.month(year, number)
    elif kind is PeriodKind.QUARTER:
        p = periods.quarter(year, (number - 1) % 4 + 1)
    elif kind is PeriodKind.YEAR:
        p = periods.financial_year(year)
    else:
        first = date(year, number, 1)
        p = periods.custom(first, periods.add_months(first, length - 1))
    assert periods.parse(p.code) == p
    assert p.start.day == 1 and p.end == periods.month_end(p.end)
    assert p.previous().end < p.start and p.previous().months == p.months
