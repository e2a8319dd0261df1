"""Outcome measures, and the alert a risk item raises for the team leads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework import measures
from onedoor.casework.models import AlertKind, CaseAlert, MeasureRecord, MeasureStage
from onedoor.casework.services._common import CaseworkError, lock_case
from onedoor.casework.tasks import alert_team_leads
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.tasks import enqueue_on_commit
from onedoor.referrals.models import Referral


@transaction.atomic
def measure_record(
    *,
    referral: Referral,
    actor: User,
    measure: str,
    stage: str,
    answers: Sequence[int],
    administered_on: date | None = None,
) -> MeasureRecord:
    """Score and store one administration. A risk item above 0 alerts the team lead at once."""
    locked = lock_case(referral=referral, actor=actor)
    if stage not in MeasureStage.values:
        raise CaseworkError("Say whether this is at the start, a review or closure.")
    try:
        result = measures.score(measure, list(answers))
    except measures.MeasureError as exc:
        raise CaseworkError(str(exc)) from exc
    now = timezone.now()
    record = MeasureRecord.objects.create(
        referral=locked,
        measure=measure,
        stage=stage,
        administered_on=administered_on or timezone.localdate(now),
        answers=list(answers),
        total=result.total,
        band=result.band,
        risk_items=list(result.risk_items),
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_MEASURE,
        obj=record,
        detail={"referral_id": locked.pk, "measure": measure, "stage": stage, "risk": result.has_risk},
    )
    if result.has_risk:
        assert locked.current_service is not None and locked.current_service.organisation_id is not None
        alert = CaseAlert.objects.create(
            referral=locked,
            organisation_id=locked.current_service.organisation_id,
            kind=AlertKind.MEASURE_RISK,
            measure_record=record,
            created_at=now,
        )
        audit_record(
            actor=actor, action=AuditAction.CASEWORK_ALERT_RAISED, obj=alert, detail={"referral_id": locked.pk}
        )
        enqueue_on_commit(alert_team_leads, alert_id=alert.pk)
    return record


@transaction.atomic
def alert_acknowledge(*, alert: CaseAlert, actor: User) -> CaseAlert:
    locked = CaseAlert.objects.select_for_update().get(pk=alert.pk)
    if actor.role != Role.TEAM_LEAD or actor.organisation_id != locked.organisation_id:
        raise PermissionDenied("Only a team lead of the organisation can acknowledge this alert.")
    if locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by = timezone.now(), actor
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=actor, action=AuditAction.CASEWORK_ALERT_ACKNOWLEDGED, obj=locked)
    return locked
