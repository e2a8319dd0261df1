"""Timeliness, in whole working days (weekends and England and Wales bank holidays skipped, by
`onedoor.core.calendar`): the police's two working days, first contact against each service's own target,
waits on the waiting list, and referrals overdue as at the end of the period.

Every measure here is read from days of the rollup, so a 13-month trend is 13 small reads of the monthly
figures."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.read import count_measure
from onedoor.insights.tables import Unit

STANDARD = (dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND)
POLICE_PARAGRAPH = "Right 4, paragraph 4.5"
# The rest of what OneDoor evidences of Right 4 (a needs assessment, contact within the service's target,
# Enhanced Rights considered) is the right's tailored-support part, which the Code states as the right itself.
RIGHT_4 = "Right 4: referral to support services, and support tailored to your needs"

WORKING_DAYS = (
    " Working days leave out Saturdays, Sundays and England and Wales bank holidays, and are counted from the "
    "day after the start: the same day, or a weekend before the next working day, is 0."
)

POLICE_REFERRALS = count_measure(
    Measure(
        id="timeliness.police_referrals",
        group=Group.TIMELINESS,
        title="Police referrals received",
        definition=(
            "Referrals that came by the police overnight transfer and were received in the period, where "
            "OneDoor holds the police record of the crime. Broken down by working days, it shows how long "
            "each took from the police recording the crime to the referral being made." + WORKING_DAYS
        ),
        unit=Unit.COUNT,
        numerator="Police-transfer referrals received in the period",
        dimensions=(*STANDARD, dims.WORKING_DAYS),
    ),
    facts.POLICE_DAYS,
)

POLICE_WITHIN = count_measure(
    Measure(
        id="timeliness.police_within_2_days",
        group=Group.TIMELINESS,
        title="Police referrals made within 2 working days",
        definition=(
            "Of the police-transfer referrals received in the period, those made within 2 working days of the "
            "police recording the crime: from the police record's time recorded to the referral's creation in "
            "OneDoor. The Victims' Code asks the police to refer within 2 working days, where the victim "
            "agrees." + WORKING_DAYS
        ),
        unit=Unit.COUNT,
        numerator="Police-transfer referrals made within 2 working days of the crime being recorded",
        dimensions=STANDARD,
        code_paragraph=POLICE_PARAGRAPH,
    ),
    facts.POLICE_WITHIN,
)

register(
    Measure(
        id="timeliness.police_within_2_days_pct",
        group=Group.TIMELINESS,
        title="Police referrals within 2 working days (%)",
        definition=(
            "The share of police-transfer referrals received in the period that were made within 2 working "
            "days of the police recording the crime." + WORKING_DAYS
        ),
        unit=Unit.PERCENT,
        numerator=POLICE_WITHIN.numerator,
        denominator=POLICE_REFERRALS.numerator,
        dimensions=STANDARD,
        code_paragraph=POLICE_PARAGRAPH,
        numerator_id=POLICE_WITHIN.id,
        denominator_id=POLICE_REFERRALS.id,
    )
)

register(
    Measure(
        id="timeliness.police_days_median",
        group=Group.TIMELINESS,
        title="Police referral time, median",
        definition=(
            "The median number of working days from the police recording the crime to the referral, over the "
            "police-transfer referrals received in the period: half took this long or less." + WORKING_DAYS
        ),
        unit=Unit.WORKING_DAYS,
        numerator="Working days from the crime being recorded to the referral",
        denominator=POLICE_REFERRALS.numerator,
        dimensions=STANDARD,
        numerator_id=POLICE_REFERRALS.id,
        histogram=dims.WORKING_DAYS,
        statistic="median",
    )
)

FIRST_CONTACTS = count_measure(
    Measure(
        id="timeliness.first_contacts",
        group=Group.TIMELINESS,
        title="First contacts made",
        definition=(
            "Referrals first contacted in the period (a service reached the person for the first time), by the "
            "day of that first contact. Broken down by working days, it shows how long each waited from OneDoor "
            "receiving the referral." + WORKING_DAYS
        ),
        unit=Unit.COUNT,
        numerator="Referrals whose first contact was made in the period",
        dimensions=(*STANDARD, dims.WORKING_DAYS),
    ),
    facts.CONTACT_DAYS,
)

CONTACT_WITHIN = count_measure(
    Measure(
        id="timeliness.first_contact_within_target",
        group=Group.TIMELINESS,
        title="First contacts within the service's target",
        definition=(
            "Of the referrals first contacted in the period, those contacted on or before their due date. Each "
            "service sets its own first-contact target in working days (in the services directory); the due "
            "date is that many working days after the referral reached the service (after a re-route, from the "
            "re-routing), and for a police referral never later than 2 working days." + WORKING_DAYS
        ),
        unit=Unit.COUNT,
        numerator="Referrals first contacted in the period on or before their due date",
        dimensions=STANDARD,
        code_paragraph=RIGHT_4,
    ),
    facts.CONTACT_WITHIN,
)

register(
    Measure(
        id="timeliness.first_contact_within_target_pct",
        group=Group.TIMELINESS,
        title="First contacts within target (%)",
        definition=(
            "The share of referrals first contacted in the period that were contacted by the due date their "
            "service's own target set." + WORKING_DAYS
        ),
        unit=Unit.PERCENT,
        numerator=CONTACT_WITHIN.numerator,
        denominator=FIRST_CONTACTS.numerator,
        dimensions=STANDARD,
        code_paragraph=RIGHT_4,
        numerator_id=CONTACT_WITHIN.id,
        denominator_id=FIRST_CONTACTS.id,
    )
)

for statistic, words in (("median", "The median"), ("p90", "The 90th percentile of the")):
    register(
        Measure(
            id=f"timeliness.first_contact_{statistic}",
            group=Group.TIMELINESS,
            title=f"Time to first contact, {'median' if statistic == 'median' else '90th percentile'}",
            definition=(
                f"{words} working days from OneDoor receiving a referral to its first contact, over the "
                "referrals first contacted in the period"
                + (
                    ": half waited this long or less."
                    if statistic == "median"
                    else ": 9 in 10 waited this long or less."
                )
                + WORKING_DAYS
            ),
            unit=Unit.WORKING_DAYS,
            numerator="Working days from receipt to first contact",
            denominator=FIRST_CONTACTS.numerator,
            dimensions=STANDARD,
            numerator_id=FIRST_CONTACTS.id,
            histogram=dims.WORKING_DAYS,
            statistic=statistic,
        )
    )

WAITS = count_measure(
    Measure(
        id="timeliness.waits_ended",
        group=Group.TIMELINESS,
        title="Waits on the waiting list that ended",
        definition=(
            "Times on a service's waiting list that ended in the period (support started, or the person left "
            "the list), by the day they ended. Broken down by working days, it shows how long each wait was, "
            "from being added to the list to leaving it." + WORKING_DAYS
        ),
        unit=Unit.COUNT,
        numerator="Waiting-list entries that ended in the period",
        dimensions=(*STANDARD, dims.WORKING_DAYS),
    ),
    facts.WAIT_DAYS,
)

for statistic, title, words in (
    ("median", "Time on the waiting list, median", "The median wait: half waited this long or less"),
    ("max", "Time on the waiting list, longest", "The longest wait"),
):
    register(
        Measure(
            id=f"timeliness.wait_{statistic}",
            group=Group.TIMELINESS,
            title=title,
            definition=(
                f"{words}, in working days from being added to a service's waiting list to leaving it, over the "
                "waits that ended in the period." + WORKING_DAYS
            ),
            unit=Unit.WORKING_DAYS,
            numerator="Working days on the waiting list",
            denominator=WAITS.numerator,
            dimensions=STANDARD,
            numerator_id=WAITS.id,
            histogram=dims.WORKING_DAYS,
            statistic=statistic,
        )
    )

OVERDUE = count_measure(
    Measure(
        id="timeliness.overdue",
        group=Group.TIMELINESS,
        title="Overdue for first contact, as at the end of the period",
        definition=(
            "Referrals still waiting for first contact at the end of the period's last day whose due date had "
            "passed, counted with the service that held them then. A snapshot, as at that moment: it is "
            "counted once, soon after the day ends, and not changed by what happens later."
        ),
        unit=Unit.COUNT,
        numerator="Referrals awaiting first contact past their due date, as at the end of the period",
        dimensions=STANDARD,
        snapshot=True,
    ),
    facts.OVERDUE,
)
