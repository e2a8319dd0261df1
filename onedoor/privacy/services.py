"""The rights a person has over their data, as services: rectification, erasure (with its exemptions),
restriction, consent withdrawal; and legal holds on cases, which retention honours. Each locks the
referral first (the documented lock order), writes its change, a `SubjectRequest` where a person asked,
and its audit row, in one transaction. Audit rows name fields and codes, never values."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onedoor.accounts.models import PROVIDER_ROLES, Role, User
from onedoor.casework.models import AlertKind, Assessment, CaseAlert, ModernSlaveryReferral
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import normalise_email, normalise_name, valid_phone_e164
from onedoor.core.errors import DomainError
from onedoor.core.matchkeys import contact_keys, keyed_hash, keyed_hashes
from onedoor.messaging.models import Message, MessageStatus, RestrictedKey
from onedoor.messaging.safety import Reason
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.anonymise import messages_anonymise, referrals_anonymise
from onedoor.privacy.models import (
    Exemption,
    LegalHold,
    RequestKind,
    RequestOutcome,
    Restriction,
    SubjectRequest,
)
from onedoor.privacy.selectors import organisation_id, referrals_for_officer, require_officer
from onedoor.referrals.access import holds
from onedoor.referrals.models import FINAL_STATUSES, NEW_STATUSES, DeclineReason, LawfulBasis, Referral
from onedoor.referrals.services import referral_close, referral_decline


class PrivacyError(DomainError, ValueError):
    """A request that cannot be done as asked; the message says what to change."""


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)


def _in_scope(officer: User, referral: Referral) -> None:
    if not referrals_for_officer(officer=officer).filter(pk=referral.pk).exists():
        raise PermissionDenied("This referral is not one your organisation answers for.")


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise PrivacyError("Give a reason: what the person asked for, and why this is the answer.")
    if len(text) > 500:
        raise PrivacyError(f"Keep the reason to 500 characters (it has {len(text)}).")
    return text


def person_keys(*, referral: Referral) -> set[str]:
    """Every match key of the person a referral is about, under every configured key, with those of the
    police record it came from: what restriction stops and subject access looks for."""
    keys: set[str] = set()
    if referral.date_of_birth:
        person = (
            f"{normalise_name(referral.first_name)}|{normalise_name(referral.last_name)}|"
            f"{referral.date_of_birth.isoformat()}"
        )
        keys.update(keyed_hashes(person))
    for value in (referral.phone, referral.email):
        if value:
            keys.update(contact_keys(value))
    record = PoliceVictimRecord.objects.filter(referral=referral).values_list("person_key", "phone_key", "email_key")
    for row in record:
        keys.update(k for k in row if k)
    keys.add(keyed_hash(f"referral:{referral.reference}"))  # casework messages' person key
    keys.discard("")
    return keys


def _withhold_messages(keys: set[str]) -> int:
    """Messages to this person still waiting to go are withheld, with the restriction as their reason."""
    return (
        Message.objects.filter(status=MessageStatus.QUEUED)
        .filter(Q(person_key__in=keys) | Q(contact_key__in=keys))
        .update(status=MessageStatus.WITHHELD, withheld_reasons=[Reason.PROCESSING_RESTRICTED], claimed_at=None)
    )


# -- legal holds -------------------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_set(*, referral: Referral, actor: User, reason: str) -> LegalHold:
    """A team lead of the service holding the case stops retention touching it, with a reason."""
    locked = _lock(referral)
    if actor.role != Role.TEAM_LEAD or not holds(user=actor, referral=locked):
        raise PermissionDenied("Only a team lead of the team that holds this case can put it under a legal hold.")
    if LegalHold.objects.filter(referral=locked, lifted_at__isnull=True).exists():  # safe: the referral is locked
        raise PrivacyError("This case is already under a legal hold.")
    hold = LegalHold.objects.create(referral=locked, reason=_reason(reason), set_by=actor, set_at=timezone.now())
    audit_record(actor=actor, action=AuditAction.LEGAL_HOLD_SET, obj=locked, detail={"hold": hold.pk})
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, actor: User) -> LegalHold:
    locked_referral = _lock(hold.referral)
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if actor.role != Role.TEAM_LEAD or not holds(user=actor, referral=locked_referral):
        raise PermissionDenied("Only a team lead of the team that holds this case can lift its legal hold.")
    if locked.lifted_at is None:
        locked.lifted_at, locked.lifted_by = timezone.now(), actor
        locked.save(update_fields=["lifted_at", "lifted_by"])
        audit_record(actor=actor, action=AuditAction.LEGAL_HOLD_LIFTED, obj=locked_referral, detail={"hold": locked.pk})
    return locked


# -- rectification ---------------------------------------------------------------------------------------

RECTIFIABLE = ("first_name", "last_name", "date_of_birth", "phone", "email", "postcode", "preferred_language")


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(RECTIFIABLE))
    if unknown:
        raise PrivacyError(
            f"These cannot be corrected here: {', '.join(unknown)}. Correctable: {', '.join(RECTIFIABLE)}."
        )
    if not changes:
        raise PrivacyError("Say what to correct: at least one of " + ", ".join(RECTIFIABLE) + ".")
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "date_of_birth":
            if value is not None and not isinstance(value, date):
                raise PrivacyError("Give the date of birth as a date.")
            if value is not None and value > timezone.localdate():
                raise PrivacyError("The date of birth cannot be in the future.")
            clean[name] = value
        elif name == "phone":
            text = str(value or "").strip()
            e164 = valid_phone_e164(text) if text else ""
            if e164 is None:
                raise PrivacyError("The phone number is not a valid number: check it, or leave it empty to remove it.")
            clean[name] = e164
        elif name == "email":
            text = str(value or "").strip()
            address = normalise_email(text) if text else ""
            if address is None:
                raise PrivacyError("The email address is not valid: check it, or leave it empty to remove it.")
            clean[name] = address
        else:
            text = str(value or "").strip()
            if name == "first_name" and not text:
                raise PrivacyError("A first name is needed: give the corrected one.")
            clean[name] = text
    return clean


@transaction.atomic
def person_rectify(
    *, officer: User, referral: Referral, changes: dict[str, Any], reason: str, received_on: date | None = None
) -> SubjectRequest:
    """Correct a person's details on their referral (and the police record it came from, with its match
    keys). The audit row names the fields changed, never the old or new values."""
    require_officer(officer)
    locked = _lock(referral)
    _in_scope(officer, locked)
    if locked.anonymised_at is not None:
        raise PrivacyError("This referral has been anonymised: there are no personal details left to correct.")
    clean = _clean_changes(changes)
    changed = sorted(n for n, v in clean.items() if getattr(locked, n) != v)
    if not changed:
        raise PrivacyError("Nothing would change: the details are already as given.")
    for name in changed:
        setattr(locked, name, clean[name])
    locked.save(update_fields=[*changed, "updated_at"])
    record = PoliceVictimRecord.objects.select_for_update().filter(referral=locked).first()
    if record is not None:
        police_fields = [n for n in changed if n != "preferred_language"]
        for name in police_fields:
            setattr(record, name, clean[name])
        record.person_key = (
            keyed_hash(
                f"{normalise_name(record.first_name)}|{normalise_name(record.last_name)}|{record.date_of_birth.isoformat()}"
            )
            if record.date_of_birth
            else ""
        )
        record.phone_key = keyed_hash(record.phone.strip().lower()) if record.phone else ""
        record.email_key = keyed_hash(record.email.strip().lower()) if record.email else ""
        record.save(update_fields=[*police_fields, "person_key", "phone_key", "email_key"])
    request = SubjectRequest.objects.create(
        kind=RequestKind.RECTIFICATION,
        outcome=RequestOutcome.DONE,
        received_on=received_on or timezone.localdate(),
        decided_at=timezone.now(),
        officer=officer,
        organisation_id=organisation_id(officer),
        referral=locked,
        police_record=record,
        reason=_reason(reason),
        fields_changed=changed,
    )
    audit_record(
        actor=officer,
        action=AuditAction.PERSON_RECTIFIED,
        obj=locked,
        detail={"request": request.pk, "fields": changed, "police_record": record is not None},
    )
    return request


# -- erasure ------------------------------------------------------------------------------------------------

REVIEW_AFTER = {
    Exemption.OPEN_CASE: timedelta(days=91),
    Exemption.LEGAL_HOLD: timedelta(days=182),
    Exemption.SAFEGUARDING: timedelta(days=365),
}


def erasure_exemption(referral: Referral) -> Exemption:
    """Why this referral must be kept, or NONE: an open case, a legal hold, or a safeguarding record."""
    if LegalHold.objects.filter(referral=referral, lifted_at__isnull=True).exists():
        return Exemption.LEGAL_HOLD
    if referral.status not in FINAL_STATUSES:
        return Exemption.OPEN_CASE
    safeguarding = (
        referral.lawful_basis in (LawfulBasis.SAFEGUARDING_CHILD, LawfulBasis.SAFEGUARDING_ADULT)
        or Assessment.objects.filter(referral=referral, safeguarding_concern=True).exists()
        or ModernSlaveryReferral.objects.filter(referral=referral, is_child=True).exists()
    )
    return Exemption.SAFEGUARDING if safeguarding else Exemption.NONE


@transaction.atomic
def person_erase(
    *,
    officer: User,
    referral: Referral,
    reason: str,
    received_on: date | None = None,
    review_on: date | None = None,
) -> SubjectRequest:
    """Record an erasure request and answer it: erased (personal fields removed, the counted fields kept,
    as retention does) where no exemption applies; otherwise refused, with the exemption and the date the
    refusal will be reviewed."""
    require_officer(officer)
    locked = _lock(referral)
    _in_scope(officer, locked)
    exemption = erasure_exemption(locked)
    today = timezone.localdate()
    if exemption != Exemption.NONE and review_on is not None and review_on <= today:
        raise PrivacyError("The review date of a refusal must be after today.")
    request = SubjectRequest(
        kind=RequestKind.ERASURE,
        received_on=received_on or today,
        decided_at=timezone.now(),
        officer=officer,
        organisation_id=organisation_id(officer),
        referral=locked,
        police_record=PoliceVictimRecord.objects.filter(referral=locked).first(),
        reason=_reason(reason),
    )
    if exemption != Exemption.NONE:
        request.outcome, request.exemption = RequestOutcome.REFUSED, exemption
        request.review_on = review_on or today + REVIEW_AFTER[exemption]
        request.save()
        audit_record(
            actor=officer,
            action=AuditAction.ERASURE_REFUSED,
            obj=locked,
            detail={"request": request.pk, "exemption": exemption, "review_on": request.review_on.isoformat()},
        )
        return request
    keys = person_keys(referral=locked)
    message_ids = Message.objects.filter(Q(person_key__in=keys) | Q(contact_key__in=keys)).values_list("pk", flat=True)
    messages = messages_anonymise(message_ids=list(message_ids))
    referrals_anonymise(referral_ids=[locked.pk], now=timezone.now())
    request.outcome = RequestOutcome.DONE
    request.save()
    audit_record(
        actor=officer,
        action=AuditAction.PERSON_ERASED,
        obj=locked,
        detail={"request": request.pk, "messages": messages},
    )
    return request


# -- restriction ------------------------------------------------------------------------------------------


def _restrict(*, locked: Referral, actor: User, reason: str) -> Restriction:
    restriction = Restriction.objects.create(
        referral=locked,
        police_record=PoliceVictimRecord.objects.filter(referral=locked).first(),
        reason=reason,
        set_by=actor,
        set_at=timezone.now(),
    )
    keys = person_keys(referral=locked)
    RestrictedKey.objects.bulk_create(
        [RestrictedKey(key=k, restriction_id=restriction.pk) for k in sorted(keys)], ignore_conflicts=True
    )
    _withhold_messages(keys)
    locked.processing_restricted = True
    locked.save(update_fields=["processing_restricted", "updated_at"])
    return restriction


@transaction.atomic
def processing_restrict(
    *, officer: User, referral: Referral, reason: str, received_on: date | None = None
) -> Restriction:
    """Restrict processing (Article 18): the referral is kept, read-only; nothing is sent; it cannot be
    re-routed; and the police import makes no referral and sends no offer for the same person."""
    require_officer(officer)
    locked = _lock(referral)
    _in_scope(officer, locked)
    if locked.processing_restricted:
        raise PrivacyError("Processing of this referral is already restricted.")
    text = _reason(reason)
    restriction = _restrict(locked=locked, actor=officer, reason=text)
    request = SubjectRequest.objects.create(
        kind=RequestKind.RESTRICTION,
        outcome=RequestOutcome.DONE,
        received_on=received_on or timezone.localdate(),
        decided_at=timezone.now(),
        officer=officer,
        organisation_id=organisation_id(officer),
        referral=locked,
        police_record=restriction.police_record,
        reason=text,
    )
    audit_record(
        actor=officer,
        action=AuditAction.PROCESSING_RESTRICTED,
        obj=locked,
        detail={"request": request.pk, "restriction": restriction.pk},
    )
    return restriction


@transaction.atomic
def restriction_lift(*, officer: User, restriction: Restriction, reason: str) -> Restriction:
    require_officer(officer)
    if restriction.referral is None:
        raise PrivacyError("This restriction names no referral: lift it in the admin with the police record.")
    locked_referral = _lock(restriction.referral)
    _in_scope(officer, locked_referral)
    locked = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if locked.lifted_at is not None:
        raise PrivacyError("This restriction has already been lifted.")
    _reason(reason)
    locked.lifted_at, locked.lifted_by = timezone.now(), officer
    locked.save(update_fields=["lifted_at", "lifted_by"])
    RestrictedKey.objects.filter(restriction_id=locked.pk).delete()
    still = Restriction.objects.filter(referral=locked_referral, lifted_at__isnull=True).exists()
    locked_referral.processing_restricted = still
    locked_referral.save(update_fields=["processing_restricted", "updated_at"])
    audit_record(
        actor=officer,
        action=AuditAction.PROCESSING_RESTRICTION_LIFTED,
        obj=locked_referral,
        detail={"restriction": locked.pk},
    )
    return locked


# -- consent withdrawal -----------------------------------------------------------------------------------


class WithdrawalOutcome(enum.StrEnum):
    ENDED = "ended"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class Withdrawal:
    outcome: WithdrawalOutcome
    explanation: str


@transaction.atomic
def consent_withdraw(*, referral: Referral, actor: User) -> Withdrawal:
    """The person withdrew their consent, as told to the team that holds the referral. Processing by that
    service stops: a referral that rests on consent alone ends (declined if not yet accepted, closed
    otherwise); one that also rests on another lawful basis (safeguarding, say) is kept and restricted.
    The team lead is told by an alert; the referrer by the usual status email when it ends."""
    if actor.role not in PROVIDER_ROLES:
        raise PermissionDenied("Only the team that holds the referral records a withdrawal of consent.")
    locked = _lock(referral)
    if not holds(user=actor, referral=locked):
        raise PermissionDenied("Only the team that holds this referral can record a withdrawal of consent.")
    if locked.processing_restricted:
        raise PrivacyError("Processing of this referral is already restricted: nothing more can stop.")
    organisation = locked.current_service.organisation if locked.current_service else None
    if locked.lawful_basis:
        _restrict(
            locked=locked,
            actor=actor,
            reason="Consent withdrawn; kept under its lawful basis " + LawfulBasis(locked.lawful_basis).label,
        )
        result = Withdrawal(
            WithdrawalOutcome.RESTRICTED,
            "Consent is withdrawn. The referral also rests on another lawful basis ("
            f"{LawfulBasis(locked.lawful_basis).label.lower()}), so it is kept, restricted: read-only, no messages, "
            "no routing. The data protection officer decides whether that basis still applies.",
        )
    else:
        if locked.status in NEW_STATUSES:
            referral_decline(referral=locked, actor=actor, reason_code=DeclineReason.CONSENT_WITHDRAWN)
        elif locked.status not in FINAL_STATUSES:
            referral_close(referral=locked, actor=actor, reason_code=DeclineReason.CONSENT_WITHDRAWN)
        _withhold_messages(person_keys(referral=locked))
        result = Withdrawal(
            WithdrawalOutcome.ENDED,
            "Consent is withdrawn and the referral rested on consent alone, so it has ended: nothing more is done "
            "with it, and it is kept only for its retention period.",
        )
    if organisation is not None:
        CaseAlert.objects.create(
            referral=locked, organisation=organisation, kind=AlertKind.CONSENT_WITHDRAWN, created_at=timezone.now()
        )
    audit_record(actor=actor, action=AuditAction.CONSENT_WITHDRAWN, obj=locked, detail={"outcome": result.outcome})
    return result
