"""The fact tables' reading side: the cube of one fact for a query, from the month slices when at most two
category columns are involved (the breakdown, the filters and a provider's scope together), otherwise from the
day rows. One aggregate query over the rollup, whatever the period's size; never a raw referral."""

from __future__ import annotations

from typing import Any

from django.db import connection

from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.models import FactDay, FactMonth
from onedoor.insights.query import Query, computes
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
    return list(Service.objects.filter(pk__in=query.scope.services).values_list("slug", flat=True))


def fact_counts(query: Query, *, fact: str) -> dict[tuple[str, ...], int]:
    """The counts of `fact` in the query's period, filtered and scoped, by the query's dimensions (codes in
    the order of `query.by`). One aggregate query, written out directly: pages ask for many of these, and
    building each through the ORM cost more than running it."""
    by_columns = [column(d) for d in query.by]
    if len(set(by_columns)) != len(by_columns):
        raise ValueError(f"{fact}: two dimensions of {query.by} are stored in one column; break down by one")
    services = _scope_services(query)
    if services == []:
        return {}  # a scope that covers no service sees nothing
    filters = [(column(name), value) for name, value in query.filters.items()]
    needed = set(by_columns) | {c for c, _ in filters} | ({"service"} if services is not None else set())
    if len(needed) <= MAX_GROUPED:
        table, when = FactMonth._meta.db_table, "grouping = %s AND month >= %s AND month <= %s"
        params: list[Any] = [fact, grouping_name(needed), query.period.start, query.period.end]
    else:
        table, when = FactDay._meta.db_table, "day >= %s AND day <= %s"
        params = [fact, query.period.start, query.period.end]
    where = [f"fact = %s AND {when}"]
    for col, value in filters:
        where.append(f"{col} = %s")
        params.append(value)
    if services is not None:
        where.append(f"service IN ({', '.join(['%s'] * len(services))})")
        params.extend(services)
    select = "".join(f"{c}, " for c in by_columns)
    group = f" GROUP BY {', '.join(by_columns)}" if by_columns else ""
    # Table and column names are this module's constants; every value is a parameter.
    sql = f"SELECT {select}SUM(n) FROM {table} WHERE {' AND '.join(where)}{group}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {tuple(row[:-1]): int(row[-1]) for row in rows if row[-1]}


def fact_cube(query: Query, *, measure_id: str, fact: str) -> Cube:
    """The cube of a registered count measure made from one fact. A breakdown the measure does not offer is
    refused; a code the dimension's categories do not list (a reason recorded by another version, a service
    no longer commissioned) is shown under its own name, or as "not recorded" for the shared dimensions."""
    measure = MEASURES[measure_id]
    unknown = [d for d in query.by if d not in measure.dimensions]
    if unknown:
        raise ValueError(
            f"{measure.title} cannot be broken down by {', '.join(unknown)}: choose from "
            f"{', '.join(measure.dimensions)}"
        )
    categories = {d: list(dims.categories(d)) for d in query.by}
    known = {d: {c.code for c in cats} for d, cats in categories.items()}
    counts: dict[tuple[str, ...], int] = {}
    for combo, n in fact_counts(query, fact=fact).items():
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
        counts[tuple(coords)] = counts.get(tuple(coords), 0) + n
    return build_cube(population=query.population(measure_id), categories=categories, counts=counts)


def register_count(measure: Measure, *, fact: str) -> Measure:
    """Register a count measure and its computation: the cube of `fact` from the rollups."""
    registered = register(measure)

    @computes(registered.id)
    def count(query: Query) -> Cube:
        return fact_cube(query, measure_id=registered.id, fact=fact)

    return registered
