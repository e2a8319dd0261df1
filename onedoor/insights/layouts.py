"""The shapes of the two fixed publications, as sections of registered measures:
- the quarterly return, in the shape of the Ministry of Justice's victim services monitoring (referrals
  received, people supported, by crime type, demographics, needs and outcomes in the 8 categories, waiting
  times), with Victims' Code compliance after it;
- the needs-assessment report, in the shape of the needs assessment's section 5 (demand, profile, flow,
  waiting, outcomes, equity, data quality).
A section names groups of the registry and how to break their measures down, so a measure registered in one
of those groups appears in the return and the report with no change here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onedoor.insights import dimensions as dims
from onedoor.insights.assemble import BlockSpec
from onedoor.insights.registry import Group, measures_in

# A breakdown meaning "the measure's own first dimension, or its total if it has none".
FIRST = "first"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    groups: tuple[Group, ...]
    # Each breakdown makes one table of each measure: None is the total, FIRST the measure's first dimension,
    # a dimension id only for measures that have it.
    by: tuple[str | None, ...]
    intro: str = ""

    def specs(self) -> list[BlockSpec]:
        out: list[BlockSpec] = []
        for group in self.groups:
            for measure in measures_in(group):
                for by in self.by:
                    if by == FIRST:
                        chosen = measure.dimensions[0] if measure.dimensions else None
                    elif by is None or by in measure.dimensions:
                        chosen = by
                    else:
                        continue
                    spec = BlockSpec(measure=measure, by=chosen, section=self.key)
                    if spec not in out:
                        out.append(spec)
        return out


def specs_of(sections: Sequence[Section]) -> list[BlockSpec]:
    return [spec for section in sections for spec in section.specs()]


QUARTERLY_RETURN = (
    Section(
        "referrals",
        "Referrals received",
        (Group.DEMAND,),
        (dims.SOURCE,),
        "Every referral received in the quarter, by the route it came in.",
    ),
    Section(
        "supported",
        "People supported",
        (Group.FLOW, Group.PARTNERSHIP),
        (None,),
        "How many were accepted, contacted, engaged and closed, and how many were supported jointly or onwards.",
    ),
    Section("crime", "By crime type", (Group.DEMAND, Group.FLOW), (dims.OFFENCE_GROUP,)),
    Section("demographics", "Demographics", (Group.DEMAND, Group.EQUITY), (dims.AGE_BAND, FIRST)),
    Section("outcomes", "Needs and outcomes in the 8 categories", (Group.OUTCOMES,), (FIRST,)),
    Section("waiting", "Waiting times", (Group.TIMELINESS,), (FIRST,)),
    Section("code", "Victims' Code compliance", (Group.COMPLIANCE,), (None,)),
)

NEEDS_ASSESSMENT_REPORT = (
    Section(
        "demand",
        "Demand",
        (Group.DEMAND, Group.POLICE_REACH),
        (dims.DISTRICT, FIRST),
        "What arrived at the front door, and how many of the victims in the police's files were offered support.",
    ),
    Section(
        "profile",
        "Profile",
        (Group.DEMAND,),
        (dims.OFFENCE_GROUP, dims.AGE_BAND),
        "Who was referred: the offences and the ages.",
    ),
    Section("flow", "Flow", (Group.FLOW, Group.PARTNERSHIP), (FIRST,), "What happened to each referral."),
    Section("waiting", "Waiting", (Group.TIMELINESS,), (FIRST,), "How long people waited, in working days."),
    Section("outcomes", "Outcomes", (Group.OUTCOMES,), (FIRST,), "What changed for the people supported."),
    Section("equity", "Equity", (Group.EQUITY,), (FIRST,), "Who is reached, by each protected characteristic."),
    Section("quality", "Data quality", (Group.DATA_QUALITY,), (FIRST,), "How completely the fields are recorded."),
    Section("code", "Victims' Code compliance", (Group.COMPLIANCE,), (None,)),
)
