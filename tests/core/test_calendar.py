from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from onedoor.core.calendar import add_working_days, is_working_day, working_days_between


def test_christmas_2026_skips_the_weekend_and_substitute_boxing_day() -> None:
    # 25 Dec 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28 Dec is the substitute holiday.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)


def test_easter_monday_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday 2026
    assert not is_working_day(date(2026, 4, 3))  # Good Friday 2026
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert is_working_day(date(2026, 11, 26))


def test_a_referral_received_at_the_weekend_counts_from_monday() -> None:
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 28), 2) == date(2026, 12, 2)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(min_value=0, max_value=40))
def test_adding_working_days_lands_on_a_working_day_n_working_days_later(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert due >= start
    first = add_working_days(start, 0)
    assert working_days_between(first, due) == n
    assert (due - start) <= timedelta(days=n * 2 + 7)


def _walked(start: date, end: date) -> int:
    """The definition, one day at a time."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2040, 12, 31)), st.integers(min_value=-30, max_value=3000))
def test_working_days_between_counts_what_walking_the_days_counts(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_between(start, end) == _walked(start, end)


def test_working_days_between_across_christmas_and_new_year_2026() -> None:
    # Thu 24 Dec to Mon 4 Jan: 29, 30, 31 Dec and 4 Jan (25, 28 Dec and 1 Jan are bank holidays).
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4
