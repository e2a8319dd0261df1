"""Reading the facts-b rollup into cubes: one grouped query per cube, over the period's days only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.models_outcomes import OutcomeFact
from onedoor.insights.query import Query, Request, computes, computes_together
from onedoor.insights.registry import Measure, register

# Where each standard dimension's code is in the rollup (a fact's own dimension is its `category`).
FIELDS = {
    dims.SERVICE: "service__slug",
    dims.DISTRICT: "district__gss_code",
    dims.OFFENCE_GROUP: "offence_group__slug",
    dims.SOURCE: "source",
    dims.AGE_BAND: "age_band",
}
_NULLABLE = {dims.SERVICE: "service", dims.DISTRICT: "district", dims.OFFENCE_GROUP: "offence_group"}


class BreakdownError(ValueError):
    """A measure asked for by a dimension it does not have."""


def _check(query: Query, measure: Measure) -> list[str]:
    """The rollup fields of the query's breakdown; a dimension the measure does not have is refused."""
    for d in query.by:
        if d not in measure.dimensions:
            title = dims.DIMENSION_TITLES.get(d, d)
            raise BreakdownError(f"{measure.title} cannot be broken down by {title.lower()}.")
    own = [d for d in query.by if d not in FIELDS]
    if len(own) > 1:
        titles = " and ".join(dims.DIMENSION_TITLES.get(d, d).lower() for d in own)
        raise BreakdownError(f"{measure.title} can be broken down by one of {titles} at a time, not both.")
    return [FIELDS.get(d, "category") for d in query.by]


def _scoped(qs: QuerySet[OutcomeFact], query: Query) -> QuerySet[OutcomeFact]:
    if query.scope.services is not None:
        qs = qs.filter(service_id__in=sorted(query.scope.services))
    for name, value in query.filters.items():
        if value == NOT_RECORDED and name in _NULLABLE:
            qs = qs.filter(**{f"{_NULLABLE[name]}__isnull": True})
        else:
            qs = qs.filter(**{FIELDS[name]: value})
    return qs


def _cube(query: Query, measure: Measure, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> Cube:
    categories: dict[str, tuple[Category, ...]] = {}
    for d in query.by:
        if d == dims.WORKING_DAYS:
            found = sorted({int(r["category"]) for r in rows})
            categories[d] = tuple(Category(str(day), f"{day} working days") for day in found)
        else:
            categories[d] = dims.categories(d)
    known = {d: {c.code for c in categories[d]} for d in query.by}
    counts: dict[tuple[str, ...], int] = {}
    for row in rows:
        coords = []
        for d, field in zip(query.by, fields, strict=True):
            code = row[field] or NOT_RECORDED
            # A code the reference data no longer lists (a service removed since) reads as not recorded.
            coords.append(code if code in known[d] else NOT_RECORDED)
        key = tuple(coords)
        counts[key] = counts.get(key, 0) + int(row["total"])
    return build_cube(population=query.population(measure.id), categories=categories, counts=counts)


def fact_cube(query: Query, *, measure: Measure, fact: str, only: tuple[str, ...] = ()) -> Cube:
    """The cube of `fact` over the query's period (or, for a snapshot, as at its last day), filters and
    scope, by `query.by`. A dimension other than the five standard ones is held in the fact's category, so
    a cube has at most one. `only` keeps the fact's rows of those categories alone (closures where the
    person said "yes", say)."""
    fields = _check(query, measure)
    qs = OutcomeFact.objects.filter(fact=fact)
    if only:
        qs = qs.filter(category__in=only)
    if measure.snapshot:
        qs = qs.filter(day=query.period.end)
    else:
        qs = qs.filter(day__gte=query.period.start, day__lte=query.period.end)
    rows = list(_scoped(qs, query).values(*fields).annotate(total=Sum("n")).order_by())
    return _cube(query, measure, rows, fields)


# Each batched measure's (measure, fact, only); `fact` may depend on the query.
_SPECS: dict[str, tuple[Measure, str | Callable[[Query], str], tuple[str, ...]]] = {}


def cubes_together(requests: Sequence[Request]) -> list[Cube]:
    """The cubes of many (measure, query) requests: one grouped query for all those broken down the same way,
    with the same filters, scope and `only`, whatever their facts and periods. A period's rows are its
    months' (its last day's, for a snapshot)."""
    together: dict[tuple[Any, ...], list[int]] = {}
    facts: list[str] = []
    fields_of: list[list[str]] = []
    for i, (measure_id, query) in enumerate(requests):
        measure, fact, only = _SPECS[measure_id]
        fields_of.append(_check(query, measure))
        facts.append(fact(query) if callable(fact) else fact)
        shape = (tuple(fields_of[i]), only, measure.snapshot, query.filters, query.scope)
        together.setdefault(shape, []).append(i)
    out: list[Cube | None] = [None] * len(requests)
    for (fields, only, snapshot, _, _), indexes in together.items():
        query = requests[indexes[0]][1]
        qs = OutcomeFact.objects.filter(fact__in=sorted({facts[i] for i in indexes}))
        if only:
            qs = qs.filter(category__in=only)
        periods = [requests[i][1].period for i in indexes]
        if snapshot:
            qs = qs.filter(day__in=sorted({p.end for p in periods})).annotate(at=F("day"))
        else:
            qs = qs.filter(day__gte=min(p.start for p in periods), day__lte=max(p.end for p in periods))
            qs = qs.annotate(at=TruncMonth("day"))
        rows: dict[tuple[str, date], list[dict[str, Any]]] = {}
        for row in _scoped(qs, query).values("fact", "at", *fields).annotate(total=Sum("n")).order_by():
            rows.setdefault((row["fact"], row["at"]), []).append(row)
        for i in indexes:
            measure_id, q = requests[i]
            moments = [q.period.end] if snapshot else q.period.month_starts()
            mine = [r for at in moments for r in rows.get((facts[i], at), [])]
            out[i] = _cube(q, _SPECS[measure_id][0], mine, fields)
    return [cube for cube in out if cube is not None]


def count_measure(measure: Measure, fact: str | Callable[[Query], str], *, only: tuple[str, ...] = ()) -> Measure:
    """Register a count measure read from the rollup. `fact` may depend on the query (the equity measures
    read the fact of the characteristic asked for)."""
    register(measure)

    def compute(query: Query) -> Cube:
        name = fact(query) if callable(fact) else fact
        return fact_cube(query, measure=measure, fact=name, only=only)

    computes(measure.id)(compute)
    _SPECS[measure.id] = (measure, fact, only)
    computes_together(measure.id, cubes_together)
    return measure
