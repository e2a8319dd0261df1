"""Flow: the steps a referral takes, each counted on the day of its status event (so a period's figures are
fixed once it has ended), by the service that held the referral then. From the "referrals" rollup
(`onedoor.insights.rollups_a.referral_facts`).

The funnel's steps are counted once per referral, the first time it reaches them; the conversions are one
step's count over another's in the same period, a flow through the period rather than the fate of one cohort
(a cohort's figures would change for months after the period ended)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.measures.common import SHARED, choices, commissioned_services
from onedoor.insights.measures.demand import RECEIVED
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_a.read import register_count
from onedoor.insights.tables import Unit
from onedoor.referrals.models import DeclineReason

DECLINE_REASON = dims.dimension_register(
    "decline_reason", title="Reason for declining", categories=lambda: choices(DeclineReason.choices)
)
NOT_ENGAGED_REASON = dims.dimension_register(
    "not_engaged_reason",
    title="Reason the person did not engage",
    categories=lambda: choices([("unable_to_contact", "Unable to contact")]),
)
TO_SERVICE = dims.dimension_register("to_service", title="Re-routed to", categories=commissioned_services)


def _step(slug: str, fact: str, title: str, definition: str, numerator: str, extra: tuple[str, ...] = ()) -> Measure:
    return register_count(
        Measure(
            id=f"flow.{slug}",
            group=Group.FLOW,
            title=title,
            definition=definition,
            unit=Unit.COUNT,
            numerator=numerator,
            dimensions=(*SHARED, *extra),
        ),
        fact=fact,
    )


TRIAGED = _step(
    "triaged",
    "flow.triaged",
    "Triaged",
    "Referrals a service triaged in the period (the first time, if re-routed and triaged again). Triage is "
    "optional: a service may accept a referral straight away.",
    "Referrals first triaged in the period",
)
ACCEPTED = _step(
    "accepted",
    "flow.accepted",
    "Accepted",
    "Referrals a service accepted in the period, the first time; re-opening a closed referral is counted as "
    "re-opened instead.",
    "Referrals first accepted in the period",
)
FIRST_CONTACT = _step(
    "first_contact",
    "flow.contacted",
    "First contact",
    "Referrals whose service made first contact with the person in the period (the first contact only).",
    "Referrals with first contact in the period",
)
ENGAGED = _step(
    "engaged",
    "flow.engaged",
    "Support started",
    "Referrals whose service recorded in the period that support started (the first time).",
    "Referrals with support started in the period",
)
CLOSED = _step(
    "closed",
    "flow.closed",
    "Closed",
    "Referrals closed in the period for the first time, whatever the reason (support completed, unable to "
    "contact, moved away, ...).",
    "Referrals first closed in the period",
)
DECLINED = _step(
    "declined",
    "flow.declined",
    "Declined",
    "Referrals a service declined in the period, by the reason it gave.",
    "Referrals declined in the period",
    (DECLINE_REASON,),
)
NOT_ENGAGED = _step(
    "not_engaged",
    "flow.not_engaged",
    "Not engaged",
    "Referrals recorded in the period as not engaged (the person could not be reached, or did not take up "
    "support), by the reason recorded.",
    "Referrals recorded as not engaged in the period",
    (NOT_ENGAGED_REASON,),
)
REROUTED = register_count(
    Measure(
        id="flow.rerouted",
        group=Group.FLOW,
        title="Re-routed",
        definition=(
            "Re-routes made in the period: a service passed a referral to another commissioned service. Its "
            "service is the one that re-routed it; 'Re-routed to' is the one it went to. A referral re-routed "
            "twice counts twice."
        ),
        unit=Unit.COUNT,
        numerator="Re-routes in the period",
        dimensions=(*SHARED, TO_SERVICE),
    ),
    fact="flow.rerouted",
)
REOPENED = _step(
    "reopened",
    "flow.reopened",
    "Re-opened",
    "Closed referrals re-opened in the period (within three months of closing, with a reason).",
    "Re-openings in the period",
)


def _conversion(slug: str, title: str, top: Measure, bottom: Measure, definition: str) -> Measure:
    return register(
        Measure(
            id=f"flow.{slug}",
            group=Group.FLOW,
            title=title,
            definition=definition,
            unit=Unit.PERCENT,
            numerator=top.numerator,
            denominator=bottom.numerator,
            dimensions=SHARED,
            numerator_id=top.id,
            denominator_id=bottom.id,
        )
    )


_FLOW_NOTE = " Both counts are of the same period, so it is a flow through the period, not one cohort's fate."
TRIAGED_RATE = _conversion(
    "triaged_rate",
    "Triaged, of received",
    TRIAGED,
    RECEIVED,
    "Referrals first triaged in the period, as a percentage of referrals received in it." + _FLOW_NOTE,
)
ACCEPTED_RATE = _conversion(
    "accepted_rate",
    "Accepted, of received",
    ACCEPTED,
    RECEIVED,
    "Referrals first accepted in the period, as a percentage of referrals received in it (triage may be "
    "skipped, so this is over received, not over triaged)." + _FLOW_NOTE,
)
FIRST_CONTACT_RATE = _conversion(
    "first_contact_rate",
    "First contact, of accepted",
    FIRST_CONTACT,
    ACCEPTED,
    "Referrals with first contact in the period, as a percentage of referrals first accepted in it." + _FLOW_NOTE,
)
ENGAGED_RATE = _conversion(
    "engaged_rate",
    "Support started, of first contact",
    ENGAGED,
    FIRST_CONTACT,
    "Referrals with support started in the period, as a percentage of referrals with first contact in it." + _FLOW_NOTE,
)
CLOSED_RATE = _conversion(
    "closed_rate",
    "Closed, of accepted",
    CLOSED,
    ACCEPTED,
    "Referrals first closed in the period, as a percentage of referrals first accepted in it (closures "
    "include people who could not be reached, so this is over accepted)." + _FLOW_NOTE,
)
