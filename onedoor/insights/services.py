"""The commissioner's changes: saving a commentary, and recording an export. Each is audited in its own
transaction; the audit detail holds codes (page, period, format, filters), never a person."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from onedoor.accounts.models import Role
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.errors import DomainError
from onedoor.insights.models_commentary import Commentary
from onedoor.insights.periods import Period, PeriodKind

MAX_COMMENTARY = 20_000


class CommentaryError(DomainError):
    """A commentary that cannot be saved; the message says why."""


def commentary_save(*, actor: Any, period: Period, text: str) -> Commentary:
    """Save a new version of the commentary on a quarter's return or a year's report. Earlier versions are
    kept as they were; the new one is numbered after the latest."""
    if getattr(actor, "role", None) != Role.COMMISSIONER_ANALYST:
        raise CommentaryError("Only the commissioner's analyst writes the commentary.")
    if period.kind not in (PeriodKind.QUARTER, PeriodKind.YEAR):
        raise CommentaryError("A commentary belongs to a financial quarter or a financial year.")
    text = text.strip()
    if not text:
        raise CommentaryError("Write the commentary before saving it.")
    if len(text) > MAX_COMMENTARY:
        raise CommentaryError(f"The commentary is {len(text):,} characters; keep it to {MAX_COMMENTARY:,}.")
    try:
        with transaction.atomic():
            # Lock the period's versions so two saves at once number themselves one after the other; the
            # unique constraint catches the first version saved twice at the same moment.
            list(Commentary.objects.select_for_update().filter(period_code=period.code).values_list("pk"))
            latest = Commentary.objects.filter(period_code=period.code).aggregate(n=Max("version"))["n"] or 0
            saved = Commentary.objects.create(
                period_code=period.code, version=latest + 1, text=text, author=actor, created_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action=AuditAction.INSIGHTS_COMMENTARY_SAVED,
                obj=saved,
                detail={"period": period.code, "version": saved.version},
            )
    except IntegrityError as error:
        raise CommentaryError("Someone saved a commentary for this period at the same moment: save again.") from error
    return saved


def insights_export_record(*, actor: Any, page: str, period: Period, fmt: str, filters: str, table: str) -> None:
    """Audit one download of figures: which page (and table, if one), period, format and filter codes."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.INSIGHTS_EXPORTED,
            detail={"page": page, "table": table, "period": period.code, "format": fmt, "filters": filters},
        )
