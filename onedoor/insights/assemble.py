"""Assembling a page of published tables from the registry.

A page asks for blocks: a measure, broken down by one dimension or not at all. Each block becomes a table with
the page's period, the previous period and the same period last year side by side. Assembly is generic over
the registry, so a measure registered later appears on its group's page with no change here:
- a count measure is computed; a percentage computes its numerator and denominator counts; a rate computes its
  count and divides by the Census population; a working-day statistic computes its count broken down by its
  histogram of days;
- every count one population needs on the page is computed ONCE, with every dimension any block of the page
  wants from it, so tables of the same population share their cells;
- every cube of the page goes through ONE `disclosure.protect` call, so disclosure control sees the whole page
  (tables, their totals and the trend) at once, and nothing published anywhere on it can be differenced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from onedoor.core.models import District
from onedoor.insights import dimensions as dims
from onedoor.insights import disclosure, figures
from onedoor.insights.cells import NOT_RECORDED, TOTAL, Category, CellKey, Cube, key
from onedoor.insights.disclosure import Protected
from onedoor.insights.periods import Period, trend_months
from onedoor.insights.query import Filters, Query, Scope, computable, compute_many
from onedoor.insights.registry import Measure
from onedoor.insights.tables import Column, Figure, Row, Table, Unit

CURRENT, PREVIOUS, LAST_YEAR = "current", "previous", "last_year"

# What the page says about suppressed figures when disclosure control does not give its own words.
DEFAULT_SUPPRESSION_NOTE = (
    "[c] marks a figure withheld so that nobody can be identified: counts from 1 to {below} are never "
    "published, and neither is any figure from which one could be worked out. [x] marks a figure that cannot "
    "be worked out (a percentage of nothing, a median of no waits)."
)


def threshold() -> int:
    """The area's k, from disclosure control (its own `threshold()` once the area can set it)."""
    own: Callable[[], int] | None = getattr(disclosure, "threshold", None)
    return own() if own is not None else disclosure.SUPPRESS_BELOW


def suppression_note() -> str:
    note = getattr(disclosure, "SUPPRESSION_NOTE", None)
    return str(note) if note else DEFAULT_SUPPRESSION_NOTE.format(below=threshold() - 1)


@dataclass(frozen=True)
class PageContext:
    """Who is looking, at what: the page's period, its filters and its scope. `services` are the service
    categories the scope may see (every commissioned one for the commissioner), so a provider's table never
    lists another provider's service, even with a zero."""

    period: Period
    filters: Filters
    scope: Scope
    services: tuple[Category, ...]


@dataclass(frozen=True)
class BlockSpec:
    measure: Measure
    by: str | None = None  # a dimension of the measure, or None for the total only
    section: str = ""  # where on the page the block goes (its tables' keys start with it)


@dataclass(frozen=True)
class Block:
    measure: Measure
    by: str | None
    section: str
    table: Table
    chart_table: Table | None  # the table a bar chart draws (the breakdown rows, not the total)


@dataclass(frozen=True)
class Trend:
    measure: Measure
    points: tuple[tuple[str, Figure], ...]
    table: Table


@dataclass
class Assembled:
    blocks: list[Block] = field(default_factory=list)
    trend: Trend | None = None
    missing: list[Measure] = field(default_factory=list)  # registered, but nothing computes it yet

    @property
    def tables(self) -> list[Table]:
        out = [b.table for b in self.blocks]
        if self.trend is not None:
            out.append(self.trend.table)
        return out


def counts_needed(measure: Measure) -> list[tuple[str, tuple[str, ...]]]:
    """The count measures a measure is made from, each with the extra dimensions it needs."""
    if measure.unit is Unit.PERCENT:
        return [(measure.numerator_id, ()), (measure.denominator_id, ())]
    if measure.unit is Unit.WORKING_DAYS:
        return [(measure.numerator_id, (measure.histogram,))]
    if measure.unit is Unit.RATE_PER_1000:
        return [(measure.numerator_id, ())]
    return [(measure.id, ())]


def available(measure: Measure) -> bool:
    have = computable()
    return all(count_id in have for count_id, _ in counts_needed(measure))


def comparison_periods(period: Period) -> dict[str, Period]:
    return {CURRENT: period, PREVIOUS: period.previous(), LAST_YEAR: period.same_period_last_year()}


def _as_at(day: date) -> str:
    return f"as at {day.day} {day:%B %Y}"


def column_label(measure: Measure, which: str, period: Period) -> str:
    if measure.snapshot:
        return {CURRENT: "This period", PREVIOUS: "Previous period", LAST_YEAR: "A year before"}[which] + (
            f" ({_as_at(period.end)})"
        )
    return {CURRENT: "This period", PREVIOUS: "Previous period", LAST_YEAR: "Same period last year"}[which] + (
        f" ({period.label})"
    )


