"""Access helpers for the casework objects a URL names, in Zulip's `access_*_by_id` style.

Each fetches the case named in the URL through `onedoor.referrals.access.referral_for_action` (its holder, in
a role the action admits, or 404, audited), then the child object only among that case's own: an id from
another case, or another provider's, answers 404 exactly as one that does not exist. Views fetch the
objects they are given by id only through these.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from onedoor.casework.models import CaseAlert, Goal, JointWorking, ModernSlaveryReferral, WelfareCheckIn
from onedoor.casework.selectors import WaitingRow, open_alerts, waiting_position
from onedoor.referrals.access import ACTION_ROLES, ReferralAction, referral_for_action
from onedoor.referrals.models import Referral

CASEWORK = ReferralAction.CASEWORK


def access_goal_by_id(
    *, user: Any, reference: str, goal_id: int, action: ReferralAction = CASEWORK
) -> tuple[Referral, Goal]:
    referral = referral_for_action(user=user, reference=reference, action=action)
    return referral, get_object_or_404(Goal, pk=goal_id, plan__referral=referral)


def access_check_in_by_id(
    *, user: Any, reference: str, check_in_id: int, action: ReferralAction = CASEWORK
) -> tuple[Referral, WelfareCheckIn]:
    """A welfare check-in still to be done, on the case's waiting-list entries."""
    referral = referral_for_action(user=user, reference=reference, action=action)
    return referral, get_object_or_404(WelfareCheckIn, pk=check_in_id, entry__referral=referral, done_at__isnull=True)


def access_joint_working_by_id(
    *, user: Any, reference: str, joint_id: int, action: ReferralAction = CASEWORK
) -> tuple[Referral, JointWorking]:
    """Joint working on the case that has not ended."""
    referral = referral_for_action(user=user, reference=reference, action=action)
    return referral, get_object_or_404(JointWorking, pk=joint_id, referral=referral, ended_at__isnull=True)


def access_modern_slavery_referral_by_id(
    *, user: Any, reference: str, record_id: int, action: ReferralAction = CASEWORK
) -> tuple[Referral, ModernSlaveryReferral]:
    referral = referral_for_action(user=user, reference=reference, action=action)
    return referral, get_object_or_404(ModernSlaveryReferral, pk=record_id, referral=referral)


def access_waiting_entry(
    *, user: Any, reference: str, action: ReferralAction = CASEWORK
) -> tuple[Referral, WaitingRow]:
    """The case's current place on its service's waiting list (the URL names the case, not the entry)."""
    referral = referral_for_action(user=user, reference=reference, action=action)
    row = waiting_position(referral=referral)
    if row is None:
        raise Http404
    return referral, row


def access_alert_by_id(*, user: Any, alert_id: int) -> CaseAlert:
    """An open alert of the team lead's own organisation."""
    if getattr(user, "role", None) not in ACTION_ROLES[ReferralAction.LEAD]:
        raise Http404
    alert = open_alerts(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert
