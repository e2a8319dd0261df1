"""The fact tables' reading side: the cube of one fact for a query, from the month slices when at most two
category columns are involved (the breakdown, the filters and a provider's scope together), otherwise from the
day rows. One aggregate query over the rollup, whatever the period's size; never a raw referral."""

from __future__ import annotations

from django.db.models import Sum

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
    the order of `query.by`)."""
    by_columns = [column(d) for d in query.by]
    if len(set(by_columns)) != len(by_columns):
        raise ValueError(f"{fact}: two dimensions of {query.by} are stored in one column; break down by one")
    services = _scope_services(query)
    if services == []:
        return {}  # a scope that covers no service sees nothing
    needed = set(by_columns) | {column(name) for name, _ in query.filters.items()}
    if services is not None:
        needed.add("service")
    if len(needed) <= MAX_GROUPED:
        qs = FactMonth.objects.filter(
            fact=fact, grouping=grouping_name(needed), month__gte=query.period.start, month__lte=query.period.end
        )
    else:
        qs = FactDay.objects.filter(fact=fact, day__gte=query.period.start, day__lte=query.period.end)  # type: ignore[assignment]
    for name, value in query.filters.items():
        qs = qs.filter(**{column(name): value})
    if services is not None:
        qs = qs.filter(service__in=services)
    if not by_columns:
        total = qs.aggregate(total=Sum("n"))["total"] or 0
        return {(): int(total)} if total else {}
    rows = qs.values_list(*by_columns).annotate(total=Sum("n")).order_by()
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
