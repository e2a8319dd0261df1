"""Reading the facts-b rollups into cubes, from the fact tables by the facts-a reader (`rollups_a.read`):
one aggregate query per cube, from the month slices whenever they hold the columns asked for."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.query import Query, Request, computes, computes_together
from onedoor.insights.registry import Measure, register
from onedoor.insights.rollups_a.read import COLUMNS, DETAIL, column, grouping_for, plan_read, read_rows, summed


class BreakdownError(ValueError):
    """A measure asked for by a dimension it does not have."""


def _check(query: Query, measure: Measure) -> list[str]:
    """The fact-table columns of the query's breakdown; a dimension the measure does not have is refused."""
    for d in query.by:
        if d not in measure.dimensions:
            title = dims.DIMENSION_TITLES.get(d, d)
            raise BreakdownError(f"{measure.title} cannot be broken down by {title.lower()}.")
    own = [d for d in query.by if d not in COLUMNS]
    if len(own) > 1:
        titles = " and ".join(dims.DIMENSION_TITLES.get(d, d).lower() for d in own)
        raise BreakdownError(f"{measure.title} can be broken down by one of {titles} at a time, not both.")
    return [column(d) for d in query.by]


def _cube(query: Query, measure: Measure, counts: Mapping[tuple[str, ...], int]) -> Cube:
    categories: dict[str, tuple[Category, ...]] = {}
    for i, d in enumerate(query.by):
        if d == dims.WORKING_DAYS:
            found = sorted({int(combo[i]) for combo in counts})
            categories[d] = tuple(Category(str(day), f"{day} working days") for day in found)
        else:
            categories[d] = dims.categories(d)
    known = {d: {c.code for c in categories[d]} for d in query.by}
    out: dict[tuple[str, ...], int] = {}
    for combo, n in counts.items():
        # A code the reference data no longer lists (a service removed since) reads as not recorded.
        key = tuple(
            (code or NOT_RECORDED) if (code or NOT_RECORDED) in known[d] else NOT_RECORDED
            for d, code in zip(query.by, combo, strict=True)
        )
        out[key] = out.get(key, 0) + n
    return build_cube(population=query.population(measure.id), categories=categories, counts=out)


# A read of the fact tables: the breakdown's columns, the month-slice grouping (None: the day rows), and the
# conditions and parameters besides the fact and the months.
Shape = tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[Any, ...]]


def _shape(query: Query, measure: Measure, only: tuple[str, ...]) -> Shape | None:
    """How to read `measure` for `query`; None when the query's scope covers no service. `only` keeps the
    fact's rows of those categories alone, which the month slices hold when the grouping has the detail."""
    by_columns = _check(query, measure)
    plan = plan_read(query, label=measure.id)
    if plan is None:
        return None
    _, where, params = plan
    if only:
        where = [*where, f"{DETAIL} IN ({', '.join(['%s'] * len(only))})"]
        params = [*params, *only]
    grouping = grouping_for(query, by_columns, also=(DETAIL,) if only else ())
    return tuple(by_columns), grouping, tuple(where), tuple(params)


def _months(query: Query, measure: Measure) -> list[date]:
    """The months a period's figure is summed from; a snapshot is its last day's, alone in its month (the
    rollups write a snapshot fact on a month's last day only, and periods end at a month's end)."""
    return [query.period.end.replace(day=1)] if measure.snapshot else query.period.month_starts()


# Each batched measure's (measure, fact, only); `fact` may depend on the query.
_SPECS: dict[str, tuple[Measure, str | Callable[[Query], str], tuple[str, ...]]] = {}


def cubes_together(requests: Sequence[Request]) -> list[Cube]:
    """The cubes of many (measure, query) requests: one query for all those read the same way (breakdown,
    filters, scope and `only`), whatever their facts and periods."""
    out: list[Cube | None] = [None] * len(requests)
    together: dict[Shape, list[int]] = {}
    facts: list[str] = []
    for i, (measure_id, query) in enumerate(requests):
        measure, fact, only = _SPECS[measure_id]
        facts.append(fact(query) if callable(fact) else fact)
        shape = _shape(query, measure, only)
        if shape is None:
            out[i] = _cube(query, measure, {})
        else:
            together.setdefault(shape, []).append(i)
    for (by_columns, grouping, where, params), indexes in together.items():
        months = sorted({m for i in indexes for m in _months(requests[i][1], _SPECS[requests[i][0]][0])})
        by_fact: dict[str, list[tuple[Any, ...]]] = {facts[i]: [] for i in indexes}
        for row in read_rows(
            facts=sorted(by_fact), months=months, grouping=grouping, by_columns=by_columns, shared=(where, params)
        ):
            by_fact[row[0]].append(row)
        for i in indexes:
            measure_id, query = requests[i]
            measure = _SPECS[measure_id][0]
            out[i] = _cube(query, measure, summed(by_fact[facts[i]], _months(query, measure)))
    return [cube for cube in out if cube is not None]


def count_measure(measure: Measure, fact: str | Callable[[Query], str], *, only: tuple[str, ...] = ()) -> Measure:
    """Register a count measure read from the rollup. `fact` may depend on the query (the equity measures
    read the fact of the characteristic asked for)."""
    register(measure)

    def compute(query: Query) -> Cube:
        # One cube is a batch of one: the same single query.
        (cube,) = cubes_together([(measure.id, query)])
        return cube

    computes(measure.id)(compute)
    _SPECS[measure.id] = (measure, fact, only)
    computes_together(measure.id, cubes_together)
    return measure
