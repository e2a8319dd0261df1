"""Reading the facts-b rollup into cubes: one grouped query per cube, over the period's days only."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Sum

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.models_outcomes import OutcomeFact
from onedoor.insights.query import Query, computes
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


def fact_cube(query: Query, *, measure: Measure, fact: str, only: tuple[str, ...] = ()) -> Cube:
    """The cube of `fact` over the query's period (or, for a snapshot, as at its last day), filters and
    scope, by `query.by`. A dimension other than the five standard ones is held in the fact's category, so
    a cube has at most one. `only` keeps the fact's rows of those categories alone (closures where the
    person said "yes", say)."""
    for d in query.by:
        if d not in measure.dimensions:
            title = dims.DIMENSION_TITLES.get(d, d)
            raise BreakdownError(f"{measure.title} cannot be broken down by {title.lower()}.")
    own = [d for d in query.by if d not in FIELDS]
    if len(own) > 1:
        titles = " and ".join(dims.DIMENSION_TITLES.get(d, d).lower() for d in own)
        raise BreakdownError(f"{measure.title} can be broken down by one of {titles} at a time, not both.")
    qs = OutcomeFact.objects.filter(fact=fact)
    if only:
        qs = qs.filter(category__in=only)
    if measure.snapshot:
        qs = qs.filter(day=query.period.end)
    else:
        qs = qs.filter(day__gte=query.period.start, day__lte=query.period.end)
    if query.scope.services is not None:
        qs = qs.filter(service_id__in=sorted(query.scope.services))
    for name, value in query.filters.items():
        if value == NOT_RECORDED and name in _NULLABLE:
            qs = qs.filter(**{f"{_NULLABLE[name]}__isnull": True})
        else:
            qs = qs.filter(**{FIELDS[name]: value})
    fields = [FIELDS.get(d, "category") for d in query.by]
    rows = list(qs.values(*fields).annotate(total=Sum("n")).order_by())
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


def count_measure(measure: Measure, fact: str | Callable[[Query], str], *, only: tuple[str, ...] = ()) -> Measure:
    """Register a count measure read from the rollup. `fact` may depend on the query (the equity measures
    read the fact of the characteristic asked for)."""
    register(measure)

    def compute(query: Query) -> Cube:
        name = fact(query) if callable(fact) else fact
        return fact_cube(query, measure=measure, fact=name, only=only)

    computes(measure.id)(compute)
    return measure