class _Needs:
    """The cubes a page needs: for each population (count measure, period), one cube for each breakdown the
    page shows of it (ADR 0035). They share the population, so disclosure control sees them as one: the
    margins the page publishes and their common total, not a union cube of every dimension at once, whose
    inner cells nobody is shown and which grows with the product of the dimensions' categories."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx
        self.by: dict[tuple[str, Period], list[tuple[str, ...]]] = {}

    def want(self, count_id: str, period: Period, wanted: Sequence[str]) -> None:
        have = self.by.setdefault((count_id, period), [])
        if tuple(wanted) not in have:
            have.append(tuple(wanted))

    def query(self, count_id: str, period: Period, by: tuple[str, ...] = ()) -> Query:
        return Query(period=period, filters=self.ctx.filters, scope=self.ctx.scope, by=by)

    def compute_all(self) -> list[Cube]:
        return compute_many(
            [
                (count_id, self.query(count_id, period, by))
                for (count_id, period), breakdowns in self.by.items()
                for by in breakdowns
            ]
        )

    def population(self, count_id: str, period: Period) -> str:
        return self.query(count_id, period).population(count_id)

    def period_relations(self) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
        """How the page's periods of one count add up (ADR 0035): a period whose every month the page
        also shows (a quarter inside its 13-month trend) is their sum (`sums`); one whose months the page
        shows only some of (last year's quarter, of which the trend has one month) is those months plus a
        hidden rest (`covers`). Without these, a month withheld could be recovered as the quarter minus the
        other months, or a quarter's rest as the quarter minus its months shown."""
        sums: list[tuple[str, list[str]]] = []
        covers: list[tuple[str, list[str]]] = []
        periods_of: dict[str, list[Period]] = {}
        for count_id, period in self.by:
            periods_of.setdefault(count_id, []).append(period)
        for count_id, periods in periods_of.items():
            for whole in periods:
                parts = _disjoint_parts(whole, periods)
                if not parts:
                    continue
                names = [self.population(count_id, p) for p in parts]
                covered = sum(p.months for p in parts)
                (sums if covered == whole.months else covers).append((self.population(count_id, whole), names))
        return sums, covers


def _disjoint_parts(whole: Period, periods: Sequence[Period]) -> list[Period]:
    """The other periods inside `whole` that share no month, largest first (a page's periods are months,
    quarters, years and ranges; in practice the parts are the months of a trend)."""
    inside = sorted(
        (p for p in set(periods) if p != whole and whole.start <= p.start and p.end <= whole.end),
        key=lambda p: (-p.months, p.start),
    )
    chosen: list[Period] = []
    for p in inside:
        if all(p.end < q.start or q.end < p.start for q in chosen):
            chosen.append(p)
    return sorted(chosen, key=lambda p: p.start)


def _rows_for(ctx: PageContext, by: str | None, categories: Mapping[str, tuple[Category, ...]]) -> list[Category]:
    if by is None:
        return []
    if by == dims.SERVICE:
        return [*ctx.services, *(c for c in categories[by] if c.code == NOT_RECORDED)]
    return list(categories[by])


class _Figures:
    """Figures of one measure from the page's protected counts."""

    def __init__(
        self,
        *,
        needs: _Needs,
        protected: Mapping[str, Protected],
        populations: Mapping[str, int],
        district_filter: str | None,
    ) -> None:
        self.needs = needs
        self.protected = protected
        self.populations = populations
        self.district_filter = district_filter

    def counts(self, count_id: str, period: Period) -> Protected:
        return self.protected[self.needs.query(count_id, period).population(count_id)]

    def figure(self, measure: Measure, period: Period, cell: CellKey) -> Figure:
        if measure.unit is Unit.PERCENT:
            return figures.percent_figure(
                self.counts(measure.numerator_id, period), self.counts(measure.denominator_id, period), cell
            )
        if measure.unit is Unit.WORKING_DAYS:
            return figures.statistic_figure(
                self.counts(measure.numerator_id, period),
                cell,
                dimension=measure.histogram,
                statistic=measure.statistic,
            )
        if measure.unit is Unit.RATE_PER_1000:
            return figures.rate_figure(
                self.counts(measure.numerator_id, period), cell, population=self._population(cell)
            )
        return figures.count_figure(self.counts(measure.id, period), cell)

    def _population(self, cell: CellKey) -> int | None:
        district = dict(cell).get(dims.DISTRICT) or self.district_filter
        if district is None:
            return sum(self.populations.values()) or None
        return self.populations.get(district)


def _district_populations() -> dict[str, int]:
    return {gss: n for gss, n in District.objects.values_list("gss_code", "population") if n}


def assemble(
    ctx: PageContext,
    specs: Sequence[BlockSpec],
    *,
    trend_of: Measure | None = None,
) -> Assembled:
    """The published tables of a page (and, if asked, the 13-month trend of one measure)."""
    out = Assembled()
    periods = comparison_periods(ctx.period)
    needs = _Needs(ctx)
    wanted_specs: list[BlockSpec] = []
    for spec in specs:
        if not available(spec.measure):
            if spec.measure not in out.missing:
                out.missing.append(spec.measure)
            continue
        by = spec.by if spec.by in spec.measure.dimensions else None
        wanted_specs.append(BlockSpec(measure=spec.measure, by=by, section=spec.section))
        for count_id, extra in counts_needed(spec.measure):
            for period in periods.values():
                needs.want(count_id, period, [*([by] if by else []), *extra])
    months: list[Period] = []
    if trend_of is not None and available(trend_of):
        months = trend_months(ctx.period)
        for count_id, extra in counts_needed(trend_of):
            for m in months:
                needs.want(count_id, m, extra)
    with dims.page_cache():
        cubes = needs.compute_all()
        populations = _district_populations() if _has_rates(wanted_specs, trend_of) else {}
    sums, covers = needs.period_relations()
    protected = disclosure.protect(
        cubes,
        k=threshold(),
        sums=sums,
        covers=covers,
    )
    categories: dict[str, tuple[Category, ...]] = {}
    for cube in cubes:
        categories.update(cube.categories)
    make = _Figures(needs=needs, protected=protected, populations=populations, district_filter=ctx.filters.district)
    note = suppression_note()
    for spec in wanted_specs:
        out.blocks.append(_block(ctx, spec, periods, make, categories, note))
    if months and trend_of is not None:
        out.trend = _trend(trend_of, months, make, note)
    return out


def _has_rates(specs: Sequence[BlockSpec], trend_of: Measure | None) -> bool:
    return any(s.measure.unit is Unit.RATE_PER_1000 for s in specs) or (
        trend_of is not None and trend_of.unit is Unit.RATE_PER_1000
    )


def _block(
    ctx: PageContext,
    spec: BlockSpec,
    periods: Mapping[str, Period],
    make: _Figures,
    categories: Mapping[str, tuple[Category, ...]],
    note: str,
) -> Block:
    m = spec.measure
    columns = tuple(Column(key=which, label=column_label(m, which, p), unit=m.unit) for which, p in periods.items())
    rows: list[Row] = []
    for category in _rows_for(ctx, spec.by, categories):
        cell = key(**{spec.by: category.code}) if spec.by else TOTAL
        rows.append(
            Row(
                key=category.code,
                label=category.label,
                figures=tuple(make.figure(m, p, cell) for p in periods.values()),
            )
        )
    total = Row(
        key="total",
        label="All" if m.unit is not Unit.COUNT else "Total",
        figures=tuple(make.figure(m, p, TOTAL) for p in periods.values()),
        is_total=True,
    )
    heading = dims.DIMENSION_TITLES.get(spec.by, spec.by) if spec.by else "Measure"
    title = f"{m.title}, by {heading.lower()}" if spec.by else m.title
    notes = [note]
    if m.snapshot:
        notes.insert(
            0, f"A snapshot: each figure is as things stood on the last day of its period ({_as_at(ctx.period.end)})."
        )
    table_key = (f"{spec.section}--" if spec.section else "") + m.id + (f"--{spec.by}" if spec.by else "")
    table = Table(
        key=table_key,
        title=title,
        row_heading=heading if spec.by else "",
        columns=columns,
        rows=(*rows, total) if rows else (total,),
        measure_ids=(m.id,),
        period_label=ctx.period.label,
        snapshot=m.snapshot,
        notes=tuple(notes),
    )
    chart_table = (
        Table(
            key=table_key,
            title=title,
            row_heading=heading,
            columns=columns[:1],
            rows=tuple(Row(key=r.key, label=r.label, figures=r.figures[:1]) for r in rows),
            measure_ids=(m.id,),
            period_label=ctx.period.label,
            snapshot=m.snapshot,
            notes=tuple(notes),
        )
        if rows
        else None
    )
    return Block(measure=m, by=spec.by, section=spec.section, table=table, chart_table=chart_table)


def _trend(measure: Measure, months: Sequence[Period], make: _Figures, note: str) -> Trend:
    points = tuple((m.label, make.figure(measure, m, TOTAL)) for m in months)
    table = Table(
        key=f"trend--{measure.id}",
        title=f"{measure.title}: the 13 months to {months[-1].label}",
        row_heading="Month",
        columns=(Column(key="value", label=measure.title, unit=measure.unit),),
        rows=tuple(Row(key=m.code, label=label, figures=(f,)) for m, (label, f) in zip(months, points, strict=True)),
        measure_ids=(measure.id,),
        period_label=f"{months[0].label} to {months[-1].label}",
        snapshot=measure.snapshot,
        notes=(note,),
    )
    return Trend(measure=measure, points=points, table=table)
