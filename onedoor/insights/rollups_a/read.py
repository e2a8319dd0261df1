"""The fact tables' reading side, for the facts-a and facts-b rollups alike: the cube of one fact for a
query, from the month slices when at most two category columns are involved (the breakdown, the filters and a
provider's scope together), otherwise from the day rows. One aggregate query over the rollup, whatever the
period's size; never a raw referral."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db import connection

from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.models import FactDay, FactMonth
from onedoor.insights.periods import month_end
from onedoor.insights.query import Query, Request, computes, computes_together
from onedoor.insights.registry import MEASURES, Measure, register
from onedoor.insights.rollups_a.store import MAX_GROUPED, grouping_name
from onedoor.referrals.models import reason_label

# The category column each shared dimension is stored in; a measure's own dimension is stored in `detail`.
COLUMNS = {
    dims.SERVICE: "service",
    dims.DISTRICT: "district",
    dims.OFFENCE_GROUP: "offence_group",
    dims.SOURCE: "source",
    dims.AGE_BAND: "age_band",
}
DETAIL = "detail"


def column(dimension: str) -> str:
    return COLUMNS.get(dimension, DETAIL)


def _scope_services(query: Query) -> list[str] | None:
    if query.scope.services is None:
        return None
    chosen = sorted(query.scope.services)
    return dims.page_cached(
        ("service slugs", *chosen),
        lambda: list(Service.objects.filter(pk__in=chosen).values_list("slug", flat=True)),
    )


def plan_read(query: Query, *, label: str) -> tuple[list[str], list[str], list[Any]] | None:
    """The breakdown's columns, and the conditions and parameters every read of `query` shares (its filters
    and scope), besides the fact and the months; None when the scope covers no service."""
    by_columns = [column(d) for d in query.by]
    if len(set(by_columns)) != len(by_columns):
        raise ValueError(f"{label}: two dimensions of {query.by} are stored in one column; break down by one")
    services = _scope_services(query)
    if services == []:
        return None  # a scope that covers no service sees nothing
    where: list[str] = []
    params: list[Any] = []
    for name, value in query.filters.items():
        where.append(f"{column(name)} = %s")
        params.append(value)
    if services is not None:
        where.append(f"service IN ({', '.join(['%s'] * len(services))})")
        params.extend(services)
    return by_columns, where, params


def grouping_for(query: Query, by_columns: Sequence[str], also: Iterable[str] = ()) -> str | None:
    """The month slices' grouping that holds the query's columns (and `also`, columns a reader filters on
    besides the query's own), or None when only the day rows do."""
    needed = set(by_columns) | set(also) | {column(name) for name, _ in query.filters.items()}
    if query.scope.services is not None:
        needed.add("service")
    return grouping_name(needed) if len(needed) <= MAX_GROUPED else None


def _in(values: Sequence[Any]) -> str:
    return f"IN ({', '.join(['%s'] * len(values))})"


def _month_of_day() -> str:
    if connection.vendor == "postgresql":
        return "date_trunc('month', day)::date"
    return "date(day, 'start of month')"


def read_rows(
    *, facts: Sequence[str], months: Sequence[date], grouping: str | None, by_columns: Sequence[str], shared: Any
) -> list[tuple[Any, ...]]:
    """One aggregate query: (fact, first day of the month, *codes, count) of each fact in each of the months."""
    where, params = shared
    if grouping is not None:
        table, month = FactMonth._meta.db_table, "month"
        when = ["grouping = %s", f"month {_in(months)}"]
        first: list[Any] = [*facts, grouping, *months]
    else:
        table, month = FactDay._meta.db_table, _month_of_day()
        when = ["day >= %s", "day <= %s"]
        first = [*facts, min(months), month_end(max(months))]
    select = "".join(f", {c}" for c in by_columns)
    conditions = " AND ".join([f"fact {_in(facts)}", *when, *where])
    # Table and column names are this module's constants; every value is a parameter.
    sql = f"SELECT fact, {month}{select}, SUM(n) FROM {table} WHERE {conditions} GROUP BY fact, {month}{select}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*first, *params])
        rows = cursor.fetchall()
    # SQLite hands dates back as text.
    return [(r[0], r[1] if isinstance(r[1], date) else date.fromisoformat(str(r[1])[:10]), *r[2:]) for r in rows]


def fact_counts(query: Query, *, fact: str) -> dict[tuple[str, ...], int]:
    """The counts of `fact` in the query's period, filtered and scoped, by the query's dimensions (codes in
    the order of `query.by`). One aggregate query, written out directly: pages ask for many of these, and
    building each through the ORM cost more than running it."""
    plan = plan_read(query, label=fact)
    if plan is None:
        return {}
    by_columns, where, params = plan
    rows = read_rows(
        facts=[fact],
        months=query.period.month_starts(),
        grouping=grouping_for(query, by_columns),
        by_columns=by_columns,
        shared=(where, params),
    )
    return summed(rows, query.period.month_starts())


def summed(rows: Iterable[tuple[Any, ...]], months: Sequence[date]) -> dict[tuple[str, ...], int]:
    wanted = set(months)
    counts: dict[tuple[str, ...], int] = {}
    for row in rows:
        if row[1] in wanted and row[-1]:
            combo = tuple(row[2:-1])
            counts[combo] = counts.get(combo, 0) + int(row[-1])
    return counts


def _cube(query: Query, *, measure_id: str, counts: Mapping[tuple[str, ...], int]) -> Cube:
    """The cube of a registered count measure from its counts (its breakdown checked by `_check`). A code the
    dimension's categories do not list (a reason recorded by another version, a service no longer
    commissioned) is shown under its own name, or as "not recorded" for the shared dimensions."""
    categories = {d: list(dims.categories(d)) for d in query.by}
    known = {d: {c.code for c in cats} for d, cats in categories.items()}
    out: dict[tuple[str, ...], int] = {}
    for combo, n in counts.items():
        coords = []
        for d, value in zip(query.by, combo, strict=True):
            code = value or NOT_RECORDED
            if code not in known[d]:
                if d in COLUMNS:
                    code = NOT_RECORDED
                else:
                    categories[d].append(Category(code, reason_label(code)))
                    known[d].add(code)
            coords.append(code)
        out[tuple(coords)] = out.get(tuple(coords), 0) + n
    return build_cube(population=query.population(measure_id), categories=categories, counts=out)


def _check(query: Query, measure_id: str) -> None:
    measure = MEASURES[measure_id]
    unknown = [d for d in query.by if d not in measure.dimensions]
    if unknown:
        raise ValueError(
            f"{measure.title} cannot be broken down by {', '.join(unknown)}: choose from "
            f"{', '.join(measure.dimensions)}"
        )


def fact_cube(query: Query, *, measure_id: str, fact: str) -> Cube:
    """The cube of a registered count measure made from one fact (see `_cube`)."""
    _check(query, measure_id)
    return _cube(query, measure_id=measure_id, counts=fact_counts(query, fact=fact))


_FACTS: dict[str, str] = {}  # measure id -> the fact it counts


def cubes_together(requests: Sequence[Request]) -> list[Cube]:
    """The cubes of many (measure, query) requests: one aggregate query for all those broken down the same
    way, with the same filters and scope, whatever their facts and periods (each period is summed from its
    months' rows)."""
    out: list[Cube | None] = [None] * len(requests)
    together: dict[tuple[Any, ...], list[int]] = {}
    for i, (measure_id, query) in enumerate(requests):
        _check(query, measure_id)
        plan = plan_read(query, label=_FACTS[measure_id])
        if plan is None:
            out[i] = _cube(query, measure_id=measure_id, counts={})
            continue
        by_columns, where, params = plan
        shape = (tuple(by_columns), grouping_for(query, by_columns), tuple(where), tuple(params))
        together.setdefault(shape, []).append(i)
    for (by_columns, grouping, where, params), indexes in together.items():
        months = sorted({m for i in indexes for m in requests[i][1].period.month_starts()})
        facts = sorted({_FACTS[requests[i][0]] for i in indexes})
        by_fact: dict[str, list[tuple[Any, ...]]] = {f: [] for f in facts}
        for row in read_rows(
            facts=facts, months=months, grouping=grouping, by_columns=by_columns, shared=(list(where), list(params))
        ):
            by_fact[row[0]].append(row)
        for i in indexes:
            measure_id, query = requests[i]
            counts = summed(by_fact[_FACTS[measure_id]], query.period.month_starts())
            out[i] = _cube(query, measure_id=measure_id, counts=counts)
    return [cube for cube in out if cube is not None]


def register_count(measure: Measure, *, fact: str) -> Measure:
    """Register a count measure and its computation: the cube of `fact` from the rollups."""
    registered = register(measure)

    @computes(registered.id)
    def count(query: Query) -> Cube:
        return fact_cube(query, measure_id=registered.id, fact=fact)

    _FACTS[registered.id] = fact
    computes_together(registered.id, cubes_together)
    return registered
