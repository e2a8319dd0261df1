"""What a data protection officer may see: the commissioner's officer, every record; a provider's officer,
only the records of referrals their organisation's services hold or have held. The one place that decides
it; views fetch a referral named in a URL through `referral_for_officer`, which answers 404 otherwise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from onedoor.accounts.models import OrganisationKind, Role, User
from onedoor.core.audit import audit_refusal
from onedoor.referrals.models import Allocation, Referral


def is_officer(user: Any) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "role", None) == Role.DATA_PROTECTION_OFFICER
        and getattr(user, "organisation_id", None) is not None
    )


def sees_everything(officer: User) -> bool:
    """The commissioner's office is the controller of OneDoor as a whole: its officer sees every record."""
    return officer.organisation is not None and officer.organisation.kind == OrganisationKind.COMMISSIONER


def require_officer(officer: Any) -> User:
    if not is_officer(officer):
        raise PermissionDenied("Only a data protection officer can do that.")
    assert isinstance(officer, User)
    if officer.organisation is None or officer.organisation.kind not in (
        OrganisationKind.COMMISSIONER,
        OrganisationKind.PROVIDER,
    ):
        raise PermissionDenied("A data protection officer belongs to the commissioner's office or to a provider.")
    return officer


def organisation_id(officer: User) -> int:
    """The officer's organisation's id (an officer always has one: a database constraint says so)."""
    if officer.organisation_id is None:
        raise PermissionDenied("A data protection officer belongs to an organisation.")
    return int(officer.organisation_id)


def referrals_for_officer(*, officer: User) -> QuerySet[Referral]:
    """Every referral the officer answers for."""
    require_officer(officer)
    if sees_everything(officer):
        return Referral.objects.all()
    held = Allocation.objects.filter(referral=OuterRef("pk"), service__organisation_id=organisation_id(officer))
    return Referral.objects.filter(Exists(held))


def referral_for_officer(*, officer: Any, reference: str) -> Referral:
    """The referral named in a URL, if this officer answers for it; otherwise 404, audited."""
    if not is_officer(officer):
        raise Http404
    referral = referrals_for_officer(officer=officer).filter(reference=reference).first()
    if referral is None:
        audit_refusal(actor=officer, model=Referral, reference=reference, what="privacy")
        raise Http404
    return referral
