"""Police reach: the victims in the police overnight transfer files, and how many of them OneDoor reached.
Counted from the "police" rollup (`onedoor.insights.rollups_a.police_facts`): a victim of a crime counts once,
on the day OneDoor first received the record, by the police's district and offence group."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.measures.common import SHARED, choices
from onedoor.insights.registry import Group, Measure, register
from onedoor.insights.rollups_a import police_facts  # noqa: F401  (registers the rollup)
from onedoor.insights.rollups_a.read import register_count
from onedoor.insights.tables import Unit
from onedoor.messaging.safety import REASON_LABELS

WITHHELD_REASON = dims.dimension_register(
    "withheld_reason", title="Why the offer was withheld", categories=lambda: choices(REASON_LABELS.items())
)

_VICTIMS = "Victims in police transfer files first received in the period"
_SERVICE_NOTE = " Its service is the one holding the referral made from the record, if any."


def _count(slug: str, title: str, definition: str, numerator: str, extra: tuple[str, ...] = ()) -> Measure:
    return register_count(
        Measure(
            id=f"police_reach.{slug}",
            group=Group.POLICE_REACH,
            title=title,
            definition=definition + _SERVICE_NOTE,
            unit=Unit.COUNT,
            numerator=numerator,
            dimensions=(*SHARED, *extra),
        ),
        fact=f"police_reach.{slug}",
    )


VICTIMS = _count(
    "victims",
    "Victims in police transfer files",
    "Each victim of each crime the police sent in an overnight transfer file, counted once on the day OneDoor "
    "first received the record, however often the police sent it again.",
    _VICTIMS,
)
CONSENTED = _count(
    "consented",
    "Consented to share their details",
    "Victims in the transfer files whom the police recorded as consenting to share their details with victim services.",
    f"{_VICTIMS}, recorded as consenting to share",
)
CONSENT_RATE = register(
    Measure(
        id="police_reach.consent_rate",
        group=Group.POLICE_REACH,
        title="Consent rate",
        definition="Of the victims in the transfer files, the percentage recorded as consenting to share.",
        unit=Unit.PERCENT,
        numerator=f"{_VICTIMS}, recorded as consenting to share",
        denominator=_VICTIMS,
        dimensions=SHARED,
        numerator_id=CONSENTED.id,
        denominator_id=VICTIMS.id,
    )
)
OFFERED = _count(
    "offered",
    "Offered support",
    "Victims in the transfer files to whom OneDoor sent a support offer by text or email (no safety rule held "
    "it back).",
    f"{_VICTIMS}, with a support offer queued or sent",
)
WITHHELD = _count(
    "withheld",
    "Support offer withheld",
    "Victims in the transfer files whose support offer a safety rule held back, by the first reason the rules "
    "gave (for example: the police recorded that OneDoor may not contact them).",
    f"{_VICTIMS}, whose support offer was withheld",
    (WITHHELD_REASON,),
)
REFERRED = _count(
    "referred",
    "Referred",
    "Victims in the transfer files for whom OneDoor made a referral to a service (they consented, and a service fits).",
    f"{_VICTIMS}, with a referral",
)
CONTACTED = _count(
    "contacted",
    "Contacted",
    "Victims in the transfer files whose referral's service has recorded first contact with them, at any time "
    "up to the last refresh.",
    f"{_VICTIMS}, with first contact recorded",
)
ENGAGED = _count(
    "engaged",
    "Engaged",
    "Victims in the transfer files whose referral's service has recorded that support started, at any time up "
    "to the last refresh.",
    f"{_VICTIMS}, with support started",
)
