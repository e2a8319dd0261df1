"""Demand: what arrives at the front door."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Cube, build_cube
from onedoor.insights.query import Query, computes
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.tables import Unit
from onedoor.referrals.models import Referral

RECEIVED = register(
    Measure(
        id="demand.received",
        group=Group.DEMAND,
        title="Referrals received",
        definition=(
            "Referrals OneDoor received in the period, by every route in: police transfer, professionals and "
            "self-referral. A referral counts once, in the month it was received, whatever happened next."
        ),
        unit=Unit.COUNT,
        numerator="Referrals with a received date in the period",
        dimensions=(dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND),
    )
)

_FIELDS = {
    dims.SERVICE: "current_service__slug",
    dims.DISTRICT: "district__gss_code",
    dims.OFFENCE_GROUP: "offence_group__slug",
    dims.SOURCE: "source",
}


def _referrals(query: Query) -> QuerySet[Referral]:
    qs = Referral.objects.filter(received_on__gte=query.period.start, received_on__lte=query.period.end)
    if query.scope.services is not None:
        qs = qs.filter(current_service__in=query.scope.services)
    for name, value in query.filters.items():
        if name == dims.AGE_BAND:
            continue
        field = _FIELDS[name]
        qs = qs.filter(**{f"{field}__isnull": True} if value == NOT_RECORDED else {field: value})
    return qs


@computes(RECEIVED.id)
def received(query: Query) -> Cube:
    # A first version that counts raw referrals; the rollups replace it.
    categories = {d: dims.categories(d) for d in query.by}
    wanted = [_FIELDS[d] for d in query.by if d != dims.AGE_BAND]
    grouped = _referrals(query).values(*wanted, "age_at_referral").annotate(n=Count("id")).order_by()
    counts: dict[tuple[str, ...], int] = {}
    for row in grouped:
        band = dims.age_band_of(row["age_at_referral"])
        if query.filters.age_band and band != query.filters.age_band:
            continue
        coords = tuple(band if d == dims.AGE_BAND else (row[_FIELDS[d]] or NOT_RECORDED) for d in query.by)
        counts[coords] = counts.get(coords, 0) + row["n"]
    return build_cube(population=query.population(RECEIVED.id), categories=categories, counts=counts)
