"""Modern slavery: the NRM referral or the MS1 duty to notify, and the grounds decisions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import rules
from onedoor.casework.models import GroundsDecision, ModernSlaveryReferral, SlaveryPath
from onedoor.casework.services._common import CaseworkError, lock_case, lock_case_and
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.referrals.models import Referral

_PATH_ACTIONS: dict[str, AuditAction] = {
    SlaveryPath.NRM: AuditAction.CASEWORK_MODERN_SLAVERY_NRM,
    SlaveryPath.MS1: AuditAction.CASEWORK_MODERN_SLAVERY_MS1,
}
_STAGE_ACTIONS: dict[str, AuditAction] = {
    "reasonable": AuditAction.CASEWORK_MODERN_SLAVERY_REASONABLE_GROUNDS,
    "conclusive": AuditAction.CASEWORK_MODERN_SLAVERY_CONCLUSIVE_GROUNDS,
}


@transaction.atomic
def modern_slavery_record(
    *,
    referral: Referral,
    actor: User,
    first_responder: str,
    submitted_on: date,
    adult_consents: bool | None = None,
) -> ModernSlaveryReferral:
    """A child always goes into the NRM, and consent is not asked (`adult_consents` must be None). An
    adult goes into the NRM with consent; without it, the anonymous MS1 duty to notify."""
    locked = lock_case(referral=referral, actor=actor)
    if not first_responder.strip():
        raise CaseworkError("Name the first responder organisation.")
    age = locked.age_at_referral
    if age is None:
        raise CaseworkError("Record the person's age first: the pathway depends on it.")
    is_child = age < rules.ADULT_AGE
    if is_child:
        if adult_consents is not None:
            raise CaseworkError("A child is always referred into the NRM: consent is not asked.")
        path, consent = SlaveryPath.NRM, None
    else:
        if adult_consents is None:
            raise CaseworkError("Ask the adult whether they consent to an NRM referral.")
        path, consent = (SlaveryPath.NRM, True) if adult_consents else (SlaveryPath.MS1, False)
    record = ModernSlaveryReferral.objects.create(
        referral=locked,
        path=path,
        is_child=is_child,
        consent=consent,
        first_responder=first_responder.strip(),
        submitted_on=submitted_on,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=_PATH_ACTIONS[path],
        obj=record,
        detail={"referral_id": locked.pk, "child": is_child},
    )
    return record


@transaction.atomic
def modern_slavery_decision_record(
    *, record: ModernSlaveryReferral, actor: User, stage: str, decision: str, decided_on: date
) -> ModernSlaveryReferral:
    """A reasonable-grounds or conclusive-grounds decision, with its date."""
    _, locked = lock_case_and(ModernSlaveryReferral, record.pk, referral_path="referral_id", actor=actor)
    if locked.path != SlaveryPath.NRM:
        raise CaseworkError("Only an NRM referral gets grounds decisions.")
    if decision not in (GroundsDecision.POSITIVE, GroundsDecision.NEGATIVE):
        raise CaseworkError("The decision is positive or negative.")
    if stage == "reasonable":
        locked.reasonable_grounds, locked.reasonable_grounds_on = decision, decided_on
    elif stage == "conclusive":
        if locked.reasonable_grounds != GroundsDecision.POSITIVE:
            raise CaseworkError("A conclusive-grounds decision follows a positive reasonable-grounds decision.")
        locked.conclusive_grounds, locked.conclusive_grounds_on = decision, decided_on
    else:
        raise CaseworkError("The stage is reasonable or conclusive grounds.")
    locked.save()
    audit_record(
        actor=actor,
        action=_STAGE_ACTIONS[stage],
        obj=locked,
        detail={"decision": decision, "on": decided_on.isoformat()},
    )
    return locked
