"""Remove what identifies a person and keep what the commissioner's figures count.

Used by retention (`onedoor.privacy.retention`) and by erasure (`onedoor.privacy.rights`). Each function
writes with conditional `UPDATE`s over ids, so it is safe to run twice: a row already anonymised is left
as it is. Kept on a referral, on purpose (docs/data-protection.md, "What anonymising keeps"): source,
status and every status event with its date and service, received_on, due_on, first_contacted_at,
district, offence group, age at referral, the demographic categories, flags and needs, priority, the
routing decision, consent and lawful-basis codes, closure outcomes, measure totals and bands, feedback
scores. Removed: names, date of birth, contact details, postcode, crime reference, and every free text
(which may name the person or someone else).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from onedoor.casework.models import (
    ClosureOutcome,
    ContactAttempt,
    Goal,
    NeedRating,
    ProgressNote,
    SupportPlan,
    WaitingListEntry,
    WelfareCheckIn,
)
from onedoor.core.matchkeys import keyed_hash
from onedoor.directory.models import Feedback
from onedoor.messaging.models import Message
from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals.models import OnwardReferral, Referral, StatusEvent

# The fields of a referral that identify a person or may (free text), with their blank value.
REFERRAL_PERSONAL: dict[str, object] = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "phone": "",
    "email": "",
    "postcode": "",
    "crime_reference": "",
    "communication_needs": "",
    "best_times": "",
    "reason": "",
    "risks_to_person": "",
    "risks_to_staff": "",
    "lawful_basis_note": "",
}
POLICE_PERSONAL: dict[str, object] = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "postcode": "",
    "phone": "",
    "email": "",
    "officer_email": "",
    "offence_description": "",
    "person_key": "",
    "phone_key": "",
    "email_key": "",
}
MESSAGE_PERSONAL: dict[str, object] = {"to": "", "personalisation": {}, "person_key": "", "contact_key": ""}
FEEDBACK_PERSONAL: dict[str, object] = {"could_be_better": "", "contact_name": "", "contact_detail": ""}


def casework_anonymise(*, referral_ids: Iterable[int]) -> int:
    """Blank the free text of the cases' casework (notes, goals, plans); keep its codes, dates and scores.
    Returns the number of rows changed."""
    ids = list(referral_ids)
    n = 0
    n += ContactAttempt.objects.filter(referral_id__in=ids).exclude(note="").update(note="")
    n += SupportPlan.objects.filter(referral_id__in=ids).exclude(headline="").update(headline="")
    n += Goal.objects.filter(plan__referral_id__in=ids).exclude(description="").update(description="")
    n += ProgressNote.objects.filter(goal__plan__referral_id__in=ids).exclude(note="").update(note="")
    n += WaitingListEntry.objects.filter(referral_id__in=ids).exclude(interim_support="").update(interim_support="")
    n += WelfareCheckIn.objects.filter(entry__referral_id__in=ids).exclude(note="").update(note="")
    n += NeedRating.objects.filter(assessment__referral_id__in=ids).exclude(note="").update(note="")
    n += ClosureOutcome.objects.filter(referral_id__in=ids).exclude(reopen_reason="").update(reopen_reason="")
    n += StatusEvent.objects.filter(referral_id__in=ids).exclude(referrer_note="").update(referrer_note="")
    n += OnwardReferral.objects.filter(from_referral_id__in=ids).exclude(transition_plan="").update(transition_plan="")
    return n


def referrals_anonymise(*, referral_ids: Iterable[int], now: datetime) -> list[int]:
    """Anonymise the referrals (and their casework, and the police records they came from). Returns the ids
    of those it changed; one already anonymised is left alone."""
    ids = list(
        Referral.objects.filter(pk__in=list(referral_ids), anonymised_at__isnull=True).values_list("pk", flat=True)
    )
    if not ids:
        return []
    # Messages about the case (waiting-list positions, the feedback link) carry the referral's key.
    references = Referral.objects.filter(pk__in=ids).values_list("reference", flat=True)
    case_keys = [keyed_hash(f"referral:{ref}") for ref in references]
    messages_anonymise(message_ids=Message.objects.filter(person_key__in=case_keys).values_list("pk", flat=True))
    Referral.objects.filter(pk__in=ids).update(**REFERRAL_PERSONAL, anonymised_at=now)
    casework_anonymise(referral_ids=ids)
    police_records_anonymise(
        record_ids=PoliceVictimRecord.objects.filter(referral_id__in=ids).values_list("pk", flat=True), now=now
    )
    return ids


def police_records_anonymise(*, record_ids: Iterable[int], now: datetime) -> int:
    return PoliceVictimRecord.objects.filter(pk__in=list(record_ids), anonymised_at__isnull=True).update(
        **POLICE_PERSONAL, anonymised_at=now
    )


def messages_anonymise(*, message_ids: Iterable[int]) -> int:
    return (
        Message.objects.filter(pk__in=list(message_ids))
        .exclude(to="", person_key="", contact_key="")
        .update(**MESSAGE_PERSONAL)
    )


def feedback_anonymise(*, feedback_ids: Iterable[int]) -> int:
    return (
        Feedback.objects.filter(pk__in=list(feedback_ids))
        .exclude(could_be_better="", contact_name="", contact_detail="")
        .update(**FEEDBACK_PERSONAL)
    )
