"""The waiting list: joining it, interim support, welfare check-ins, telling the person their place, and
starting support."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import rules
from onedoor.casework.messages import WAITING_LIST_POSITION, case_message_queue
from onedoor.casework.models import WaitingListEntry, WelfareCheckIn
from onedoor.casework.selectors import waiting_position
from onedoor.casework.services._common import CaseworkError, UnsafeContact, lock_case, lock_case_and
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral, Status


@transaction.atomic
def waiting_list_add(
    *, referral: Referral, actor: User, interim_support: str = "", check_in_every_days: int = 14
) -> WaitingListEntry:
    locked = lock_case(referral=referral, actor=actor)
    if check_in_every_days < 1:
        raise CaseworkError("Check in at least every day or more.")
    spine.referral_place_on_waiting_list(referral=locked, actor=actor)
    assert locked.current_service is not None
    now = timezone.now()
    entry = WaitingListEntry.objects.create(
        referral=locked,
        service=locked.current_service,
        added_at=now,
        check_in_every_days=check_in_every_days,
        interim_support=interim_support,
    )
    WelfareCheckIn.objects.create(entry=entry, due_on=timezone.localdate(now) + timedelta(days=check_in_every_days))
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_WAITING_LIST_ADDED,
        obj=entry,
        detail={"referral_id": locked.pk, "service": entry.service.slug, "every_days": check_in_every_days},
    )
    return entry


@transaction.atomic
def waiting_list_interim_support_record(
    *, entry: WaitingListEntry, actor: User, interim_support: str
) -> WaitingListEntry:
    _, locked = lock_case_and(
        WaitingListEntry, entry.pk, referral_path="referral_id", actor=actor, where={"left_at__isnull": True}
    )
    locked.interim_support = interim_support
    locked.save(update_fields=["interim_support"])
    audit_record(
        actor=actor, action=AuditAction.CASEWORK_INTERIM_SUPPORT, obj=locked, detail={"referral_id": locked.referral_id}
    )
    return locked


@transaction.atomic
def welfare_check_in_complete(*, check_in: WelfareCheckIn, actor: User, note: str = "") -> WelfareCheckIn:
    """Record a check-in as done and schedule the next one."""
    _, locked = lock_case_and(WelfareCheckIn, check_in.pk, referral_path="entry__referral_id", actor=actor)
    if locked.done_at is not None:
        raise CaseworkError("That check-in has already been recorded.")
    now = timezone.now()
    locked.done_at, locked.done_by, locked.note = now, actor, note
    locked.save(update_fields=["done_at", "done_by", "note"])
    following = None
    if locked.entry.left_at is None:
        following = WelfareCheckIn.objects.create(
            entry=locked.entry, due_on=timezone.localdate(now) + timedelta(days=locked.entry.check_in_every_days)
        )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_CHECK_IN,
        obj=locked,
        detail={
            "referral_id": locked.entry.referral_id,
            "next_due": following.due_on.isoformat() if following else None,
        },
    )
    return locked


@transaction.atomic
def waiting_list_position_message_request(*, entry: WaitingListEntry, actor: User) -> WaitingListEntry:
    """Tell the person their place on the waiting list, by text or email through the messaging backend.
    Refused where no message may be sent."""
    _, locked = lock_case_and(WaitingListEntry, entry.pk, referral_path="referral_id", actor=actor)
    if locked.left_at is not None:
        raise CaseworkError("The person is no longer on the waiting list.")
    if not rules.safe_to_message(locked.referral):
        raise UnsafeContact("The referral says it is not safe to text or email this person.")
    row = waiting_position(referral=locked.referral)
    if row is None:
        raise CaseworkError("The person is no longer on the waiting list.")
    weeks = row.estimate.weeks
    estimate = (
        f"We expect to start your support in about {max(1, round(weeks))} week{'s' if round(weeks) > 1 else ''}."
        if weeks is not None
        else "We cannot yet say how long the wait will be."
    )
    message = case_message_queue(
        referral=locked.referral,
        kind=WAITING_LIST_POSITION,
        personalisation={"position": str(row.position), "estimate": estimate},
    )
    locked.position_message_requested_at = timezone.now()
    locked.save(update_fields=["position_message_requested_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_POSITION_MESSAGE_QUEUED,
        obj=locked,
        detail={"referral_id": locked.referral_id, "message": str(message.reference), "status": message.status},
    )
    return locked


def leave_waiting_list(referral: Referral, moment: datetime) -> None:
    entries = WaitingListEntry.objects.filter(referral=referral, left_at__isnull=True)
    WelfareCheckIn.objects.filter(entry__in=entries, done_at__isnull=True).delete()
    entries.update(left_at=moment)


@transaction.atomic
def support_start(*, referral: Referral, actor: User) -> Referral:
    """Support has started: the person leaves the waiting list and the case is engaged."""
    locked = lock_case(referral=referral, actor=actor, statuses=(Status.WAITING, Status.CONTACTED))
    leave_waiting_list(locked, timezone.now())
    return spine.referral_mark_engaged(referral=locked, actor=actor)
