"""Data quality: how often each field of a referral is recorded, by service and by route in (and the other
standard breakdowns), so that recording can be improved where it is weakest (the needs assessment's
recommendation 1.1)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.read import count_measure
from onedoor.insights.tables import Unit

STANDARD = (dims.SERVICE, dims.SOURCE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.AGE_BAND)

REFERRALS = count_measure(
    Measure(
        id="data_quality.referrals",
        group=Group.DATA_QUALITY,
        title="Referrals received (for data quality)",
        definition="Referrals received in the period, by the day received: what each field's recording is out of.",
        unit=Unit.COUNT,
        numerator="Referrals received in the period",
        dimensions=STANDARD,
    ),
    facts.RECEIVED,
)

RECORDED_WORDS = (
    " For a protected characteristic, \u201cprefer not to say\u201d counts as recorded (the person was asked) and "
    "\u201cnot recorded\u201d does not. A field broken down by district, offence group or age band counts its "
    "own missing values under \u201cnot recorded\u201d."
)

for field, words in facts.RECORDED_FIELDS.items():
    count = count_measure(
        Measure(
            id=f"data_quality.recorded_{field}",
            group=Group.DATA_QUALITY,
            title=f"Referrals with {words} recorded",
            definition=f"Referrals received in the period with {words} recorded." + RECORDED_WORDS,
            unit=Unit.COUNT,
            numerator=f"Referrals received in the period with {words} recorded",
            dimensions=STANDARD,
        ),
        facts.recorded(field),
    )
    register(
        Measure(
            id=f"data_quality.recorded_{field}_pct",
            group=Group.DATA_QUALITY,
            title=f"{words[0].upper()}{words[1:]} recorded (%)",
            definition=f"The share of referrals received in the period with {words} recorded." + RECORDED_WORDS,
            unit=Unit.PERCENT,
            numerator=count.numerator,
            denominator=REFERRALS.numerator,
            dimensions=STANDARD,
            numerator_id=count.id,
            denominator_id=REFERRALS.id,
        )
    )
