"""The retention schedule (the area file's `retention`), applied by `apply_retention`.

Each kind of record has a period in months and an action, delete or anonymise. Its clock starts where
`KINDS` says. A case under a legal hold (`LegalHold`, not lifted) is left alone, with its casework and the
police record it came from. The run writes one audit row, `retention.applied` (or `retention.dry_run`),
with the counts by kind and nothing personal. A dry run counts the same rows and changes nothing.

The audit log is append-only to the application (ADR 0004): the daily run only counts the rows past
their period; the database owner removes them with `manage.py apply_retention --audit-log` (see
`onedoor.privacy.audit_purge`).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from onedoor.areas.retention import ANONYMISE, DELETE, KINDS, Rule, schedule
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.directory.models import Feedback
from onedoor.messaging.models import Message, MessageStatus
from onedoor.police.models import BatchStatus, PoliceChunk, PoliceRowError, PoliceVictimRecord
from onedoor.privacy.anonymise import (
    casework_anonymise,
    feedback_anonymise,
    messages_anonymise,
    police_records_anonymise,
    referrals_anonymise,
)
from onedoor.privacy.audit_purge import audit_rows_before
from onedoor.privacy.models import LegalHold
from onedoor.referrals.models import FINAL_STATUSES, Referral, SignpostRecord

__all__ = ["KINDS", "Rule", "apply_retention", "cutoff_for", "months_before", "schedule"]


# Messages still on their way are never touched.
_MESSAGE_IN_FLIGHT = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.TEMPORARY_FAILURE)


@dataclass
class RetentionReport:
    today: date
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    held_cases: int = 0

    def as_detail(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "counts": dict(self.counts),
            "actions": dict(self.actions),
            "held_cases": self.held_cases,
        }


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the last day of that month where it is shorter)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def cutoff_for(today: date, months: int) -> datetime:
    return timezone.make_aware(datetime.combine(months_before(today, months), time.min))


def _held() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(referral=OuterRef("pk"), lifted_at__isnull=True)


def _finished_before(cutoff: datetime) -> QuerySet[Referral]:
    """Finished referrals whose last status change is before the cutoff, not under a legal hold."""
    return (
        Referral.objects.filter(status__in=FINAL_STATUSES)
        .annotate(last_change=Max("events__at"))
        .filter(last_change__lt=cutoff)
        .exclude(Exists(_held()))
    )


def _due(rule: Rule, today: date) -> QuerySet[Any]:
    """The rows this rule would act on today."""
    cutoff = cutoff_for(today, rule.months)
    if rule.kind == "police_record_without_referral":
        qs = PoliceVictimRecord.objects.filter(referral__isnull=True, recorded_at__lt=cutoff)
        return qs.filter(anonymised_at__isnull=True) if rule.action == ANONYMISE else qs
    if rule.kind == "police_record_with_referral":
        held = LegalHold.objects.filter(referral=OuterRef("referral_id"), lifted_at__isnull=True)
        return PoliceVictimRecord.objects.filter(
            referral__isnull=False,
            referral__status__in=FINAL_STATUSES,
            recorded_at__lt=cutoff,
            anonymised_at__isnull=True,
        ).exclude(Exists(held))
    if rule.kind == "support_offer_message":
        messages = Message.objects.filter(kind="support-offer", created_at__lt=cutoff).exclude(
            status__in=_MESSAGE_IN_FLIGHT
        )
        return messages.exclude(to="", person_key="", contact_key="") if rule.action == ANONYMISE else messages
    if rule.kind == "signpost_record":
        signposts = SignpostRecord.objects.filter(created_at__lt=cutoff)
        # Nothing personal is in one but who made it; anonymising forgets that and keeps it counted.
        return signposts.filter(created_by__isnull=False) if rule.action == ANONYMISE else signposts
    if rule.kind == "closed_referral":
        return _finished_before(cutoff).filter(anonymised_at__isnull=True)
    if rule.kind == "case_casework":
        return (
            _finished_before(cutoff)
            # Only cases with free text left, so a case already done is not counted again every day.
            .filter(
                Q(contact_attempts__note__gt="")
                | Q(support_plan__headline__gt="")
                | Q(support_plan__goals__description__gt="")
                | Q(waiting_entries__interim_support__gt="")
                | Q(events__referrer_note__gt="")
            )
            .distinct()
        )
    if rule.kind == "feedback":
        feedback = Feedback.objects.filter(received_on__lt=cutoff.date())
        if rule.action == ANONYMISE:
            return feedback.exclude(could_be_better="", contact_name="", contact_detail="")
        return feedback
    if rule.kind == "row_errors":
        return PoliceRowError.objects.filter(batch__started_at__lt=cutoff)
    if rule.kind == "uploaded_files":
        return PoliceChunk.objects.filter(batch__started_at__lt=cutoff).exclude(batch__status=BatchStatus.RUNNING)
    raise ValueError(f"No retention rule for {rule.kind!r}: the area file's retention names an unknown kind.")


def _apply(rule: Rule, rows: QuerySet[Any], now: datetime) -> int:
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    if rule.kind == "closed_referral":
        return len(referrals_anonymise(referral_ids=ids, now=now))
    if rule.kind == "case_casework":
        casework_anonymise(referral_ids=ids)
        return len(ids)
    if rule.action == DELETE:
        rows.model._default_manager.filter(pk__in=ids).delete()
        return len(ids)
    if rule.kind in ("police_record_without_referral", "police_record_with_referral"):
        return police_records_anonymise(record_ids=ids, now=now)
    if rule.kind == "support_offer_message":
        return messages_anonymise(message_ids=ids)
    if rule.kind == "feedback":
        return feedback_anonymise(feedback_ids=ids)
    if rule.kind == "signpost_record":
        return SignpostRecord.objects.filter(pk__in=ids).update(created_by=None)
    raise ValueError(f"Retention cannot {rule.action} {rule.kind}.")


def apply_retention(*, today: date | None = None, dry_run: bool = False, actor: Any = None) -> RetentionReport:
    """Apply the area's schedule (or, with `dry_run`, count what it would do), in one transaction with
    its one audit row. Safe to run twice: what is already deleted or anonymised is not counted again."""
    day = today or timezone.localdate()
    now = timezone.now()
    report = RetentionReport(today=day, dry_run=dry_run)
    with transaction.atomic():
        report.held_cases = LegalHold.objects.filter(lifted_at__isnull=True).values("referral").distinct().count()
        for rule in schedule():
            report.actions[rule.kind] = rule.action
            if rule.kind == "audit_log":
                report.counts[rule.kind] = audit_rows_before(cutoff_for(day, rule.months))
                continue
            rows = _due(rule, day)
            report.counts[rule.kind] = rows.count() if dry_run else _apply(rule, rows, now)
        audit_record(
            actor=actor,
            action=AuditAction.RETENTION_DRY_RUN if dry_run else AuditAction.RETENTION_APPLIED,
            detail=report.as_detail(),
        )
    return report
