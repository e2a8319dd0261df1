"""The support plan, its goals and their progress notes."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework.models import Goal, Intervention, ProgressNote, SupportPlan
from onedoor.casework.services._common import CaseworkError, lock_case, lock_case_and
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import NeedCategory
from onedoor.referrals.models import Referral


@transaction.atomic
def support_plan_save(*, referral: Referral, actor: User, headline: str, review_on: date) -> SupportPlan:
    locked = lock_case(referral=referral, actor=actor)
    if not headline.strip():
        raise CaseworkError("Give the plan a one-line headline.")
    if review_on < timezone.localdate():
        raise CaseworkError("The review date must be today or later.")
    plan, created = SupportPlan.objects.update_or_create(
        referral=locked,
        defaults={"headline": headline.strip(), "review_on": review_on},
        create_defaults={
            "headline": headline.strip(),
            "review_on": review_on,
            "created_at": timezone.now(),
            "created_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_PLAN_CREATED if created else AuditAction.CASEWORK_PLAN_UPDATED,
        obj=plan,
        detail={"referral_id": locked.pk, "review_on": review_on.isoformat()},
    )
    return plan


@transaction.atomic
def goal_add(*, referral: Referral, actor: User, need: NeedCategory, description: str, intervention: str) -> Goal:
    locked = lock_case(referral=referral, actor=actor)
    plan = SupportPlan.objects.filter(referral=locked).first()
    if plan is None:
        raise CaseworkError("Write the plan's headline and review date before adding goals.")
    if intervention not in Intervention.values:
        raise CaseworkError("Choose an intervention from the service's offers.", field="intervention")
    service = locked.current_service
    if service is not None and service.offers and intervention not in service.offers:
        offered = "; ".join(str(Intervention(o).label) for o in service.offers if o in Intervention.values)
        raise CaseworkError(
            f"{service} does not offer {Intervention(intervention).label}. It offers: {offered}.", field="intervention"
        )
    if not description.strip():
        raise CaseworkError("Describe the goal.", field="description")
    goal = Goal.objects.create(
        plan=plan, need=need, description=description.strip(), intervention=intervention, created_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_GOAL_ADDED,
        obj=goal,
        detail={"referral_id": locked.pk, "need": need.slug, "intervention": intervention},
    )
    return goal


@transaction.atomic
def goal_progress_note_add(*, goal: Goal, actor: User, note: str, status: str | None = None) -> ProgressNote:
    referral, locked_goal = lock_case_and(Goal, goal.pk, referral_path="plan__referral_id", actor=actor)
    if not note.strip():
        raise CaseworkError("Write the progress note.", field="note")
    progress = ProgressNote.objects.create(goal=locked_goal, at=timezone.now(), by=actor, note=note.strip())
    if status and status != locked_goal.status:
        locked_goal.status = status
        locked_goal.full_clean(validate_unique=False, validate_constraints=False)
        locked_goal.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_PROGRESS_NOTE,
        obj=progress,
        detail={"referral_id": referral.pk, "goal_id": locked_goal.pk, "status": locked_goal.status},
    )
    return progress
