"""The needs assessment's police profile (section 5.1), reproduced from OneDoor's own police transfer records:
victims by district, offence, consent, age band, sex, ethnicity recorded or not, and repeat victims. Read
from the `context_police_profile` rollup, never the records themselves."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet, Sum

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import Category, Cube, build_cube
from onedoor.insights.context import rollup  # noqa: F401  (registers the police profile rollup)
from onedoor.insights.context.dims import CONSENT, ETHNIC_GROUP, PUBLIC_CRIME_TYPE, REPEAT
from onedoor.insights.context.models import PoliceProfileDay
from onedoor.insights.context.vocab import vocabularies
from onedoor.insights.query import Query, computes
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.tables import Unit

_NOT_PUBLIC = Category("not-in-public-data", "Not in the public data (fraud, computer misuse)")
_ASB = Category("anti-social-behaviour", "Anti-social behaviour")
_DIMS = (dims.DISTRICT, dims.OFFENCE_GROUP, PUBLIC_CRIME_TYPE, dims.AGE_BAND, dims.SEX, ETHNIC_GROUP, CONSENT, REPEAT)
_WHAT = "Victims in the police transfer records recorded in the period (one row of the transfer is one victim)"

VICTIMS = register(
    Measure(
        id="police_profile.victims",
        group=Group.POLICE_PROFILE,
        title="Victims in the police transfer",
        definition=_WHAT + ", by district, offence, age band, sex, ethnicity, consent and repeat victim.",
        unit=Unit.COUNT,
        numerator=_WHAT,
        dimensions=_DIMS,
    )
)
OFFERED = register(
    Measure(
        id="police_profile.offers_sent",
        group=Group.POLICE_PROFILE,
        title="Support offers sent",
        definition="Victims in the police transfer recorded in the period to whom a support offer was sent "
        "(queued or sent; not withheld by a safety rule).",
        unit=Unit.COUNT,
        numerator="Victims with a support offer sent",
        dimensions=_DIMS,
    )
)
CONSENTED = register(
    Measure(
        id="police_profile.consented",
        group=Group.POLICE_PROFILE,
        title="Victims who consented to share their details",
        definition="Victims in the police transfer who consented to their details being shared with support.",
        unit=Unit.COUNT,
        numerator="Victims with consent to share recorded as yes",
        dimensions=_DIMS,
    )
)
CONSENT_SHARE = register(
    Measure(
        id="police_profile.consent_share",
        group=Group.POLICE_PROFILE,
        title="Consent to share (%)",
        definition="The share of victims in the police transfer who consented to share their details.",
        unit=Unit.PERCENT,
        numerator="Victims who consented",
        denominator="Victims in the police transfer",
        dimensions=(dims.DISTRICT, PUBLIC_CRIME_TYPE),
        numerator_id=CONSENTED.id,
        denominator_id=VICTIMS.id,
    )
)
REPEATS = register(
    Measure(
        id="police_profile.repeat_victims",
        group=Group.POLICE_PROFILE,
        title="Repeat victims",
        definition="Victims in the police transfer OneDoor saw again within its repeat window.",
        unit=Unit.COUNT,
        numerator="Victims flagged as repeat",
        dimensions=_DIMS,
    )
)
VICTIMS_RATE = register(
    Measure(
        id="police_profile.victims_rate",
        group=Group.POLICE_PROFILE,
        title="Victims in the police transfer per 1,000 residents",
        definition="Victims in the police transfer per 1,000 usual residents (Census).",
        unit=Unit.RATE_PER_1000,
        numerator="Victims in the police transfer",
        denominator="Usual residents, Census",
        dimensions=(dims.DISTRICT,),
        numerator_id=VICTIMS.id,
    )
)

_FIELDS = {
    dims.DISTRICT: "district_code",
    dims.OFFENCE_GROUP: "offence_group",
    dims.AGE_BAND: "age_band",
    dims.SEX: "sex",
    ETHNIC_GROUP: "ethnicity",
    CONSENT: "consent",
    REPEAT: "repeat",
}


def _rows(query: Query) -> QuerySet[PoliceProfileDay]:
    qs = PoliceProfileDay.objects.filter(day__gte=query.period.start, day__lte=query.period.end)
    f = query.filters
    if f.district:
        qs = qs.filter(district_code=f.district)
    if f.offence_group:
        qs = qs.filter(offence_group=f.offence_group)
    if f.age_band:
        qs = qs.filter(age_band=f.age_band)
    if f.source and f.source != "police":
        return qs.none()
    return qs


def _cube(measure_id: str, query: Query, qs: QuerySet[PoliceProfileDay]) -> Cube:
    vocab = vocabularies()
    wanted = sorted(
        {_FIELDS[d] for d in query.by if d in _FIELDS} | ({"offence_group"} if PUBLIC_CRIME_TYPE in query.by else set())
    )
    counts: Counter[tuple[str, ...]] = Counter()
    # With no breakdown, one sum: `values()` with no fields would group by every column, id among them, and
    # hand back every row of the period.
    grouped = qs.values(*wanted).annotate(total=Sum("n")).order_by() if wanted else [qs.aggregate(total=Sum("n"))]
    for row in grouped:
        if row["total"] is None:
            continue
        coords = []
        for d in query.by:
            if d == PUBLIC_CRIME_TYPE:
                coords.append(vocab.crime_type_of_offence_group(row["offence_group"]) or "not-in-public-data")
            elif d in (CONSENT, REPEAT):
                coords.append("yes" if row[_FIELDS[d]] else "no")
            elif d in _FIELDS:
                coords.append(row[_FIELDS[d]])
            else:
                raise KeyError(f"{measure_id} cannot be broken down by {d}")
        counts[tuple(coords)] += row["total"]
    categories = {d: dims.categories(d) for d in query.by}
    if PUBLIC_CRIME_TYPE in categories:
        # Fraud and computer misuse are not in the public files: their victims are shown apart, not dropped.
        categories[PUBLIC_CRIME_TYPE] = (*categories[PUBLIC_CRIME_TYPE], _NOT_PUBLIC, _ASB)
    return build_cube(population=query.population(measure_id), categories=categories, counts=counts)


@computes(VICTIMS.id)
def victims(query: Query) -> Cube:
    return _cube(VICTIMS.id, query, _rows(query))


@computes(OFFERED.id)
def offers_sent(query: Query) -> Cube:
    return _cube(OFFERED.id, query, _rows(query).filter(offered=True))


@computes(CONSENTED.id)
def consented(query: Query) -> Cube:
    return _cube(CONSENTED.id, query, _rows(query).filter(consent=True))


@computes(REPEATS.id)
def repeat_victims(query: Query) -> Cube:
    return _cube(REPEATS.id, query, _rows(query).filter(repeat=True))
