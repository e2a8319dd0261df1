"""Victims' Code compliance: the parts of Right 4 (referral and tailored support) that OneDoor can evidence,
each labelled with the right and paragraph. Commissioners must keep compliance under review (Victims and
Prisoners Act 2024)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.measures import timeliness
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.read import count_measure
from onedoor.insights.tables import Unit

STANDARD = (dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND)

register(
    Measure(
        id="compliance.referred_within_time",
        group=Group.COMPLIANCE,
        title="Police referred within 2 working days (%)",
        definition=(
            "Of the police-transfer referrals received in the period, the share the police made within 2 working "
            "days of recording the crime. OneDoor sees only the referrals that reached it: a victim the police "
            "never referred is not in this figure." + timeliness.WORKING_DAYS
        ),
        unit=Unit.PERCENT,
        numerator=timeliness.POLICE_WITHIN.numerator,
        denominator=timeliness.POLICE_REFERRALS.numerator,
        dimensions=STANDARD,
        code_paragraph=timeliness.POLICE_PARAGRAPH,
        numerator_id=timeliness.POLICE_WITHIN.id,
        denominator_id=timeliness.POLICE_REFERRALS.id,
    )
)

register(
    Measure(
        id="compliance.contacted_within_target",
        group=Group.COMPLIANCE,
        title="Contacted by the service within its target (%)",
        definition=(
            "Of the referrals first contacted in the period, the share contacted on or before the due date their "
            "service's own first-contact target set." + timeliness.WORKING_DAYS
        ),
        unit=Unit.PERCENT,
        numerator=timeliness.CONTACT_WITHIN.numerator,
        denominator=timeliness.FIRST_CONTACTS.numerator,
        dimensions=STANDARD,
        code_paragraph=timeliness.RIGHT_4,
        numerator_id=timeliness.CONTACT_WITHIN.id,
        denominator_id=timeliness.FIRST_CONTACTS.id,
    )
)

CONTACTED_CLOSED = count_measure(
    Measure(
        id="compliance.closed_after_contact",
        group=Group.COMPLIANCE,
        title="Cases closed after first contact",
        definition=(
            "Cases closed in the period where the service had made first contact with the person: the cases in "
            "which a needs assessment could have been made."
        ),
        unit=Unit.COUNT,
        numerator="Closures in the period of cases with a first contact",
        dimensions=STANDARD,
        code_paragraph=timeliness.RIGHT_4,
    ),
    facts.CLOSED_AFTER_CONTACT,
)

for fact, key, title, words, short in (
    (facts.ASSESSED, "needs_assessed", "Needs assessed", "had at least one needs assessment", "were assessed"),
    (
        facts.ENHANCED_CONSIDERED,
        "enhanced_rights_considered",
        "Enhanced Rights considered",
        "had the Enhanced Rights decision recorded in a needs assessment. Every OneDoor assessment records the "
        "caseworker's yes or no, starting from what the referral suggests (the offence, the person's age and "
        "the flags), so today this equals needs assessed",
        "had the Enhanced Rights decision recorded",
    ),
):
    count = count_measure(
        Measure(
            id=f"compliance.{key}",
            group=Group.COMPLIANCE,
            title=f"{title}, among cases closed after contact",
            definition=f"Of the cases closed in the period after first contact, those that {words}.",
            unit=Unit.COUNT,
            numerator=f"Closures after contact in the period that {short}",
            dimensions=STANDARD,
            code_paragraph=timeliness.RIGHT_4,
        ),
        fact,
    )
    register(
        Measure(
            id=f"compliance.{key}_pct",
            group=Group.COMPLIANCE,
            title=f"{title} (%)",
            definition=f"The share of the cases closed in the period after first contact that {words}.",
            unit=Unit.PERCENT,
            numerator=count.numerator,
            denominator=CONTACTED_CLOSED.numerator,
            dimensions=STANDARD,
            code_paragraph=timeliness.RIGHT_4,
            numerator_id=count.id,
            denominator_id=CONTACTED_CLOSED.id,
        )
    )

count_measure(
    Measure(
        id="compliance.enhanced_rights_applied",
        group=Group.COMPLIANCE,
        title="Enhanced Rights applied, among cases closed after contact",
        definition=(
            "Of the cases closed in the period after first contact, those where a needs assessment recorded that "
            "the person is entitled to Enhanced Rights (victims of the most serious crime, persistently targeted, "
            "vulnerable or intimidated)."
        ),
        unit=Unit.COUNT,
        numerator="Closures after contact in the period with Enhanced Rights recorded as applying",
        dimensions=STANDARD,
        code_paragraph=timeliness.RIGHT_4,
    ),
    facts.ENHANCED_APPLIED,
)
