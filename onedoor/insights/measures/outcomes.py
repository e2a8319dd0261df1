"""Outcomes: what the person said at closure, needs improved in each of the eight categories, reliable change
on PHQ-9, GAD-7 and CORE-10 (with the cut-offs and reliable-change thresholds of
`onedoor.casework.measures`), and satisfaction from feedback."""

from __future__ import annotations

from onedoor.casework.measures import MEASURES as INSTRUMENTS
from onedoor.casework.models import Coped
from onedoor.directory.models import Satisfaction
from onedoor.insights import dimensions as dims
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.read import count_measure
from onedoor.insights.tables import Unit

STANDARD = (dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND)
ASKED = (Coped.YES.value, Coped.PARTLY.value, Coped.NO.value)

CLOSURES = count_measure(
    Measure(
        id="outcomes.closures",
        group=Group.OUTCOMES,
        title="Cases closed",
        definition=(
            "Cases closed in the period, by the day closed, with the service that held them. A case re-opened "
            "and closed again counts at each closure."
        ),
        unit=Unit.COUNT,
        numerator="Closures recorded in the period",
        dimensions=STANDARD,
    ),
    facts.CLOSED,
)

COPE_ASKED = count_measure(
    Measure(
        id="outcomes.cope_asked",
        group=Group.OUTCOMES,
        title="Closures where the person was asked how they cope",
        definition=(
            "Cases closed in the period where the person was asked, at closure, whether they felt better able "
            "to cope and recover, and answered yes, partly or no (closures marked \u201cnot asked\u201d are left out)."
        ),
        unit=Unit.COUNT,
        numerator="Closures in the period with an answer to \u201cbetter able to cope and recover?\u201d",
        dimensions=STANDARD,
    ),
    facts.COPE,
    only=ASKED,
)

for answer, words in ((Coped.YES, "yes"), (Coped.PARTLY, "partly")):
    count = count_measure(
        Measure(
            id=f"outcomes.cope_{answer.value}",
            group=Group.OUTCOMES,
            title=f"Better able to cope and recover: {words}",
            definition=(
                "Cases closed in the period where the person said, at closure, that they felt better able to "
                f"cope and recover: \u201c{words}\u201d."
            ),
            unit=Unit.COUNT,
            numerator=f"Closures in the period where the answer was \u201c{words}\u201d",
            dimensions=STANDARD,
        ),
        facts.COPE,
        only=(answer.value,),
    )
    register(
        Measure(
            id=f"outcomes.cope_{answer.value}_pct",
            group=Group.OUTCOMES,
            title=f"Better able to cope and recover: {words} (%)",
            definition=(
                f"The share of the people asked at closure who answered \u201c{words}\u201d to whether they felt "
                "better able to cope and recover, over the cases closed in the period."
            ),
            unit=Unit.PERCENT,
            numerator=count.numerator,
            denominator=COPE_ASKED.numerator,
            dimensions=STANDARD,
            numerator_id=count.id,
            denominator_id=COPE_ASKED.id,
        )
    )

NEEDS_IDENTIFIED = count_measure(
    Measure(
        id="outcomes.needs_identified",
        group=Group.OUTCOMES,
        title="Needs identified, among cases closed",
        definition=(
            "For each of the eight categories of need, the cases closed in the period whose needs assessment "
            "rated that need low, medium or high. A case counts once in each category it had a need in, so "
            "the total over categories counts needs, not cases."
        ),
        unit=Unit.COUNT,
        numerator="Closures in the period with the need identified in an assessment",
        dimensions=(*STANDARD, dims.NEED),
    ),
    facts.NEED_IDENTIFIED,
)

NEEDS_IMPROVED = count_measure(
    Measure(
        id="outcomes.needs_improved",
        group=Group.OUTCOMES,
        title="Needs improved, among cases closed",
        definition=(
            "For each of the eight categories of need, the cases closed in the period that had the need "
            "identified in an assessment and where the caseworker recorded at closure that it had improved "
            "(the person was better able to cope and recover in it)."
        ),
        unit=Unit.COUNT,
        numerator="Closures in the period with the need identified and recorded as improved",
        dimensions=(*STANDARD, dims.NEED),
    ),
    facts.NEED_IMPROVED,
)

register(
    Measure(
        id="outcomes.needs_improved_pct",
        group=Group.OUTCOMES,
        title="Better able to cope and recover, by category of need (%)",
        definition=(
            "Of the cases closed in the period with a need identified in a category, the share recorded at "
            "closure as improved in that category."
        ),
        unit=Unit.PERCENT,
        numerator=NEEDS_IMPROVED.numerator,
        denominator=NEEDS_IDENTIFIED.numerator,
        dimensions=(*STANDARD, dims.NEED),
        numerator_id=NEEDS_IMPROVED.id,
        denominator_id=NEEDS_IDENTIFIED.id,
    )
)


