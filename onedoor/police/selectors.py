"""Who sees which batches: police data officers and administrators see the ledger; nobody else does."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from onedoor.accounts.models import Role
from onedoor.police.models import PoliceBatch

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
