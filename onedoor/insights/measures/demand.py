"""Demand: what arrives at the front door. Counted from the "referrals" rollup
(`onedoor.insights.rollups_a.referral_facts`)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.measures.common import NO_SERVICE, SHARED
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_a import referral_facts  # noqa: F401  (registers the rollup)
from onedoor.insights.rollups_a.read import register_count
from onedoor.insights.tables import Unit

RECEIVED = register_count(
    Measure(
        id="demand.received",
        group=Group.DEMAND,
        title="Referrals received",
        definition=(
            "Referrals OneDoor received in the period, by every route in: police transfer, professionals and "
            "self-referral. A referral counts once, on the day it was received, whatever happened next; its "
            "service is the one holding it now."
        ),
        unit=Unit.COUNT,
        numerator="Referrals with a received date in the period",
        dimensions=SHARED,
    ),
    fact="demand.received",
)

RECEIVED_RATE = register(
    Measure(
        id="demand.received_rate",
        group=Group.DEMAND,
        title="Referrals received per 1,000 residents",
        definition=(
            "Referrals received in the period from people living in a district, for every 1,000 people living "
            "there (the district's population in the area file, from the Census)."
        ),
        unit=Unit.RATE_PER_1000,
        numerator="Referrals with a received date in the period, by district",
        denominator="Residents of the district",
        dimensions=(dims.DISTRICT,),
        numerator_id=RECEIVED.id,
    )
)

SIGNPOSTED = register_count(
    Measure(
        id="demand.signposted",
        group=Group.DEMAND,
        title="Signposted with no referral",
        definition=(
            "Requests for support that routing answered by signposting to a service commissioned elsewhere (or "
            "with a support offer only), so no referral was made; counted on the day routing decided. Gaps in "
            "service are counted apart."
        ),
        unit=Unit.COUNT,
        numerator="Routing outcomes in the period that signposted and made no referral",
        dimensions=NO_SERVICE,
    ),
    fact="demand.signposted",
)

GAPS = register_count(
    Measure(
        id="demand.gaps",
        group=Group.DEMAND,
        title="Gaps in service",
        definition=(
            "Requests for support for which no service in the area fits, by the offence, age band and district "
            "of the person; counted on the day routing found the gap. No referral is made and nothing personal "
            "is kept."
        ),
        unit=Unit.COUNT,
        numerator="Routing outcomes in the period that found no service",
        dimensions=NO_SERVICE,
    ),
    fact="demand.gap",
)
