"""The needs assessment's police profile (section 5.1), reproduced from OneDoor's own police transfer records:
victims by district, offence, consent, age band, sex, ethnicity recorded or not, and repeat victims. Read
from the `context_police_profile` rollup's facts (ADR 0036), never the records themselves."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, Category, Cube, build_cube
from onedoor.insights.context.dims import CONSENT, ETHNIC_GROUP, PUBLIC_CRIME_TYPE, REPEAT
from onedoor.insights.context.rollup import fact_name  # (and registers the police profile rollup)
from onedoor.insights.context.vocab import vocabularies
from onedoor.insights.query import Query, computes
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_a import read
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

# Where each dimension is stored: the shared columns, or one of the characteristics in `detail`.
_SHARED = {dims.DISTRICT: dims.DISTRICT, dims.OFFENCE_GROUP: dims.OFFENCE_GROUP, dims.AGE_BAND: dims.AGE_BAND}
_CHARACTERISTIC = {dims.SEX: "sex", ETHNIC_GROUP: "ethnicity", CONSENT: "consent", REPEAT: "repeat"}


def _cube(measure_id: str, query: Query) -> Cube:
    """The cube of one of the four counts, read from its facts: the month slices when the breakdown and the
    filters need at most two columns (`rollups_a.read`), the day rows otherwise."""
    unknown = [d for d in query.by if d not in _SHARED and d not in _CHARACTERISTIC and d != PUBLIC_CRIME_TYPE]
    if unknown:
        raise KeyError(f"{measure_id} cannot be broken down by {unknown[0]}")
    characteristics = [d for d in query.by if d in _CHARACTERISTIC]
    if len(characteristics) > 1:
        raise ValueError(
            f"{measure_id}: break down by one of {', '.join(characteristics)} at a time (their combinations are "
            "not kept)"
        )
    if PUBLIC_CRIME_TYPE in query.by and dims.OFFENCE_GROUP in query.by:
        raise ValueError(f"{measure_id}: break down by offence group or by crime type, not both")
    # The stored breakdown: the crime type is worked out from the offence group.
    stored = tuple(dims.OFFENCE_GROUP if d == PUBLIC_CRIME_TYPE else d for d in query.by)
    fact = fact_name(measure_id, _CHARACTERISTIC[characteristics[0]] if characteristics else "")
    counts = read.fact_counts(replace(query, by=stored), fact=fact)
    vocab = vocabularies()
    out: Counter[tuple[str, ...]] = Counter()
    for combo, n in counts.items():
        coords = []
        for d, value in zip(query.by, combo, strict=True):
            if d == PUBLIC_CRIME_TYPE:
                coords.append(vocab.crime_type_of_offence_group(value) or "not-in-public-data")
            else:
                coords.append(value or NOT_RECORDED)
        out[tuple(coords)] += n
    categories = {d: dims.categories(d) for d in query.by}
    if PUBLIC_CRIME_TYPE in categories:
        # Fraud and computer misuse are not in the public files: their victims are shown apart, not dropped.
        categories[PUBLIC_CRIME_TYPE] = (*categories[PUBLIC_CRIME_TYPE], _NOT_PUBLIC, _ASB)
    return build_cube(population=query.population(measure_id), categories=categories, counts=out)


@computes(VICTIMS.id)
def victims(query: Query) -> Cube:
    return _cube(VICTIMS.id, query)


@computes(OFFERED.id)
def offers_sent(query: Query) -> Cube:
    return _cube(OFFERED.id, query)


@computes(CONSENTED.id)
def consented(query: Query) -> Cube:
    return _cube(CONSENTED.id, query)


@computes(REPEATS.id)
def repeat_victims(query: Query) -> Cube:
    return _cube(REPEATS.id, query)
