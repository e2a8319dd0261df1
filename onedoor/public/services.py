"""State changes made from the public pages: self-referral and anonymous feedback."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.errors import DomainError
from onedoor.core.models import District, Flag, NeedCategory, OffenceGroup
from onedoor.directory.models import Feedback, FeedbackLink
from onedoor.public.journey import Situation
from onedoor.referrals.models import ConsentGivenBy, Source
from onedoor.referrals.services import ReferralDetails, ReferralOutcome, referral_create


@dataclass(frozen=True)
class SelfReferralIn:
    first_name: str
    age: int
    district: str | None
    situation: Situation
    what_happened: str
    told_police: bool
    phone: str
    email: str
    safe_ways: frozenset[str]
    best_times: str
    language: str
    interpreter: bool
    needs: frozenset[str]
    consent: bool
    postcode: str = ""


def self_referral_create(*, data: SelfReferralIn) -> ReferralOutcome:
    """A person refers themselves. It goes through the same routing and lands in the same team queue as
    a professional referral, with source 'self'. Refused (ReferralRefused) without consent."""
    flags = data.situation.flags_for(data.age)
    details = ReferralDetails(
        first_name=data.first_name.strip(),
        age=data.age,
        preferred_language=data.language,
        interpreter_needed=data.interpreter,
        phone=data.phone.strip(),
        email=data.email.strip(),
        safe_to_call="call" in data.safe_ways,
        safe_to_text="text" in data.safe_ways,
        safe_to_email="email" in data.safe_ways,
        safe_to_leave_voicemail="voicemail" in data.safe_ways,
        phone_is_own=bool(data.phone),
        best_times=data.best_times.strip(),
        district=District.objects.filter(gss_code=data.district).first() if data.district else None,
        postcode=data.postcode,
        reported_to_police=data.told_police,
        offence_group=OffenceGroup.objects.filter(slug=data.situation.offence_group).first()
        if data.situation.offence_group
        else None,
        flags=list(Flag.objects.filter(slug__in=flags)),
        needs=list(NeedCategory.objects.filter(slug__in=data.needs)),
        reason=data.what_happened.strip(),
        consent_given=data.consent,
        consent_given_by=ConsentGivenBy.PERSON if data.consent else "",
        referrer_organisation="Self-referral (OneDoor website)",
    )
    return referral_create(details=details, source=Source.SELF, referrer=None)


class FeedbackLinkUsed(DomainError, ValueError):
    """The link has been used already, or does not exist."""


@transaction.atomic
def feedback_create(
    *,
    satisfaction: int,
    could_be_better: str,
    wants_contact: bool,
    contact_name: str = "",
    contact_detail: str = "",
    language: str = "",
    link_token: str | None = None,
) -> Feedback:
    """Record feedback. Anonymous unless the person asks to be contacted: nothing about who sent it is
    kept otherwise, and the audit row does not point at the feedback."""
    service = None
    if link_token is not None:
        link = FeedbackLink.objects.select_for_update().filter(token=link_token, used_at__isnull=True).first()
        if link is None:
            raise FeedbackLinkUsed("This feedback link has been used already.")
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        service = link.service
    feedback = Feedback.objects.create(
        received_on=timezone.localdate(),
        service=service,
        via_link=link_token is not None,
        satisfaction=satisfaction,
        could_be_better=could_be_better.strip(),
        language=language,
        wants_contact=wants_contact,
        contact_name=contact_name.strip() if wants_contact else "",
        contact_detail=contact_detail.strip() if wants_contact else "",
    )
    audit_record(
        actor=None, action=AuditAction.FEEDBACK_RECEIVED, obj=None, detail={"via_link": link_token is not None}
    )
    return feedback
