"""The periods every commissioner figure belongs to: a calendar month, a financial quarter (Q1 is April to
June), a financial year (April to March), or a custom range of whole months.

Only fixed periods that have ended can be shown: a figure for a period still running would change from day
to day, and two days' figures differenced would point to the people referred in between.

Codes, as they appear in URLs (`?period=`):
- month: `2026-04`
- financial quarter: `FY2026-27-Q1` (the financial year 2026-27, April to June 2026)
- financial year: `FY2026-27`
- custom: `2026-01..2026-06` (whole months, first to last, inclusive)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from onedoor.core.errors import DomainError

# The longest custom range: five years of months, so a request cannot ask for an unbounded scan.
MAX_MONTHS = 60
# The earliest month a period may start: OneDoor holds nothing before it.
EARLIEST = date(2000, 1, 1)
LATEST_YEAR = 2999


class PeriodError(DomainError):
    """A period that is not a valid, ended, fixed period. The message says what to fix."""


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def financial_year_of(day: date) -> int:
    """The year in which `day`'s financial year starts (April)."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True, order=True)
class Period:
    """A fixed period of whole months: `start` is the first day of its first month, `end` the last day of its
    last month."""

    start: date
    end: date
    kind: PeriodKind

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def month_starts(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        fy = financial_year_of(self.start)
        if self.kind is PeriodKind.QUARTER:
            quarter = (add_months(self.start, -3).month - 1) // 3 + 1
            return f"FY{fy}-{(fy + 1) % 100:02d}-Q{quarter}"
        if self.kind is PeriodKind.YEAR:
            return f"FY{fy}-{(fy + 1) % 100:02d}"
        return f"{self.start:%Y-%m}..{self.end:%Y-%m}"

    @property
    def label(self) -> str:
        first = f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        last = f"{MONTH_NAMES[self.end.month - 1]} {self.end.year}"
        if self.kind is PeriodKind.MONTH:
            return first
        fy = financial_year_of(self.start)
        if self.kind is PeriodKind.QUARTER:
            return f"{fy}-{(fy + 1) % 100:02d} Q{self.code[-1]} ({first} to {last})"
        if self.kind is PeriodKind.YEAR:
            return f"Financial year {fy}-{(fy + 1) % 100:02d} ({first} to {last})"
        return f"{first} to {last}"

    def shifted(self, months: int) -> Period:
        start = add_months(self.start, months)
        return Period(start=start, end=month_end(add_months(start, self.months - 1)), kind=self.kind)

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous month, quarter or year)."""
        return self.shifted(-self.months)

    def same_period_last_year(self) -> Period:
        return self.shifted(-12)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start=start, end=month_end(start), kind=PeriodKind.MONTH)


def quarter(financial_year: int, number: int) -> Period:
    """Quarter `number` (1-4) of the financial year starting in April of `financial_year`."""
    start = add_months(date(financial_year, 4, 1), 3 * (number - 1))
    return Period(start=start, end=month_end(add_months(start, 2)), kind=PeriodKind.QUARTER)


def financial_year(first_year: int) -> Period:
    start = date(first_year, 4, 1)
    return Period(start=start, end=month_end(add_months(start, 11)), kind=PeriodKind.YEAR)


def custom(first: date, last: date) -> Period:
    return Period(start=month_start(first), end=month_end(last), kind=PeriodKind.CUSTOM)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^FY(\d{4})-(\d{2})-Q(\d)$", re.IGNORECASE)
_YEAR = re.compile(r"^FY(\d{4})-(\d{2})$", re.IGNORECASE)
_CUSTOM = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")

EXAMPLES = (
    "a month such as 2026-04, a financial quarter such as FY2026-27-Q1, a financial year such as FY2026-27, "
    "or whole months such as 2026-01..2026-06"
)


def _valid_year(year: str, text: str) -> int:
    if not EARLIEST.year <= int(year) <= LATEST_YEAR:
        raise PeriodError(f"“{text}” is outside the years OneDoor can hold ({EARLIEST.year} to {LATEST_YEAR}).")
    return int(year)


def _valid_month(year: str, number: str, text: str) -> date:
    _valid_year(year, text)
    if not 1 <= int(number) <= 12:
        raise PeriodError(f"“{text}” has no month {number}: months run from 01 to 12.")
    return date(int(year), int(number), 1)


def _financial_year(first: str, second: str, text: str) -> int:
    year = _valid_year(first, text)
    if int(second) != (year + 1) % 100:
        raise PeriodError(f"“{text}” is not a financial year: after {year} comes {(year + 1) % 100:02d}.")
    return year


def parse(text: str) -> Period:
    """The period a code names. Raises PeriodError, saying what to write, for anything else."""
    text = text.strip()
    if m := _QUARTER.match(text):
        number = int(m[3])
        if not 1 <= number <= 4:
            raise PeriodError(f"“{text}” has no quarter {number}: quarters are Q1 (April to June) to Q4.")
        return quarter(_financial_year(m[1], m[2], text), number)
    if m := _YEAR.match(text):
        return financial_year(_financial_year(m[1], m[2], text))
    if m := _CUSTOM.match(text):
        first = _valid_month(m[1], m[2], text)
        last = _valid_month(m[3], m[4], text)
        if last < first:
            raise PeriodError(f"“{text}” ends before it starts: put the earlier month first.")
        return custom(first, last)
    if m := _MONTH.match(text):
        start = _valid_month(m[1], m[2], text)
        return month(start.year, start.month)
    raise PeriodError(f"“{text[:40]}” is not a period. Write {EXAMPLES}.")


def check_publishable(period: Period, *, today: date) -> Period:
    """The period itself, if it has ended and is not too long or too early; otherwise a PeriodError."""
    if period.start < EARLIEST:
        raise PeriodError(f"{period.label} starts before {EARLIEST:%B %Y}, before OneDoor holds anything.")
    if period.months > MAX_MONTHS:
        raise PeriodError(f"{period.label} is {period.months} months long; choose at most {MAX_MONTHS} months.")
    if period.start > today:
        raise PeriodError(f"{period.label} is in the future. Choose a period that has ended.")
    if period.end >= today:
        raise PeriodError(
            f"{period.label} has not ended yet. Figures are shown only for periods that have ended, so that "
            "they do not change from day to day. Choose an earlier period."
        )
    return period


def last_complete_month(*, today: date) -> Period:
    previous = add_months(today, -1)
    return month(previous.year, previous.month)


def last_complete_quarter(*, today: date) -> Period:
    fy = financial_year_of(today)
    current = (add_months(today, -3).month - 1) // 3 + 1
    return quarter(fy, current).previous()


def last_complete_financial_year(*, today: date) -> Period:
    return financial_year(financial_year_of(today) - 1)


def trend_months(period: Period, *, count: int = 13) -> list[Period]:
    """The `count` months ending with the period's last month, oldest first: a year and the same month a
    year before, so a trend shows seasonality."""
    last = month_start(period.end)
    return [month(d.year, d.month) for d in (add_months(last, -i) for i in range(count - 1, -1, -1))]
