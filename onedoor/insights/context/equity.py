"""Disproportionality: how a group's share among people referred (or engaged) compares with its share of the
area's population, as a ratio with a 95% confidence interval.

The ratio is (a / n) / (c / N): a of the n people referred with the characteristic recorded are in the group,
against c of the N residents. The interval is the usual one for a ratio of two proportions, on the log scale
(Katz): log ratio +/- 1.96 * sqrt(1/a - 1/n + 1/c - 1/N). "Not recorded" and "prefer not to say" are left out
of n (they are shown beside the ratio), so the ratio compares like with like."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

Z_95 = 1.959963984540054


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"


DIRECTION_LABELS = {
    Direction.HIGHER: "Higher than the population",
    Direction.LOWER: "Lower than the population",
    Direction.NO_CLEAR_DIFFERENCE: "No clear difference",
}


@dataclass(frozen=True)
class Ratio:
    value: float
    low: float
    high: float

    @property
    def direction(self) -> Direction:
        """HIGHER or LOWER when the interval excludes 1 (the flag), else NO_CLEAR_DIFFERENCE."""
        if self.low > 1:
            return Direction.HIGHER
        if self.high < 1:
            return Direction.LOWER
        return Direction.NO_CLEAR_DIFFERENCE

    @property
    def flagged(self) -> bool:
        return self.direction is not Direction.NO_CLEAR_DIFFERENCE


def disproportionality(*, in_group: int, recorded: int, population_in_group: int, population: int) -> Ratio | None:
    """The ratio and its 95% interval, or None where it cannot be worked out (no one in the group among those
    referred, or none in the population, or nothing recorded)."""
    for name, value in (
        ("in_group", in_group),
        ("recorded", recorded),
        ("population_in_group", population_in_group),
        ("population", population),
    ):
        if value < 0:
            raise ValueError(f"{name} is negative ({value})")
    if in_group > recorded or population_in_group > population:
        raise ValueError("a group cannot be larger than its whole")
    if in_group == 0 or population_in_group == 0:
        return None
    ratio = (in_group / recorded) / (population_in_group / population)
    variance = 1 / in_group - 1 / recorded + 1 / population_in_group - 1 / population
    spread = Z_95 * math.sqrt(max(variance, 0.0))
    log_ratio = math.log(ratio)
    return Ratio(value=ratio, low=math.exp(log_ratio - spread), high=math.exp(log_ratio + spread))
