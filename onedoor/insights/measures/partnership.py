"""Partnership (needs assessment recommendation 4.5): joint working, onward referrals and young people's to
adults' transitions. From the "partnership" rollup (`onedoor.insights.rollups_a.partnership_facts`)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.measures.common import SHARED, choices, commissioned_services, every_service
from onedoor.insights.registry import Group, Measure
from onedoor.insights.rollups_a import partnership_facts
from onedoor.insights.rollups_a.read import register_count
from onedoor.insights.tables import Unit

PARTNER_SERVICE = dims.dimension_register(
    "partner_service", title="Working jointly with", categories=commissioned_services
)
DESTINATION = dims.dimension_register("destination", title="Referred on to", categories=every_service)
TRANSITION_OUTCOME = dims.dimension_register(
    "transition_outcome",
    title="Outcome of the transition so far",
    categories=lambda: choices((c, label) for c, (label, _) in partnership_facts.TRANSITION_OUTCOMES.items()),
)

JOINTLY_SUPPORTED = register_count(
    Measure(
        id="partnership.jointly_supported",
        group=Group.PARTNERSHIP,
        title="Jointly supported",
        definition=(
            "Joint working started in the period: another commissioned service began supporting the person "
            "alongside the service holding the referral (its service), by the partner service."
        ),
        unit=Unit.COUNT,
        numerator="Joint working arrangements started in the period",
        dimensions=(*SHARED, PARTNER_SERVICE),
    ),
    fact="partnership.joint",
)
ONWARD = register_count(
    Measure(
        id="partnership.onward",
        group=Group.PARTNERSHIP,
        title="Onward referrals",
        definition=(
            "Onward referrals made in the period by the service holding a referral (its service): to another "
            "commissioned service through OneDoor, or to an external service from the directory, by "
            "destination. Transitions to adults' services are counted apart."
        ),
        unit=Unit.COUNT,
        numerator="Onward referrals made in the period",
        dimensions=(*SHARED, DESTINATION),
    ),
    fact="partnership.onward",
)
TRANSITIONS = register_count(
    Measure(
        id="partnership.transitions",
        group=Group.PARTNERSHIP,
        title="Transitions to adults' services",
        definition=(
            "Young people's to adults' transitions started in the period (a referral to the adults' service "
            "with a transition plan and a handover meeting), by the outcome so far of the adults' service's "
            "referral, as at the last refresh: waiting, supported, closed, not engaged or declined."
        ),
        unit=Unit.COUNT,
        numerator="Transitions started in the period",
        dimensions=(*SHARED, TRANSITION_OUTCOME),
    ),
    fact="partnership.transition",
)
