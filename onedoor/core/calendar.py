"""Working days in England and Wales: weekends and bank holidays are skipped.

Bank holidays come from the maintained `holidays` package (England's list, which Wales shares).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`. Day 0 is `start` itself if it is a working day,
    otherwise the next working day (a referral received on a Saturday is worked from Monday)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    Counted, not walked: weekdays by whole weeks, less the bank holidays on weekdays in the range, so that a
    referral overdue for two years costs what one overdue for a day does (a queue page asks this of 50 rows)."""
    if end <= start:
        return 0
    holidays_in_range = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _bank_holidays(year)
        if start < day <= end and day.weekday() < 5
    )
    return _weekdays_through(end) - _weekdays_through(start) - holidays_in_range


_A_MONDAY = date(2001, 1, 1)


def _weekdays_through(day: date) -> int:
    """Weekdays from a fixed Monday up to and including `day` (negative before it; only differences count)."""
    weeks, into_week = divmod((day - _A_MONDAY).days, 7)
    return 5 * weeks + min(into_week + 1, 5)
