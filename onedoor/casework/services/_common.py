"""What every casework service shares: the statuses a case is worked in, the errors, and the lock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.db import models

from onedoor.accounts.models import User
from onedoor.core.errors import DomainError
from onedoor.referrals.access import ReferralAction, require_may_act
from onedoor.referrals.models import Referral, Status

# Statuses in which a case is being worked (casework records may be added).
CASE_STATUSES = (
    Status.ACCEPTED,
    Status.WAITING,
    Status.CONTACT_ATTEMPTED,
    Status.CONTACTED,
    Status.ENGAGED,
)


class UnsafeContact(DomainError, ValueError):
    """The referral's safe-contact answers forbid this contact. Nothing was saved."""


class CaseworkError(DomainError, ValueError):
    """A casework change that cannot be made as asked. Nothing was saved. `field` names the form field the
    refusal is about, where there is one, so that the page shows it there and the error summary links to it."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def lock_case(
    *,
    referral: Referral,
    actor: User,
    statuses: Iterable[str] = CASE_STATUSES,
    action: ReferralAction = ReferralAction.CASEWORK,
) -> Referral:
    """Lock the referral and check the actor may take the action on it (onedoor.referrals.access): they
    work for the organisation that holds it, in a role the action admits."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)
    require_may_act(user=actor, referral=locked, action=action, what="case")
    if locked.status not in statuses:
        if locked.status == Status.CLOSED:
            raise CaseworkError("This case is closed. Re-open it (with a reason) before recording anything new.")
        raise CaseworkError(f"This case is {Status(locked.status).label.lower()}: that cannot be done now.")
    return locked


M = TypeVar("M", bound=models.Model)


def lock_case_and(
    model: type[M],
    pk: int,
    *,
    referral_path: str,
    actor: User,
    statuses: Iterable[str] = CASE_STATUSES,
    where: dict[str, object] | None = None,
) -> tuple[Referral, M]:
    """Lock a case and then one of its own rows (a goal, a waiting-list place, a check-in...), in the one
    lock order every service keeps (docs/architecture.md, "Locking"): the referral first, then its rows.
    Locking the row first and the referral second, as services once did, can deadlock against a service that
    locks the referral and then updates the row (closing a case ends its waiting-list place)."""
    conditions = where or {}
    referral_id = model._default_manager.filter(pk=pk, **conditions).values_list(referral_path, flat=True).get()
    referral = lock_case(referral=Referral(pk=referral_id), actor=actor, statuses=statuses)
    row = model._default_manager.select_for_update(of=("self",)).get(pk=pk, **conditions)
    return referral, row