def _instrument_measures(code: str) -> None:
    spec = INSTRUMENTS[code]
    name = spec.name
    rules = (
        f"A reliable change on {name} is {spec.reliable_change} points or more; its clinical cut-off is "
        f"{spec.clinical_cutoff} (a score of {spec.clinical_cutoff} or more is at or above it)."
    )
    base = (
        f"Cases closed in the period with two or more {name} scores, comparing the first score with the last "
        "(by the day each was given)."
    )
    kinds = {
        "paired": (f"Closures with two or more {name} scores", base, f"Closures with two or more {name} scores"),
        "improved": (
            f"{name}: reliable improvement",
            f"{base} Those whose score fell by the reliable change or more. {rules}",
            f"Closures whose {name} score fell reliably",
        ),
        "deteriorated": (
            f"{name}: reliable deterioration",
            f"{base} Those whose score rose by the reliable change or more. {rules}",
            f"Closures whose {name} score rose reliably",
        ),
        "caseness": (
            f"{name}: first score at or above the cut-off",
            f"{base} Those whose first score was at or above the clinical cut-off. {rules}",
            f"Closures whose first {name} score was at or above the cut-off",
        ),
        "recovered": (
            f"{name}: recovered",
            f"{base} Those whose first score was at or above the clinical cut-off and whose last was below it. "
            + rules,
            f"Closures that moved from at or above the {name} cut-off to below it",
        ),
        "reliable_recovery": (
            f"{name}: reliable recovery",
            f"{base} Those who recovered (from at or above the cut-off to below it) with a reliable improvement. "
            + rules,
            f"Closures that recovered on {name} with a reliable improvement",
        ),
    }
    made: dict[str, Measure] = {}
    for kind, (title, definition, numerator) in kinds.items():
        made[kind] = count_measure(
            Measure(
                id=f"outcomes.{code}_{kind}",
                group=Group.OUTCOMES,
                title=title,
                definition=definition,
                unit=Unit.COUNT,
                numerator=numerator,
                dimensions=STANDARD,
            ),
            facts.scores(code, kind),
        )
    for kind, over, title in (
        ("improved", "paired", f"{name}: reliable improvement rate (%)"),
        ("deteriorated", "paired", f"{name}: reliable deterioration rate (%)"),
        ("recovered", "caseness", f"{name}: recovery rate (%)"),
        ("reliable_recovery", "caseness", f"{name}: reliable recovery rate (%)"),
    ):
        top, bottom = made[kind], made[over]
        register(
            Measure(
                id=f"outcomes.{code}_{kind}_pct",
                group=Group.OUTCOMES,
                title=title,
                definition=(
                    f"{top.numerator}, out of {bottom.numerator[0].lower()}{bottom.numerator[1:]}, over the cases "
                    f"closed in the period. {rules}"
                ),
                unit=Unit.PERCENT,
                numerator=top.numerator,
                denominator=bottom.numerator,
                dimensions=STANDARD,
                numerator_id=top.id,
                denominator_id=bottom.id,
            )
        )


for _code in facts.INSTRUMENTS:
    _instrument_measures(_code)

FEEDBACK = count_measure(
    Measure(
        id="outcomes.feedback",
        group=Group.OUTCOMES,
        title="Feedback received",
        definition=(
            "Feedback forms received in the period, anonymous or not, by the service they were about (\u201cnot "
            "recorded\u201d where the person did not say). Feedback holds no district, offence or age, so it "
            "breaks down by service and satisfaction only."
        ),
        unit=Unit.COUNT,
        numerator="Feedback forms received in the period",
        dimensions=(dims.SERVICE, dims.SATISFACTION),
    ),
    facts.FEEDBACK,
)

SATISFIED_ANSWERS = (str(Satisfaction.SATISFIED.value), str(Satisfaction.VERY_SATISFIED.value))

SATISFIED = count_measure(
    Measure(
        id="outcomes.satisfied",
        group=Group.OUTCOMES,
        title="Satisfied with the support",
        definition="Feedback forms received in the period that said satisfied or very satisfied.",
        unit=Unit.COUNT,
        numerator="Feedback forms in the period saying satisfied or very satisfied",
        dimensions=(dims.SERVICE,),
    ),
    facts.FEEDBACK,
    only=SATISFIED_ANSWERS,
)

register(
    Measure(
        id="outcomes.satisfied_pct",
        group=Group.OUTCOMES,
        title="Satisfied with the support (%)",
        definition="The share of feedback forms received in the period that said satisfied or very satisfied.",
        unit=Unit.PERCENT,
        numerator=SATISFIED.numerator,
        denominator=FEEDBACK.numerator,
        dimensions=(dims.SERVICE,),
        numerator_id=SATISFIED.id,
        denominator_id=FEEDBACK.id,
    )
)
