"""Closing a case with its outcome measures and feedback link, and re-opening it."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import rules
from onedoor.casework.messages import FEEDBACK_LINK, case_message_queue
from onedoor.casework.models import CloseReason, ClosureOutcome, Coped, MeasureRecord
from onedoor.casework.services._common import CASE_STATUSES, CaseworkError, lock_case
from onedoor.casework.services.waiting_list import leave_waiting_list
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import NeedCategory
from onedoor.directory.services import feedback_link_issue
from onedoor.messaging.models import Message
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral, Status


def _send_feedback_link(referral: Referral) -> Message | None:
    """A single-use link to the anonymous feedback form. The link records the service only, never the
    person or the case, so feedback cannot be traced back to them."""
    if not rules.safe_to_message(referral):
        return None
    link = feedback_link_issue(service=referral.current_service)
    url = settings.ONEDOOR_PUBLIC_URL.rstrip("/") + reverse("directory:feedback_link", args=[link.token])
    return case_message_queue(referral=referral, kind=FEEDBACK_LINK, personalisation={"feedback_url": url})


@transaction.atomic
def case_close(
    *,
    referral: Referral,
    actor: User,
    reason: str,
    better_able_to_cope: str,
    needs_improved: Iterable[NeedCategory] = (),
    referrer_note: str = "",
) -> ClosureOutcome:
    """Close with a reason and outcome measures. The final measure scores are kept with the closure; a
    single-use feedback link is created, to be sent where it is safe to message the person."""
    locked = lock_case(referral=referral, actor=actor, statuses=(*CASE_STATUSES, Status.NOT_ENGAGED))
    if reason not in CloseReason.values:
        raise CaseworkError("Choose why the case is closing.")
    if better_able_to_cope not in Coped.values:
        raise CaseworkError("Say whether the person felt better able to cope and recover, or that it was not asked.")
    now = timezone.now()
    final: dict[str, dict[str, object]] = {}
    for m in MeasureRecord.objects.filter(referral=locked).order_by("administered_on", "id"):
        final[m.measure] = {"total": m.total, "band": m.band, "stage": m.stage, "on": m.administered_on.isoformat()}
    closure = ClosureOutcome.objects.create(
        referral=locked,
        closed_at=now,
        closed_by=actor,
        reason=reason,
        better_able_to_cope=better_able_to_cope,
        final_scores=final,
    )
    closure.needs_improved.set(list(needs_improved))
    leave_waiting_list(locked, now)
    spine.referral_close(
        referral=locked,
        actor=actor,
        reason_code=reason,
        referrer_note=referrer_note or "Support has ended.",
    )
    feedback_message = _send_feedback_link(locked)
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_CLOSED,
        obj=closure,
        detail={
            "referral_id": locked.pk,
            "reason": reason,
            "coped": better_able_to_cope,
            "feedback_message": str(feedback_message.reference) if feedback_message else None,
        },
    )
    return closure


@transaction.atomic
def case_reopen(*, referral: Referral, actor: User, reason: str) -> Referral:
    """Re-open a closed case within three months of closing, with a reason."""
    locked = lock_case(referral=referral, actor=actor, statuses=(Status.CLOSED,))
    if not reason.strip():
        raise CaseworkError("Give the reason for re-opening.")
    closure = ClosureOutcome.objects.select_for_update().filter(referral=locked, reopened_at__isnull=True).last()
    closed_on = timezone.localdate(closure.closed_at) if closure else locked.updated_at.date()
    if timezone.localdate() > rules.add_months(closed_on, rules.REOPEN_WITHIN_MONTHS):
        raise CaseworkError("A case can be re-opened only within three months of closing: make a new referral.")
    if closure is not None:
        closure.reopened_at, closure.reopen_reason = timezone.now(), reason.strip()
        closure.save(update_fields=["reopened_at", "reopen_reason"])
    return spine.referral_reopen(referral=locked, actor=actor, reason=reason.strip())
