"""The context pages' tables: reach against recorded crime and population, equity against the Census,
recorded crime by deprivation, outcomes, and the police profile. Every count comes from a registered
measure's cube, and every cube of a page passes through disclosure control together before any figure is
made; Census populations are published statistics and are shown as they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from onedoor.core.models import District
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, TOTAL, Category, CellKey, Cube, build_cube, key
from onedoor.insights.context.census import comparator, district_populations
from onedoor.insights.context.dims import (
    CONSENT,
    ETHNIC_GROUP,
    IMD_DECILE,
    OUTCOME_GROUP,
    PREFER_NOT_TO_SAY,
    PUBLIC_CRIME_TYPE,
    REPEAT,
)
from onedoor.insights.context.equity import DIRECTION_LABELS, disproportionality
from onedoor.insights.context.vocab import vocabularies
from onedoor.insights.disclosure import SUPPRESS_BELOW, Protected, protect
from onedoor.insights.figures import count_figure, rate_figure
from onedoor.insights.periods import Period, month
from onedoor.insights.query import Filters, Query, computable, compute
from onedoor.insights.tables import Column, Figure, Row, Table, Unit

RECORDED = "context.recorded_crimes"
ASB = "context.asb_incidents"
OUTCOMES = "context.outcomes_recorded"
REFERRED = "context.referred"
ENGAGED = "context.engaged"
VICTIMS = "police_profile.victims"
OFFERS = "police_profile.offers_sent"
RECEIVED = "demand.received"

CRIMES_NOT_VICTIMS = (
    "Recorded crimes count crimes, not victims: a crime may have several victims, and a victim several crimes. "
    "Victims in the police transfer, offers, referrals and people engaged count people (a person referred "
    "twice counts twice)."
)
SUPPRESSION = (
    f"[c]: withheld to protect confidentiality (a count from 1 to {SUPPRESS_BELOW - 1}, or a figure made "
    "from one). [x]: cannot be worked out."
)

Spec = tuple[str, tuple[str, ...]]  # (measure id, breakdown)


def _name(measure_id: str, query: Query) -> str:
    return f"{query.population(measure_id)}#by={','.join(query.by)}"


def months_of(period: Period) -> list[Period]:
    return [month(m.year, m.month) for m in period.month_starts()]


@dataclass
class Page:
    """The cubes one page shows, computed for its period and filters, then protected together."""

    period: Period
    filters: Filters
    protected: dict[str, Protected]

    def get(self, measure_id: str, by: tuple[str, ...], period: Period | None = None) -> Protected | None:
        query = Query(period=period or self.period, filters=self.filters, by=by)
        return self.protected.get(_name(measure_id, query))


def page_for(*, period: Period, filters: Filters, specs: Sequence[Spec], monthly: Sequence[Spec] = ()) -> Page:
    """Compute every cube the page shows (`monthly` ones for each month of the period too), then protect them
    all in one call, so that disclosure control sees the whole page."""
    cubes: dict[str, Cube] = {}

    def add(measure_id: str, by: tuple[str, ...], p: Period) -> None:
        query = Query(period=p, filters=filters, by=by)
        if measure_id == RECEIVED + "@type":
            base = compute(RECEIVED, replace(query, by=(dims.OFFENCE_GROUP,)))
            cube = _by_public_type(base, population=_name(measure_id, query))
        elif measure_id in computable():
            cube = replace(compute(measure_id, query), population=_name(measure_id, query))
        else:
            return  # a measure another part of OneDoor registers; its column shows [x] until then
        cubes[cube.population] = cube

    for measure_id, by in specs:
        add(measure_id, by, period)
    for measure_id, by in monthly:
        for m in months_of(period):
            add(measure_id, by, m)
    return Page(period=period, filters=filters, protected=protect(list(cubes.values()), k=SUPPRESS_BELOW))


def _by_public_type(cube: Cube, *, population: str) -> Cube:
    """Referrals by OneDoor offence group, added up to the public crime type that covers each group: the only
    level at which they can be set beside the public files."""
    vocab = vocabularies()
    counts: Counter[tuple[str, ...]] = Counter()
    for category in cube.categories[dims.OFFENCE_GROUP]:
        n = cube[key(**{dims.OFFENCE_GROUP: category.code})]
        counts[(vocab.crime_type_of_offence_group(category.code) or _NOT_PUBLIC.code,)] += n
    return build_cube(population=population, categories={PUBLIC_CRIME_TYPE: _public_types()}, counts=counts)


_NOT_PUBLIC = Category("not-in-public-data", "Not in the public data (fraud, computer misuse)")
_ASB = Category("anti-social-behaviour", "Anti-social behaviour")


def _public_types() -> tuple[Category, ...]:
    return (*dims.categories(PUBLIC_CRIME_TYPE), _NOT_PUBLIC, _ASB)


# -- figures ---------------------------------------------------------------------------------------------


def _count(p: Protected | None, k: CellKey) -> Figure:
    if p is None or k not in p.shown:
        return Figure(value=None)
    return count_figure(p, k)


def _share(p: Protected | None, k: CellKey, *, of: CellKey = TOTAL) -> Figure:
    if p is None or k not in p.shown:
        return Figure(value=None, unit=Unit.PERCENT)
    top, bottom = p.shown[k], p.shown[of]
    if top is None or bottom is None:
        return Figure(value=None, unit=Unit.PERCENT, suppressed=True)
    if bottom == 0:
        return Figure(value=None, unit=Unit.PERCENT)
    return Figure(value=100 * top / bottom, unit=Unit.PERCENT)


def _rate(p: Protected | None, k: CellKey, population: int | None) -> Figure:
    if p is None or k not in p.shown:
        return Figure(value=None, unit=Unit.RATE_PER_1000)
    return rate_figure(p, k, population=population)


def populations() -> tuple[dict[str, int], str]:
    """Residents by district, and where the figures come from."""
    found, table = district_populations()
    if table is not None:
        return found, table.label
    fallback = {d.gss_code: d.population for d in District.objects.all() if d.population}
    return fallback, "the area file's Census figures"


# -- reach -------------------------------------------------------------------------------------------------

REACH = (
    (RECORDED, "Recorded crimes"),
    (VICTIMS, "Victims in the police transfer"),
    (OFFERS, "Support offers sent"),
    (REFERRED, "Referrals"),
    (ENGAGED, "People engaged"),
)


def reach_specs() -> list[Spec]:
    return [(m, (dims.DISTRICT,)) for m, _ in REACH]


def reach_monthly_specs() -> list[Spec]:
    return [(m, ()) for m, _ in REACH]


def type_specs() -> list[Spec]:
    return [
        (RECORDED, (PUBLIC_CRIME_TYPE,)),
        (VICTIMS, (PUBLIC_CRIME_TYPE,)),
        (OFFERS, (PUBLIC_CRIME_TYPE,)),
        (RECEIVED + "@type", (PUBLIC_CRIME_TYPE,)),
    ]


def _reach_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for measure_id, label in REACH:
        columns.append(Column(measure_id, label))
        columns.append(Column(f"{measure_id}:rate", f"{label} per 1,000 residents", Unit.RATE_PER_1000))
    return tuple(columns)


def reach_by_district(page: Page) -> Table:
    pops, source = populations()
    rows = []
    for district in District.objects.all():
        k = key(**{dims.DISTRICT: district.gss_code})
        figures: list[Figure] = []
        for measure_id, _ in REACH:
            p = page.get(measure_id, (dims.DISTRICT,))
            figures += [_count(p, k), _rate(p, k, pops.get(district.gss_code))]
        rows.append(Row(district.gss_code, district.name, tuple(figures)))
    total_pop = sum(pops.values()) or None
    totals: list[Figure] = []
    for measure_id, _ in REACH:
        p = page.get(measure_id, (dims.DISTRICT,))
        totals += [_count(p, TOTAL), _rate(p, TOTAL, total_pop)]
    rows.append(Row("total", "All districts", tuple(totals), is_total=True))
    return Table(
        key="reach-district",
        title=f"Reach by district, {page.period.label}",
        row_heading="District",
        columns=_reach_columns(),
        rows=tuple(rows),
        measure_ids=tuple(m for m, _ in REACH),
        period_label=page.period.label,
        notes=(
            CRIMES_NOT_VICTIMS,
            f"Rates per 1,000 usual residents, from {source}. The total includes records with no district.",
            SUPPRESSION,
        ),
    )


def reach_by_month(page: Page) -> Table:
    pops, source = populations()
    total_pop = sum(pops.values()) or None
    rows = []
    for m in months_of(page.period):
        figures: list[Figure] = []
        for measure_id, _ in REACH:
            p = page.get(measure_id, (), period=m)
            figures += [_count(p, TOTAL), _rate(p, TOTAL, total_pop)]
        rows.append(Row(m.code, m.label, tuple(figures)))
    return Table(
        key="reach-month",
        title=f"Reach by month, all districts, {page.period.label}",
        row_heading="Month",
        columns=_reach_columns(),
        rows=tuple(rows),
        measure_ids=tuple(m for m, _ in REACH),
        period_label=page.period.label,
        notes=(CRIMES_NOT_VICTIMS, f"Rates per 1,000 usual residents, from {source}.", SUPPRESSION),
    )


def crimes_by_district_and_month(page: Page) -> Table:
    """Recorded crimes by district (columns) and month (rows), each month its own protected cube."""
    districts = list(District.objects.all())
    rows = []
    for m in months_of(page.period):
        p = page.get(RECORDED, (dims.DISTRICT,), period=m)
        figures = [_count(p, key(**{dims.DISTRICT: d.gss_code})) for d in districts]
        rows.append(Row(m.code, m.label, (*figures, _count(p, TOTAL))))
    return Table(
        key="crimes-district-month",
        title=f"Recorded crimes by district and month, {page.period.label}",
        row_heading="Month",
        columns=(*(Column(d.gss_code, d.name) for d in districts), Column("total", "All districts")),
        rows=tuple(rows),
        measure_ids=(RECORDED,),
        period_label=page.period.label,
        notes=(CRIMES_NOT_VICTIMS, SUPPRESSION),
    )


def reach_by_type(page: Page) -> Table:
    columns = (
        Column(RECORDED, "Recorded crimes"),
        Column(VICTIMS, "Victims in the police transfer"),
        Column(OFFERS, "Support offers sent"),
        Column(RECEIVED, "Referrals"),
    )
    cubes = [
        page.get(RECORDED, (PUBLIC_CRIME_TYPE,)),
        page.get(VICTIMS, (PUBLIC_CRIME_TYPE,)),
        page.get(OFFERS, (PUBLIC_CRIME_TYPE,)),
        page.get(RECEIVED + "@type", (PUBLIC_CRIME_TYPE,)),
    ]
    rows = []
    for category in _public_types():
        k = key(**{PUBLIC_CRIME_TYPE: category.code})
        rows.append(Row(category.code, category.label, tuple(_count(p, k) for p in cubes)))
    rows.append(Row("total", "All types", tuple(_count(p, TOTAL) for p in cubes), is_total=True))
    return Table(
        key="reach-type",
        title=f"Reach by public crime type, {page.period.label}",
        row_heading="Public crime type",
        columns=columns,
        rows=tuple(rows),
        measure_ids=(RECORDED, VICTIMS, OFFERS, RECEIVED),
        period_label=page.period.label,
        notes=(
            CRIMES_NOT_VICTIMS,
            "OneDoor's offence groups are added up to the public crime type that covers them: 'Violence and "
            "sexual offences' covers violence, rape and other sexual offences, and is never split finer.",
            "Anti-social behaviour is not recorded crime; fraud and computer misuse are not in the public files.",
            SUPPRESSION,
        ),
    )


# -- equity ------------------------------------------------------------------------------------------------

# (dimension, Census comparator characteristic)
EQUITY = ((dims.AGE_BAND, "age_band"), (dims.SEX, "sex"), (ETHNIC_GROUP, "ethnicity"))


def equity_specs() -> list[Spec]:
    return [(m, (d,)) for d, _ in EQUITY for m in (REFERRED, ENGAGED)]


def _equity_columns() -> tuple[Column, ...]:
    columns = [
        Column("population", "Residents (Census)"),
        Column("population_share", "Share of residents", Unit.PERCENT),
    ]
    for who, label in ((REFERRED, "Referred"), (ENGAGED, "Engaged")):
        columns += [
            Column(who, label),
            Column(f"{who}:share", f"{label}: share of those recorded", Unit.PERCENT),
            Column(f"{who}:ratio", f"{label}: disproportionality ratio", Unit.RATIO),
            Column(f"{who}:low", f"{label}: 95% interval, lower", Unit.RATIO),
            Column(f"{who}:high", f"{label}: 95% interval, upper", Unit.RATIO),
            Column(f"{who}:flag", f"{label}: compared with the population", Unit.RATIO),
        ]
    return tuple(columns)


def _ratio_figures(p: Protected | None, dimension: str, code: str, pop_in: int, pop_total: int) -> list[Figure]:
    """Count, share of those recorded, ratio, interval and flag for one category; withheld where any count
    behind them is."""
    na = [Figure(value=None, unit=Unit.PERCENT)] + [Figure(value=None, unit=Unit.RATIO)] * 4
    if p is None:
        return [Figure(value=None), *na]
    count = _count(p, key(**{dimension: code}))
    unknown = [p.shown.get(key(**{dimension: c})) for c in (NOT_RECORDED, PREFER_NOT_TO_SAY)]
    total = p.shown[TOTAL]
    a = p.shown[key(**{dimension: code})]
    if a is None or total is None or any(u is None for u in unknown):
        withheld = [Figure(value=None, unit=Unit.PERCENT, suppressed=True)]
        return [count, *withheld, *(Figure(value=None, unit=Unit.RATIO, suppressed=True) for _ in range(4))]
    recorded = total - sum(u or 0 for u in unknown)
    share = Figure(value=100 * a / recorded, unit=Unit.PERCENT) if recorded else Figure(value=None, unit=Unit.PERCENT)
    ratio = (
        disproportionality(in_group=a, recorded=recorded, population_in_group=pop_in, population=pop_total)
        if recorded
        else None
    )
    if ratio is None:
        return [count, share, *(Figure(value=None, unit=Unit.RATIO) for _ in range(4))]
    return [
        count,
        share,
        Figure(value=ratio.value, unit=Unit.RATIO),
        Figure(value=ratio.low, unit=Unit.RATIO),
        Figure(value=ratio.high, unit=Unit.RATIO),
        Figure(value=None, unit=Unit.RATIO, label=DIRECTION_LABELS[ratio.direction]),
    ]


def equity_tables(page: Page) -> list[Table]:
    tables = []
    for dimension, characteristic in EQUITY:
        comp = comparator(characteristic)
        if comp is None:
            continue
        pop_total = comp.total
        rows = []
        for category in dims.categories(dimension):
            if category.code in (NOT_RECORDED, PREFER_NOT_TO_SAY):
                continue
            pop_in = comp.persons.get(category.code, 0)
            figures = [
                Figure(value=pop_in),
                Figure(value=100 * pop_in / pop_total if pop_total else None, unit=Unit.PERCENT),
            ]
            for who in (REFERRED, ENGAGED):
                figures += _ratio_figures(page.get(who, (dimension,)), dimension, category.code, pop_in, pop_total)
            rows.append(Row(category.code, category.label, tuple(figures)))
        for code, label in ((PREFER_NOT_TO_SAY, "Prefer not to say"), (NOT_RECORDED, "Not recorded")):
            figures = [Figure(value=None), Figure(value=None, unit=Unit.PERCENT)]
            for who in (REFERRED, ENGAGED):
                p = page.get(who, (dimension,))
                figures += [_count(p, key(**{dimension: code})), _share(p, key(**{dimension: code}))]
                figures += [Figure(value=None, unit=Unit.RATIO)] * 4
            rows.append(Row(code, f"{label} (left out of the ratio)", tuple(figures)))
        tables.append(
            Table(
                key=f"equity-{characteristic}",
                title=f"Who is referred and engaged, by {dims.DIMENSION_TITLES[dimension].lower()}, against the "
                f"population, {page.period.label}",
                row_heading=dims.DIMENSION_TITLES[dimension],
                columns=_equity_columns(),
                rows=tuple(rows),
                measure_ids=(REFERRED, ENGAGED),
                period_label=page.period.label,
                notes=(
                    f"Population: {comp.table.label}.",
                    "Disproportionality ratio: the group's share of those referred (or engaged) whose "
                    "characteristic is recorded, divided by its share of residents. 1 is proportionate. The 95% "
                    "interval is on the log scale (Katz); where it excludes 1 the row says higher or lower.",
                    "Not recorded and prefer not to say are left out of the ratio and shown as a share of all.",
                    SUPPRESSION,
                ),
            )
        )
    return tables


# -- deprivation and outcomes --------------------------------------------------------------------------------


def deprivation_specs() -> list[Spec]:
    return [(RECORDED, (IMD_DECILE,)), (ASB, (IMD_DECILE,))]


def deprivation_table(page: Page) -> Table:
    crimes, asb = page.get(RECORDED, (IMD_DECILE,)), page.get(ASB, (IMD_DECILE,))
    rows = []
    for category in dims.categories(IMD_DECILE):
        k = key(**{IMD_DECILE: category.code})
        rows.append(
            Row(category.code, category.label, (_count(crimes, k), _share(crimes, k), _count(asb, k), _share(asb, k)))
        )
    rows.append(
        Row(
            "total",
            "All deciles",
            (_count(crimes, TOTAL), _share(crimes, TOTAL), _count(asb, TOTAL), _share(asb, TOTAL)),
            is_total=True,
        )
    )
    return Table(
        key="deprivation",
        title=f"Recorded crime by deprivation decile of the LSOA, {page.period.label}",
        row_heading="IMD 2019 decile (England)",
        columns=(
            Column(RECORDED, "Recorded crimes"),
            Column(f"{RECORDED}:share", "Share of recorded crimes", Unit.PERCENT),
            Column(ASB, "Anti-social behaviour"),
            Column(f"{ASB}:share", "Share of anti-social behaviour", Unit.PERCENT),
        ),
        rows=tuple(rows),
        measure_ids=(RECORDED, ASB),
        period_label=page.period.label,
        notes=(
            "Deciles of the Index of Multiple Deprivation 2019 rank of each LSOA among all LSOAs in England: 1 is "
            "the most deprived tenth.",
            SUPPRESSION,
        ),
    )


def outcome_specs() -> list[Spec]:
    return [(RECORDED, (OUTCOME_GROUP,)), (OUTCOMES, (OUTCOME_GROUP,))]


def outcomes_table(page: Page) -> Table:
    last, recorded = page.get(RECORDED, (OUTCOME_GROUP,)), page.get(OUTCOMES, (OUTCOME_GROUP,))
    rows = []
    for category in dims.categories(OUTCOME_GROUP):
        k = key(**{OUTCOME_GROUP: category.code})
        rows.append(
            Row(
                category.code,
                category.label,
                (_count(last, k), _share(last, k), _count(recorded, k), _share(recorded, k)),
            )
        )
    rows.append(
        Row(
            "total",
            "All outcomes",
            (_count(last, TOTAL), _share(last, TOTAL), _count(recorded, TOTAL), _share(recorded, TOTAL)),
            is_total=True,
        )
    )
    return Table(
        key="outcomes",
        title=f"Outcomes of recorded crime, by outcome group, {page.period.label}",
        row_heading="Outcome group",
        columns=(
            Column(RECORDED, "Crimes recorded in the period, by last outcome"),
            Column(f"{RECORDED}:share", "Share", Unit.PERCENT),
            Column(OUTCOMES, "Outcomes recorded in the period"),
            Column(f"{OUTCOMES}:share", "Share", Unit.PERCENT),
        ),
        rows=tuple(rows),
        measure_ids=(RECORDED, OUTCOMES),
        period_label=page.period.label,
        notes=(
            "The street file gives each crime's last outcome so far; the outcomes file lists outcomes recorded in "
            "the month, many for crimes from earlier months.",
            SUPPRESSION,
        ),
    )


# -- the police profile (section 5.1) ------------------------------------------------------------------------

PROFILE = (
    (dims.DISTRICT, "Victims by district"),
    (dims.OFFENCE_GROUP, "Offence mix"),
    (CONSENT, "Consent to share details"),
    (dims.AGE_BAND, "Age bands"),
    (dims.SEX, "Sex"),
    (ETHNIC_GROUP, "Ethnicity recorded and not recorded"),
    (REPEAT, "Repeat victims"),
)


def profile_specs() -> list[Spec]:
    return [(VICTIMS, (d,)) for d, _ in PROFILE]


def profile_tables(page: Page) -> list[Table]:
    tables = []
    for dimension, title in PROFILE:
        p = page.get(VICTIMS, (dimension,))
        rows = [
            Row(c.code, c.label, (_count(p, key(**{dimension: c.code})), _share(p, key(**{dimension: c.code}))))
            for c in dims.categories(dimension)
        ]
        rows.append(Row("total", "All victims", (_count(p, TOTAL), _share(p, TOTAL)), is_total=True))
        tables.append(
            Table(
                key=f"profile-{dimension}",
                title=f"{title}, victims in the police transfer, {page.period.label}",
                row_heading=dims.DIMENSION_TITLES[dimension],
                columns=(Column(VICTIMS, "Victims"), Column(f"{VICTIMS}:share", "Share of victims", Unit.PERCENT)),
                rows=tuple(rows),
                measure_ids=(VICTIMS,),
                period_label=page.period.label,
                notes=(
                    "From OneDoor's own police transfer records, as the needs assessment's section 5.1 did from "
                    "the force's. Not recorded is a category of its own and is counted in every total.",
                    SUPPRESSION,
                ),
            )
        )
    return tables
