"""Helpers for the Demand, Police reach, Flow and Partnership tests: a clock the services read, and a
measure's counts for a query, after a refresh."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from onedoor.insights.cells import Cube, key
from onedoor.insights.periods import Period, month
from onedoor.insights.query import Filters, Query, Scope, compute
from onedoor.insights.rollups import rollups_refresh


@dataclass
class Clock:
    """What `django.utils.timezone.now` answers while a test runs: every service, auto_now field and default
    date reads it, so facts can be made on chosen days."""

    moment: datetime = field(default_factory=lambda: timezone.make_aware(datetime(2026, 4, 1, 10, 0)))

    def on(self, day: date, hour: int = 10) -> None:
        self.moment = timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def now(self) -> datetime:
        return self.moment


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    monkeypatch.setattr(timezone, "now", c.now)
    yield c


APRIL = month(2026, 4)
MAY = month(2026, 5)


def counts(
    measure_id: str,
    period: Period = APRIL,
    by: tuple[str, ...] = (),
    *,
    filters: Filters | None = None,
    scope: Scope | None = None,
    refresh: bool = True,
) -> Cube:
    if refresh:
        rollups_refresh(full=True)
    query = Query(period=period, filters=filters or Filters(), scope=scope or Scope(), by=by)
    return compute(measure_id, query)


def row(cube: Cube, dimension: str) -> dict[str, int]:
    """The non-zero counts along one dimension."""
    out = {}
    for c in cube.categories[dimension]:
        n = cube[key(**{dimension: c.code})]
        if n:
            out[c.code] = n
    return out
