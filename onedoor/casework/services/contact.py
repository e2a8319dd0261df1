"""Contact attempts: logged against the safe-contact answers; the first contact, and closing as unable to contact."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import rules
from onedoor.casework.models import ContactAttempt, ContactChannel, ContactOutcome
from onedoor.casework.services._common import CaseworkError, UnsafeContact, lock_case
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.referrals import services as spine
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, Referral, Status


@transaction.atomic
def contact_attempt_record(
    *, referral: Referral, actor: User, channel: str, outcome: str, at: datetime | None = None, note: str = ""
) -> ContactAttempt:
    """Log one attempt. Refused where the safe-contact answers forbid it. The first successful contact
    moves the referral to contacted; N failed attempts over M days close it as not engaged."""
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise CaseworkError("Choose how you tried to make contact and what happened.")
    locked = lock_case(referral=referral, actor=actor)
    refusal = rules.contact_refusal(referral=locked, channel=channel, outcome=outcome)
    if refusal:
        raise UnsafeContact(refusal)
    moment = at or timezone.now()
    if moment > timezone.now() + timedelta(minutes=5):
        raise CaseworkError("A contact attempt cannot be in the future.")
    attempt = ContactAttempt.objects.create(
        referral=locked, at=moment, channel=channel, outcome=outcome, note=note, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_CONTACT_ATTEMPT,
        obj=attempt,
        detail={"referral_id": locked.pk, "channel": channel, "outcome": outcome},
    )
    if outcome == ContactOutcome.REACHED:
        if locked.first_contacted_at is None and locked.status in AWAITING_CONTACT_STATUSES:
            spine.referral_mark_contacted(referral=locked, actor=actor)
        return attempt
    if locked.first_contacted_at is not None:
        return attempt
    if locked.status in (Status.ACCEPTED, Status.CONTACT_ATTEMPTED):
        spine.referral_record_contact_attempt(referral=locked, actor=actor)
    _close_if_unreachable(locked, actor, now=timezone.now())
    return attempt


def _close_if_unreachable(locked: Referral, actor: User, *, now: datetime) -> bool:
    service = locked.current_service
    assert service is not None
    failed = list(
        ContactAttempt.objects.filter(referral=locked)
        .exclude(outcome=ContactOutcome.REACHED)
        .values_list("at", flat=True)
    )
    if not rules.unable_to_contact(
        failed_at=failed, max_attempts=service.max_contact_attempts, window_days=service.contact_window_days, now=now
    ):
        return False
    spine.referral_mark_not_engaged(
        referral=locked,
        actor=actor,
        reason_code="unable_to_contact",
        referrer_note=(
            f"Unable to contact after {len(failed)} attempts over {(now.date() - min(failed).date()).days} days."
        ),
    )
    return True


@transaction.atomic
def contact_unable_to_contact_close(*, referral: Referral, actor: User) -> Referral:
    """Close as not engaged once the service's attempts and window are used up, with no further attempt."""
    locked = lock_case(referral=referral, actor=actor, statuses=(Status.CONTACT_ATTEMPTED,))
    if locked.first_contacted_at is not None or not _close_if_unreachable(locked, actor, now=timezone.now()):
        service = locked.current_service
        assert service is not None
        raise CaseworkError(
            f"Not yet: {service} closes a case as unable to contact after {service.max_contact_attempts} "
            f"attempts over {service.contact_window_days} days."
        )
    locked.refresh_from_db()
    return locked
