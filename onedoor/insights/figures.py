"""Figures made from protected counts. A figure built on a withheld count is withheld too: a percentage, a
rate or a median never reveals what disclosure control took out."""

from __future__ import annotations

from onedoor.insights.cells import CellKey
from onedoor.insights.disclosure import Protected
from onedoor.insights.tables import Figure, Unit


def count_figure(counts: Protected, key: CellKey) -> Figure:
    value = counts.shown[key]
    return Figure(value=value, unit=Unit.COUNT, suppressed=value is None)


def percent_figure(numerator: Protected, denominator: Protected, key: CellKey) -> Figure:
    """numerator / denominator at `key`, withheld when either count is. Protect the two in one call with
    `nested=[(numerator population, denominator population)]` (ADR 0022) so that their difference, itself a
    count, cannot be small and worked out from the two."""
    top, bottom = numerator.shown[key], denominator.shown[key]
    if top is None or bottom is None:
        return Figure(value=None, unit=Unit.PERCENT, suppressed=True)
    if bottom == 0:
        return Figure(value=None, unit=Unit.PERCENT)
    return Figure(value=100 * top / bottom, unit=Unit.PERCENT)


def rate_figure(counts: Protected, key: CellKey, *, population: int | None) -> Figure:
    value = counts.shown[key]
    if value is None:
        return Figure(value=None, unit=Unit.RATE_PER_1000, suppressed=True)
    if not population:
        return Figure(value=None, unit=Unit.RATE_PER_1000)
    return Figure(value=1000 * value / population, unit=Unit.RATE_PER_1000)


def statistic_figure(histogram: Protected, key: CellKey, *, dimension: str, statistic: str) -> Figure:
    """The median, 90th percentile or maximum of whole working days, from a histogram cube whose `dimension`
    codes are days. Withheld when fewer than k waits stand behind it, or when the count behind it is."""
    cube = histogram.cube
    total = histogram.shown[key]
    if total is None or 0 < cube[key] < histogram.k:
        return Figure(value=None, unit=Unit.WORKING_DAYS, suppressed=True)
    if cube[key] == 0:
        return Figure(value=None, unit=Unit.WORKING_DAYS)
    days = sorted((int(c.code), cube[key | {(dimension, c.code)}]) for c in cube.categories[dimension])
    n = cube[key]
    if statistic == "max":
        return Figure(value=max(d for d, count in days if count), unit=Unit.WORKING_DAYS)
    # The nearest-rank percentile: the smallest day by which at least that share of waits had ended.
    wanted = n / 2 if statistic == "median" else n * 9 / 10
    seen = 0
    for day, count in days:
        seen += count
        if seen >= wanted:
            return Figure(value=day, unit=Unit.WORKING_DAYS)
    raise AssertionError("unreachable: the histogram sums to its total")
