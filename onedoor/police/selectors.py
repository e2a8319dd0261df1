"""Who sees which batches and records. The ledger (batches, their counts and errors) is for police data
officers and administrators. The review list names victim records, so it is for the police data officers
of the force whose file it is, and nobody else: not administrators, not another force's officers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from onedoor.accounts.models import Organisation, OrganisationKind, Role
from onedoor.areas.current import force_codes
from onedoor.police.models import PoliceBatch, PoliceVictimRecord

LEDGER_ROLES = frozenset({Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR})


def batches_visible_to(*, user: Any) -> QuerySet[PoliceBatch]:
    if not getattr(user, "is_authenticated", False) or user.role not in LEDGER_ROLES:
        return PoliceBatch.objects.none()
    return PoliceBatch.objects.select_related("created_by")


def batch_get_visible(*, user: Any, pk: int) -> PoliceBatch:
    batch = batches_visible_to(user=user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def force_organisation_id() -> int | None:
    """The organisation whose officers the import's referrals are made for: the area's police force (the
    first police organisation, as `onedoor.police.process` takes it)."""
    return Organisation.objects.filter(kind=OrganisationKind.POLICE).order_by("pk").values_list("pk", flat=True).first()


def may_review(*, user: Any) -> bool:
    """Only a police data officer of the area's force reviews its records."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.POLICE_DATA_OFFICER:
        return False
    return user.organisation_id is not None and user.organisation_id == force_organisation_id()


def records_needing_review(*, user: Any) -> QuerySet[PoliceVictimRecord]:
    """The records flagged for review that this user may resolve, oldest first (the partial index
    `police_review_idx` holds exactly the flagged ones)."""
    if not may_review(user=user):
        return PoliceVictimRecord.objects.none()
    return PoliceVictimRecord.objects.filter(needs_review=True, force_code__in=sorted(force_codes())).order_by("id")


def record_for_review(*, user: Any, pk: int) -> PoliceVictimRecord:
    record = records_needing_review(user=user).select_related("offence_group", "offer").filter(pk=pk).first()
    if record is None:
        raise Http404
    return record
