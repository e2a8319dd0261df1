"""Joint working with another service, onward referrals and young people's to adults' transitions. The
new referral is built on the spine (onedoor.referrals.onward); the link is recorded here."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import rules
from onedoor.casework.models import JointWorking
from onedoor.casework.services._common import CaseworkError, lock_case, lock_case_and
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.models import OnwardKind, OnwardReferral, Referral, Status
from onedoor.referrals.onward import onward_referral_build

_ONWARD_ACTIONS: dict[str, AuditAction] = {
    OnwardKind.COMMISSIONED: AuditAction.CASEWORK_ONWARD_COMMISSIONED,
    OnwardKind.TRANSITION: AuditAction.CASEWORK_ONWARD_TRANSITION,
}


@transaction.atomic
def joint_working_start(
    *, referral: Referral, actor: User, partner_service: Service, consent_to_share: bool
) -> JointWorking:
    locked = lock_case(referral=referral, actor=actor)
    if not partner_service.is_commissioned or partner_service.pk == locked.current_service_id:
        raise CaseworkError("Choose another commissioned service to work jointly with.")
    joint = JointWorking.objects.create(
        referral=locked,
        partner_service=partner_service,
        consent_to_share=consent_to_share,
        started_at=timezone.now(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_JOINT_WORKING_STARTED,
        obj=joint,
        detail={"referral_id": locked.pk, "partner": partner_service.slug, "consent": consent_to_share},
    )
    return joint


@transaction.atomic
def joint_working_end(*, joint: JointWorking, actor: User) -> JointWorking:
    _, locked = lock_case_and(JointWorking, joint.pk, referral_path="referral_id", actor=actor, statuses=Status.values)
    if locked.ended_at is None:
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        audit_record(actor=actor, action=AuditAction.CASEWORK_JOINT_WORKING_ENDED, obj=locked)
    return locked


def _onward(
    *, locked: Referral, actor: User, to_service: Service, kind: str, reason: str, **extra: object
) -> OnwardReferral:
    if not to_service.is_commissioned or not to_service.active or to_service.pk == locked.current_service_id:
        raise CaseworkError("Choose another active commissioned service.")
    assert locked.current_service is not None
    to_referral = onward_referral_build(from_referral=locked, actor=actor, to_service=to_service, reason=reason)
    onward = OnwardReferral.objects.create(
        from_referral=locked,
        to_service=to_service,
        to_referral=to_referral,
        kind=kind,
        created_at=timezone.now(),
        created_by=actor,
        **extra,
    )
    audit_record(
        actor=actor,
        action=_ONWARD_ACTIONS[kind],
        obj=onward,
        detail={"referral_id": locked.pk, "to_referral_id": to_referral.pk, "to_service": to_service.slug},
    )
    return onward


@transaction.atomic
def onward_referral_make(*, referral: Referral, actor: User, to_service: Service) -> OnwardReferral:
    """Refer on to another commissioned service: a new referral in its queue, linked to this one."""
    locked = lock_case(referral=referral, actor=actor)
    return _onward(
        locked=locked,
        actor=actor,
        to_service=to_service,
        kind=OnwardKind.COMMISSIONED,
        reason=f"Onward referral from {locked.current_service}.",
    )


@transaction.atomic
def onward_referral_external(
    *, referral: Referral, actor: User, to_service: Service, outcome: str = ""
) -> OnwardReferral:
    """Record a referral to a service outside OneDoor, from the directory, with its outcome if known."""
    locked = lock_case(referral=referral, actor=actor)
    if to_service.kind != ServiceKind.SIGNPOST:
        raise CaseworkError("Refer to a commissioned service through OneDoor instead.")
    onward = OnwardReferral.objects.create(
        from_referral=locked,
        to_service=to_service,
        kind=OnwardKind.EXTERNAL,
        outcome=outcome,
        created_at=timezone.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_ONWARD_EXTERNAL,
        obj=onward,
        detail={"referral_id": locked.pk, "to_service": to_service.slug},
    )
    return onward


@transaction.atomic
def transition_start(
    *, referral: Referral, actor: User, to_service: Service, handover_meeting_on: date, plan: str
) -> OnwardReferral:
    """Young people's to adults' service (any child service to an adult one): a linked
    referral to the adult service, a transition plan and a handover meeting. Both services see the case
    until the handover window ends."""
    locked = lock_case(referral=referral, actor=actor)
    if not plan.strip():
        raise CaseworkError("Write the transition plan.")
    assert locked.current_service is not None
    if locked.current_service.max_age is None:
        raise CaseworkError("A transition is from a young people's service: refer on instead.")
    if to_service.min_age is None or to_service.min_age < rules.ADULT_AGE:
        raise CaseworkError("A transition is to an adults' service.")
    if handover_meeting_on < timezone.localdate():
        raise CaseworkError("The handover meeting must be today or later.")
    return _onward(
        locked=locked,
        actor=actor,
        to_service=to_service,
        kind=OnwardKind.TRANSITION,
        reason=f"Transition from {locked.current_service} to {to_service}: handover meeting on "
        f"{handover_meeting_on:%d %B %Y}.",
        handover_meeting_on=handover_meeting_on,
        handover_ends_on=handover_meeting_on + timedelta(days=rules.HANDOVER_WINDOW_DAYS),
        transition_plan=plan.strip(),
    )
