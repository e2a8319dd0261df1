"""The police data officer's review of a record the import flagged (a phone number or email given for
different people in one crime; a contact detail that failed). The officer checks it against the police
system and decides: offer support, or do not. Offering re-applies every safety rule but the one the review
answers (the shared contact), and queues the offer on commit through the messaging service, as the import
does. The decision, its audit row and any offer are written in one transaction (ADR 0032)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onedoor.areas.current import offer_service_slug
from onedoor.areas.files import read_area
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import is_uk_mobile
from onedoor.core.models import Flag
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageStatus
from onedoor.messaging.safety import (
    OFFER_INTERVAL,
    REASON_LABELS,
    ContactFacts,
    OfferPlan,
    offer_plan,
    quiet_hours_end,
)
from onedoor.messaging.services import (
    TemplateCache,
    invalid_contact_keys,
    message_values,
    messages_queue_values,
    recently_offered_keys,
    restricted_keys,
)
from onedoor.police.models import PoliceRecordReview, PoliceVictimRecord, ReviewDecision
from onedoor.police.selectors import may_review, records_needing_review
from onedoor.referrals.services import age_on

OFFER_KIND = "support-offer"  # the import's offer (onedoor.police.process.OFFER_KIND)
NOTE_MAX = 1000


class ReviewError(ValueError):
    """A decision that cannot be recorded as given. `field` names the form field; the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def police_record_review(
    *, actor: Any, record_id: int, decision: str, note: str, now: datetime | None = None
) -> PoliceRecordReview:
    """Record the officer's decision on a flagged record, and take it off the review list. With
    `ReviewDecision.OFFER`, queue the support offer (sent after commit), or refuse, saying which safety rule
    still forbids it. Raises PermissionDenied for anyone but the force's police data officers, and
    PoliceVictimRecord.DoesNotExist for a record that is not (or no longer) waiting for review."""
    if not may_review(user=actor):
        raise PermissionDenied
    moment = now or timezone.now()
    if decision not in ReviewDecision.values:
        raise ReviewError("decision", "Choose whether to offer support to this person")
    text = note.strip()
    if not text:
        raise ReviewError("note", "Write a note saying what you checked, for example the crime record you looked at")
    if len(text) > NOTE_MAX:
        raise ReviewError("note", f"The note must be {NOTE_MAX:,} characters or fewer (it has {len(text):,})")
    with transaction.atomic():
        record = records_needing_review(user=actor).select_for_update().filter(pk=record_id).first()
        if record is None:
            raise PoliceVictimRecord.DoesNotExist("This record is not waiting for review")
        offer_id = _offer(record, moment) if decision == ReviewDecision.OFFER else None
        review = PoliceRecordReview.objects.create(
            record=record,
            flagged_because=record.review_reason,
            decision=decision,
            note=text,
            decided_by=actor,
            decided_at=moment,
            offer_id=offer_id,
        )
        PoliceVictimRecord.objects.filter(pk=record.pk).update(
            needs_review=False, **({"offer_id": offer_id} if offer_id else {})
        )
        audit_record(
            actor=actor,
            action=AuditAction.POLICE_RECORD_REVIEWED,
            obj=record,
            detail={"review": review.pk, "decision": decision, "offer": offer_id},
        )
    return review


def review_offer_plan(record: PoliceVictimRecord, now: datetime) -> OfferPlan:
    """Whether a support offer could go to this person now, by the safety rules, once the officer has
    confirmed the contact detail is theirs (so without the shared-contact rule)."""
    today = timezone.localdate(now)
    own_keys = [k for k in (record.person_key, record.phone_key, record.email_key) if k]
    invalid = invalid_contact_keys(keys=[own_keys])
    group = record.offence_group
    sensitive = group.is_sexual or Flag.objects.filter(slug__in=record.flags, sensitive=True).exists()
    return offer_plan(
        ContactFacts(
            age=age_on(record.date_of_birth, today) if record.date_of_birth else None,
            sensitive=sensitive,
            contact_permitted=record.contact_permitted,
            safe_to_text=record.safe_to_text,
            safe_to_email=record.safe_to_email,
            mobile=record.phone if is_uk_mobile(record.phone) else "",
            email=record.email,
            offered_recently=bool(recently_offered_keys(keys=[own_keys], kind=OFFER_KIND, since=now - OFFER_INTERVAL)),
            invalid_channels=frozenset(
                ch
                for ch, key, bad in (
                    ("sms", record.phone_key, record.phone_invalid),
                    ("email", record.email_key, record.email_invalid),
                )
                if bad or (key and key in invalid)
            ),
            restricted=bool(restricted_keys(keys=[own_keys])),
        )
    )


def reasons_said(plan: OfferPlan) -> str:
    return "; ".join(REASON_LABELS.get(r, r) for r in dict.fromkeys(plan.reasons))


def _offer(record: PoliceVictimRecord, now: datetime) -> int:
    plan = review_offer_plan(record, now)
    if plan.channel is None:
        raise ReviewError(
            "decision",
            f"A support offer cannot be sent to this person: {reasons_said(plan)}. Choose “Do not offer support”.",
        )
    sms = plan.channel == "sms"
    send_after = quiet_hours_end(now) if sms else None
    template = TemplateCache(OFFER_KIND).get(plan.channel, record.preferred_language or "en")
    values = message_values(
        kind=OFFER_KIND,
        channel=plan.channel,
        to=record.phone if sms else record.email,
        template=template,
        personalisation=_personalisation(),
        person_key=record.person_key or record.phone_key or record.email_key,
        send_after=send_after,
        note="quiet hours: sent at 08:00 UK time" if send_after else "",
        now=now,
    )
    assert values["status"] == MessageStatus.QUEUED
    [message_id] = messages_queue_values(messages=[values], now=now)
    return message_id


def _personalisation() -> dict[str, str]:
    """The offer's words, as the import fills them in."""
    service = Service.objects.filter(slug=offer_service_slug()).first()
    area = read_area(settings.ONEDOOR_AREA)
    return {
        "area_name": str(area.get("name", "")),
        "service_name": service.name if service else "",
        "service_phone": service.phone if service else "",
        "website": settings.ONEDOOR_PUBLIC_URL,
    }
