"""What every casework service shares: the statuses a case is worked in, the errors, and the lock."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from onedoor.accounts.models import User
from onedoor.referrals.models import Referral, Status

# Statuses in which a case is being worked (casework records may be added).
CASE_STATUSES = (
    Status.ACCEPTED,
    Status.WAITING,
    Status.CONTACT_ATTEMPTED,
    Status.CONTACTED,
    Status.ENGAGED,
)


class UnsafeContact(ValueError):
    """The referral's safe-contact answers forbid this contact. Nothing was saved."""


class CaseworkError(ValueError):
    """A casework change that cannot be made as asked. Nothing was saved."""


def lock_case(*, referral: Referral, actor: User, statuses: Iterable[str] = CASE_STATUSES) -> Referral:
    """Lock the referral and check the actor works for the organisation that holds it."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)
    service = locked.current_service
    if not actor.is_provider_staff or service is None or service.organisation_id != actor.organisation_id:
        raise PermissionDenied("Only the team that holds this case can do that.")
    if locked.status not in statuses:
        raise CaseworkError(f"This case is {Status(locked.status).label.lower()}: that cannot be done now.")
    return locked
