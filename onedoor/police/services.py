"""Importing the police overnight transfer: the entry points. The work is done in phases, each in its
own module, each committed chunk by chunk so that memory stays flat and a killed run loses nothing:

- `onedoor.police.encoding` and `onedoor.police.parser`: hash the file, detect its encoding, read and
  check its rows (against `onedoor.police.vocabulary`);
- `onedoor.police.load`, phase 1: create, update or leave each victim record;
- `onedoor.police.process`, phase 2: route, refer and offer support to every record not yet processed;
- `onedoor.police.chunks`: both phases as chunk tasks that run in parallel on any number of workers
  (ADR 0009); `police_batch_import` runs the same chunks in this process;
- `onedoor.police.exports`: the errors CSV.

A run killed at any point and run again ends in the state of one clean run: loaded rows compare equal
and are skipped, and processing picks up the records the killed run did not reach.

This module keeps the dry run and the handling of a contact detail that failed, and re-exports the
names callers have always imported from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.tasks import enqueue_on_commit
from onedoor.messaging.models import Message
from onedoor.police.chunks import police_batch_import
from onedoor.police.exports import csv_safe, errors_csv_lines
from onedoor.police.load import (
    CHUNK_SIZE,
    CONTACT_FIELDS,
    RECORD_FIELDS,
    ImportInterrupted,
    _check,
    _existing,
    area_force_codes,
    person_key,
)
from onedoor.police.models import SUMMARY_KEYS, PoliceVictimRecord
from onedoor.police.notices import tell_team_contact_invalid
from onedoor.police.parser import RowError, Vocabulary, read_rows, sniff
from onedoor.police.process import OFFER_KIND, REPEAT_WINDOW, police_records_process
from onedoor.referrals.models import Referral

__all__ = [
    "CHUNK_SIZE",
    "CONTACT_FIELDS",
    "OFFER_KIND",
    "RECORD_FIELDS",
    "REPEAT_WINDOW",
    "DryRunSummary",
    "ImportInterrupted",
    "area_force_codes",
    "csv_safe",
    "errors_csv_lines",
    "person_key",
    "police_batch_dry_run",
    "police_batch_import",
    "police_record_mark_contact_invalid",
    "police_records_process",
]


@dataclass
class DryRunSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    referrals: int = 0  # a dry run routes and offers nothing
    messages_queued: int = 0
    encoding: str = ""
    row_errors: list[RowError] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {**{key: getattr(self, key) for key in SUMMARY_KEYS}, "dry_run": True}


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def police_batch_dry_run(*, f: IO[bytes], now: datetime | None = None) -> DryRunSummary:
    """Check a file and say what an import would do, writing nothing."""
    moment = now or timezone.now()
    facts = sniff(f)
    vocab = Vocabulary.load(area_force_codes())
    result = DryRunSummary(encoding=facts.encoding)
    seen: set[tuple[str, str, str]] = set()
    for chunk in _chunks(read_rows(f, facts.encoding), CHUNK_SIZE):
        good, errors = _check(chunk, vocab, timezone.localdate(moment), seen)
        result.rows += len(chunk)
        result.errors += len({e.line for e in errors})
        result.row_errors.extend(errors)
        existing = _existing(good)
        for row in good:
            rec = existing.get(row.key)
            if rec is None:
                result.created += 1
            elif rec.row_hash == row.row_hash:
                result.unchanged += 1
            else:
                result.updated += 1
    return result


# -- contact failures ---------------------------------------------------------------------------------


@transaction.atomic
def police_record_mark_contact_invalid(*, message: Message) -> None:
    """A permanent delivery failure: mark the record's contact detail invalid and flag it to the team
    holding the referral (an audit row on the referral and a note in the team's email)."""
    rec = PoliceVictimRecord.objects.select_for_update().filter(offer=message).first()
    if rec is None:
        return
    if message.channel == "sms":
        rec.phone_invalid = True
    else:
        rec.email_invalid = True
    rec.needs_review = True
    rec.review_reason = f"The {'phone number' if message.channel == 'sms' else 'email address'} failed permanently."
    rec.save(update_fields=["phone_invalid", "email_invalid", "needs_review", "review_reason"])
    audit_record(
        actor=None, action=AuditAction.POLICE_RECORD_CONTACT_INVALID, obj=rec, detail={"channel": message.channel}
    )
    if rec.referral_id:
        referral = Referral.objects.select_related("current_service").get(pk=rec.referral_id)
        audit_record(
            actor=None, action=AuditAction.REFERRAL_CONTACT_INVALID, obj=referral, detail={"channel": message.channel}
        )
        service = referral.current_service
        if service is not None and service.email:
            enqueue_on_commit(tell_team_contact_invalid, referral_id=referral.pk, channel=message.channel)
