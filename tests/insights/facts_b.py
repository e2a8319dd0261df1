"""Helpers for the facts-b measures' tests: moments in local time, a rollup refresh, and each kind of
figure worked out from the rollup as the pages do (through `query.compute`, disclosure control and
`figures`), with k = 1 so that the arithmetic itself is what is tested."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from onedoor.insights.cells import TOTAL, CellKey, Cube
from onedoor.insights.figures import percent_figure, statistic_figure
from onedoor.insights.periods import Period
from onedoor.insights.query import EVERYTHING, Filters, Query, Scope, compute
from onedoor.insights.registry import MEASURES
from onedoor.insights.rollups import rollups_refresh
from tests.insights.helpers import as_is


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def refresh(*, full: bool = True) -> dict[str, int]:
    return rollups_refresh(full=full)


def cube(
    measure_id: str,
    period: Period,
    *,
    by: tuple[str, ...] = (),
    filters: Filters | None = None,
    scope: Scope = EVERYTHING,
) -> Cube:
    return compute(measure_id, Query(period=period, filters=filters or Filters(), scope=scope, by=by))


def count(measure_id: str, period: Period, key: CellKey = TOTAL, **kwargs: object) -> int:
    return cube(measure_id, period, **kwargs)[key]  # type: ignore[arg-type]


def percent(measure_id: str, period: Period, key: CellKey = TOTAL, *, by: tuple[str, ...] = ()) -> float | None:
    measure = MEASURES[measure_id]
    top, bottom = cube(measure.numerator_id, period, by=by), cube(measure.denominator_id, period, by=by)
    protected = as_is([top, bottom])
    figure = percent_figure(protected[top.population], protected[bottom.population], key)
    return None if figure.value is None else round(float(figure.value), 1)


def statistic(measure_id: str, period: Period, key: CellKey = TOTAL) -> int | float | None:
    measure = MEASURES[measure_id]
    histogram = cube(measure.numerator_id, period, by=(measure.histogram,))
    protected = as_is([histogram])[histogram.population]
    return statistic_figure(protected, key, dimension=measure.histogram, statistic=measure.statistic).value
