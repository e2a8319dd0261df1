"""May this user act on this referral, in this role? The one place that decides it.

Three things must all hold: the user's organisation holds the referral now (its current service is theirs);
the user's role may take the action (the table below); and, for a view, the user may see the referral at all
(need-to-know, `onedoor.referrals.selectors`). Views fetch through `referral_for_action`, which answers 404
to anyone else; services call `require_may_act` on the row they have locked, which raises PermissionDenied,
so a caller that skips the view (an API route, a command) cannot skip the role either.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onedoor.accounts.models import PROVIDER_ROLES, Role
from onedoor.core.audit import audit_refusal
from onedoor.referrals.models import Referral
from onedoor.referrals.selectors import referral_for_provider


class ReferralAction(enum.Enum):
    TRIAGE = "triage"  # triage, accept, decline, re-route, assign to a colleague or unassign
    CLAIM = "claim"  # take a referral for oneself
    CASEWORK = "casework"  # every casework change, and the status steps after acceptance
    LEAD = "lead"  # what only a team lead may do (confirming a measure's score, say)


TRIAGE_ROLES = frozenset({Role.PROVIDER_TRIAGE, Role.TEAM_LEAD})
LEAD_ROLES = frozenset({Role.TEAM_LEAD})

# The roles each action needs, exactly as the pages' `@roles(...)` declare them.
ACTION_ROLES: dict[ReferralAction, frozenset[Role]] = {
    ReferralAction.TRIAGE: TRIAGE_ROLES,
    ReferralAction.CLAIM: PROVIDER_ROLES,
    ReferralAction.CASEWORK: PROVIDER_ROLES,
    ReferralAction.LEAD: LEAD_ROLES,
}


def holds(*, user: Any, referral: Referral) -> bool:
    """The user is provider staff of the organisation whose service holds the referral now."""
    service = referral.current_service
    return bool(
        getattr(user, "is_provider_staff", False)
        and service is not None
        and service.organisation_id == user.organisation_id
    )


def may_act(*, user: Any, referral: Referral, action: ReferralAction) -> bool:
    return (
        getattr(user, "is_active", False)
        and getattr(user, "role", None) in ACTION_ROLES[action]
        and holds(user=user, referral=referral)
    )


def require_may_act(*, user: Any, referral: Referral, action: ReferralAction, what: str = "referral") -> None:
    """For services, on the row they have locked: PermissionDenied unless the user may act."""
    if not holds(user=user, referral=referral):
        raise PermissionDenied(f"Only the team that holds this {what} can do that.")
    if not may_act(user=user, referral=referral, action=action):
        raise PermissionDenied(f"Your role cannot do that to this {what}.")
    if referral.processing_restricted:
        raise PermissionDenied(
            f"Processing of this {what} is restricted at the person's request (UK GDPR Article 18): it is kept, "
            "read-only, and nothing else can be done with it until the data protection officer lifts the restriction."
        )


def referral_for_action(*, user: Any, reference: str, action: ReferralAction) -> Referral:
    """For views: the referral named in the URL, if this user may take this action on it; else 404.

    Seen but not held (the other side of a transition), or held but not for this role: refused, and
    audited like any refusal."""
    referral = referral_for_provider(user=user, reference=reference)
    if not may_act(user=user, referral=referral, action=action):
        audit_refusal(actor=user, model=Referral, reference=referral.reference, what="case.change")
        raise Http404
    return referral
