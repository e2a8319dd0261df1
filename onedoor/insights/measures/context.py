"""Recorded crime and population context (issue 13): the public data.police.uk counts beside OneDoor's own
referrals, for reach and equity. Recorded crimes count crimes, not victims."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db.models import Count, QuerySet, Sum

from onedoor.core.models import DemographicCategory
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Cube, build_cube
from onedoor.insights.context.dims import ETHNIC_GROUP, IMD_DECILE, OUTCOME_GROUP, PUBLIC_CRIME_TYPE, ethnic_group_of
from onedoor.insights.context.lookup import imd_decile, imd_index
from onedoor.insights.context.models import FileKind, Location, LsoaArea, PublicCrimeCount
from onedoor.insights.context.vocab import vocabularies
from onedoor.insights.query import Query, computes
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.tables import Unit
from onedoor.referrals.models import Referral, Status, StatusEvent

_PUBLIC_NOTE = (
    "From the data.police.uk street-level files, placed in districts by the ONS LSOA lookup. The public files "
    "count crimes, not victims, and report at the public crime type's level: 'Violence and sexual offences' "
    "cannot be split. Filters by service, route in and age do not apply to them."
)

RECORDED = register(
    Measure(
        id="context.recorded_crimes",
        group=Group.CONTEXT,
        title="Recorded crimes (public data)",
        definition="Crimes the force published for the months of the period, in LSOAs of the area. " + _PUBLIC_NOTE,
        unit=Unit.COUNT,
        numerator="Street-level rows with a Crime ID in the area's LSOAs, months in the period",
        dimensions=(dims.DISTRICT, PUBLIC_CRIME_TYPE, OUTCOME_GROUP, IMD_DECILE),
    )
)
RECORDED_RATE = register(
    Measure(
        id="context.recorded_crimes_rate",
        group=Group.CONTEXT,
        title="Recorded crimes per 1,000 residents",
        definition="Recorded crimes (public data) per 1,000 usual residents (Census).",
        unit=Unit.RATE_PER_1000,
        numerator="Recorded crimes (public data)",
        denominator="Usual residents, Census",
        dimensions=(dims.DISTRICT,),
        numerator_id=RECORDED.id,
    )
)
ASB = register(
    Measure(
        id="context.asb_incidents",
        group=Group.CONTEXT,
        title="Anti-social behaviour incidents (public data)",
        definition="Anti-social behaviour incidents the force published for the months of the period, in the "
        "area's LSOAs. Not recorded crime.",
        unit=Unit.COUNT,
        numerator="Street-level rows of type Anti-social behaviour in the area's LSOAs",
        dimensions=(dims.DISTRICT, IMD_DECILE),
    )
)
OUTCOMES = register(
    Measure(
        id="context.outcomes_recorded",
        group=Group.CONTEXT,
        title="Outcomes recorded (public data)",
        definition="Outcomes the force published in the months of the period, for crimes in the area's LSOAs; "
        "many are outcomes of crimes from earlier months. Grouped into charged or at court, out of court, no "
        "further action and under investigation.",
        unit=Unit.COUNT,
        numerator="Outcomes-file rows in the area's LSOAs, months in the period",
        dimensions=(dims.DISTRICT, OUTCOME_GROUP),
    )
)
REFERRED = register(
    Measure(
        id="context.referred",
        group=Group.CONTEXT,
        title="Referrals, by characteristic",
        definition="Referrals received in the period by every route, by district, age band, sex and ethnic group, "
        "for comparison with the Census. A person referred twice counts twice.",
        unit=Unit.COUNT,
        numerator="Referrals with a received date in the period",
        dimensions=(dims.DISTRICT, dims.AGE_BAND, dims.SEX, ETHNIC_GROUP),
    )
)
ENGAGED = register(
    Measure(
        id="context.engaged",
        group=Group.CONTEXT,
        title="People engaged, by characteristic",
        definition="Referrals whose support started (status 'Support started') in the period, by district, age "
        "band, sex and ethnic group.",
        unit=Unit.COUNT,
        numerator="Referrals with a 'Support started' event in the period",
        dimensions=(dims.DISTRICT, dims.AGE_BAND, dims.SEX, ETHNIC_GROUP),
    )
)


def _months(query: Query, kind: FileKind) -> QuerySet[PublicCrimeCount]:
    return PublicCrimeCount.objects.filter(
        kind=kind, location=Location.IN_AREA, month__gte=query.period.start, month__lte=query.period.end
    )


def _cube(measure_id: str, query: Query, counts: Mapping[tuple[str, ...], int]) -> Cube:
    return build_cube(
        population=query.population(measure_id),
        categories={d: dims.categories(d) for d in query.by},
        counts=counts,
    )


def _public_cube(measure_id: str, query: Query, qs: QuerySet[PublicCrimeCount]) -> Cube:
    vocab = vocabularies()
    if query.filters.district:
        qs = qs.filter(district_code=query.filters.district)
    if query.filters.offence_group:
        qs = qs.filter(crime_type=vocab.crime_type_of_offence_group(query.filters.offence_group) or "")
    deciles: dict[str, str] = {}
    if IMD_DECILE in query.by:
        lsoas = imd_index().lsoas
        deciles = {
            code: str(imd_decile(rank, lsoas=lsoas))
            for code, rank in LsoaArea.objects.filter(in_area=True).values_list("code", "imd_rank")
            if rank is not None
        }
    counts: Counter[tuple[str, ...]] = Counter()
    rows = qs.values("district_code", "crime_type", "outcome", "lsoa_code").annotate(total=Sum("n")).order_by()
    for row in rows:
        coords = []
        for d in query.by:
            if d == dims.DISTRICT:
                coords.append(row["district_code"])
            elif d == PUBLIC_CRIME_TYPE:
                coords.append(row["crime_type"])
            elif d == OUTCOME_GROUP:
                outcome = vocab.outcomes.get(row["outcome"])
                coords.append(outcome.group if outcome else "none")
            elif d == IMD_DECILE:
                coords.append(deciles.get(row["lsoa_code"], NOT_RECORDED))
            else:
                raise KeyError(f"{measure_id} cannot be broken down by {d}")
        counts[tuple(coords)] += row["total"]
    return _cube(measure_id, query, counts)


@computes(RECORDED.id)
def recorded_crimes(query: Query) -> Cube:
    return _public_cube(RECORDED.id, query, _months(query, FileKind.STREET).filter(has_crime_id=True, asb=False))


@computes(ASB.id)
def asb_incidents(query: Query) -> Cube:
    return _public_cube(ASB.id, query, _months(query, FileKind.STREET).filter(asb=True))


@computes(OUTCOMES.id)
def outcomes_recorded(query: Query) -> Cube:
    return _public_cube(OUTCOMES.id, query, _months(query, FileKind.OUTCOMES))


_REFERRAL_FIELDS = {dims.DISTRICT: "district__gss_code", dims.SEX: "sex_id", ETHNIC_GROUP: "ethnicity_id"}


def _referral_cube(measure_id: str, query: Query, referrals: QuerySet[Referral]) -> Cube:
    if query.scope.services is not None:
        referrals = referrals.filter(current_service__in=query.scope.services)
    if query.filters.district:
        referrals = (
            referrals.filter(district__isnull=True)
            if query.filters.district == NOT_RECORDED
            else referrals.filter(district__gss_code=query.filters.district)
        )
    if query.filters.service:
        referrals = referrals.filter(current_service__slug=query.filters.service)
    if query.filters.source:
        referrals = referrals.filter(source=query.filters.source)
    if query.filters.offence_group:
        referrals = referrals.filter(offence_group__slug=query.filters.offence_group)
    categories = {c.pk: c for c in DemographicCategory.objects.filter(characteristic__in=["sex", "ethnicity"])}
    grouped = referrals.values("district__gss_code", "sex_id", "ethnicity_id", "age_at_referral").annotate(
        total=Count("id", distinct=True)
    )
    counts: Counter[tuple[str, ...]] = Counter()
    for row in grouped.order_by():
        band = dims.age_band_of(row["age_at_referral"])
        if query.filters.age_band and band != query.filters.age_band:
            continue
        coords = []
        for d in query.by:
            if d == dims.DISTRICT:
                coords.append(row["district__gss_code"] or NOT_RECORDED)
            elif d == dims.AGE_BAND:
                coords.append(band)
            elif d == dims.SEX:
                sex = categories.get(row["sex_id"])
                coords.append(sex.code if sex else NOT_RECORDED)
            elif d == ETHNIC_GROUP:
                coords.append(ethnic_group_of(categories.get(row["ethnicity_id"])))
            else:
                raise KeyError(f"{measure_id} cannot be broken down by {d}")
        counts[tuple(coords)] += row["total"]
    return _cube(measure_id, query, counts)


@computes(REFERRED.id)
def referred(query: Query) -> Cube:
    # A first version over referrals, as demand.received does; the rollups replace it at merge.
    period = query.period
    return _referral_cube(
        REFERRED.id, query, Referral.objects.filter(received_on__gte=period.start, received_on__lte=period.end)
    )


@computes(ENGAGED.id)
def engaged(query: Query) -> Cube:
    period = query.period
    started = StatusEvent.objects.filter(
        to_status=Status.ENGAGED, at__date__gte=period.start, at__date__lte=period.end
    ).values("referral_id")
    return _referral_cube(ENGAGED.id, query, Referral.objects.filter(pk__in=started))


def measure_ids() -> Iterable[str]:
    return (RECORDED.id, RECORDED_RATE.id, ASB.id, OUTCOMES.id, REFERRED.id, ENGAGED.id)
