"""The measure registry: every figure the commissioner sees is defined here once, with its plain-English
definition, what it counts and out of what, its unit, and the dimensions it can be broken down by. Pages,
exports, the quarterly return, the report and `docs/insights.md` (the data dictionary) all read it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from onedoor.insights.tables import Unit


class Group(StrEnum):
    DEMAND = "demand"
    POLICE_REACH = "police_reach"
    FLOW = "flow"
    TIMELINESS = "timeliness"
    OUTCOMES = "outcomes"
    PARTNERSHIP = "partnership"
    EQUITY = "equity"
    DATA_QUALITY = "data_quality"
    COMPLIANCE = "compliance"
    CONTEXT = "context"
    POLICE_PROFILE = "police_profile"


GROUP_TITLES = {
    Group.DEMAND: "Demand",
    Group.POLICE_REACH: "Police reach",
    Group.FLOW: "Flow",
    Group.TIMELINESS: "Timeliness",
    Group.OUTCOMES: "Outcomes",
    Group.PARTNERSHIP: "Partnership",
    Group.EQUITY: "Equity",
    Group.DATA_QUALITY: "Data quality",
    Group.COMPLIANCE: "Victims' Code compliance",
    Group.CONTEXT: "Recorded crime and population",
    Group.POLICE_PROFILE: "Police profile",
}


@dataclass(frozen=True)
class Measure:
    """One measure. `numerator` and `denominator` are plain words (the denominator empty for a count);
    `dimensions` are dimension ids from `onedoor.insights.dimensions`; a `snapshot` measure is "as at" a day,
    not a figure for a period; `code_paragraph` names the Victims' Code right it evidences, if any.

    How the figure is made from counts:
    - a COUNT measure has its own computation (`onedoor.insights.query.computes`);
    - a PERCENT measure names two count measures, `numerator_id` and `denominator_id`, computed over the same
      query: each cell is numerator / denominator;
    - a RATE_PER_1000 measure names its count `numerator_id`; the denominator is the Census population;
    - a WORKING_DAYS measure names a count measure `numerator_id` whose cube has one more dimension,
      `histogram`, whose category codes are whole working days ("0", "1", ...); `statistic` is "median",
      "p90" or "max" of that distribution, and `denominator` says what it is of.
    """

    id: str
    group: Group
    title: str
    definition: str
    unit: Unit
    numerator: str
    denominator: str = ""
    dimensions: tuple[str, ...] = ()
    snapshot: bool = False
    code_paragraph: str = ""
    numerator_id: str = ""
    denominator_id: str = ""
    histogram: str = ""
    statistic: str = ""


STATISTICS = ("median", "p90", "max")

MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    if measure.id in MEASURES and MEASURES[measure.id] != measure:
        raise ValueError(f"measure {measure.id} is defined twice, differently")
    if measure.unit is Unit.PERCENT and not (measure.numerator_id and measure.denominator_id):
        raise ValueError(f"measure {measure.id} is a percentage but does not name its two counts")
    if measure.unit in (Unit.RATE_PER_1000, Unit.WORKING_DAYS) and not measure.numerator_id:
        raise ValueError(f"measure {measure.id} is a {measure.unit} but does not name the count it is made from")
    if measure.unit is Unit.WORKING_DAYS and not (measure.histogram and measure.statistic in STATISTICS):
        raise ValueError(f"measure {measure.id} needs a histogram dimension and a statistic of {STATISTICS}")
    MEASURES[measure.id] = measure
    return measure


def measures_in(group: Group) -> list[Measure]:
    return [m for m in MEASURES.values() if m.group is group]
