"""Build small transfer files in tests."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.test import TestCase
from django.utils import timezone

from onedoor.messaging.models import Message
from onedoor.police.models import PoliceBatch, PoliceRowError, PoliceVictimRecord
from onedoor.police.parser import COLUMNS
from onedoor.police.services import police_batch_import
from onedoor.referrals.models import Allocation, Referral, SignpostRecord, StatusEvent


def row(**overrides: Any) -> dict[str, str]:
    base = {
        "force_code": "E23000017",
        "crime_reference": "23/0000001/26",
        "victim_reference": "V1",
        "recorded_at": "2026-01-10T14:00:00",
        "offence_group": "burglary-residential",
        "offence_description": "",
        "flags": "",
        "first_name": "Alex",
        "last_name": "Morgan",
        "date_of_birth": "1980-05-01",
        "sex": "female",
        "ethnicity": "",
        "postcode": "CV34 4RL",
        "district": "E07000222",
        "phone": "07700 900123",
        "email": "alex.morgan@example.org",
        "preferred_language": "",
        "consent_to_share": "Y",
        "contact_permitted": "Y",
        "safe_to_text": "Y",
        "safe_to_email": "Y",
        "officer_email": "pc.smith@warwickshire.police.example",
    }
    base.update(overrides)
    return base


def csv_bytes(rows: list[dict[str, str]], *, columns: list[str] | None = None, newline: str = "\r\n") -> bytes:
    buf = io.StringIO()
    order = columns or list(COLUMNS)
    writer = csv.writer(buf, lineterminator=newline)
    writer.writerow(order)
    for r in rows:
        writer.writerow([r.get(c, "") for c in order])
    return buf.getvalue().encode()


# A daytime moment, so that quiet hours do not defer texts unless a test asks.
NOON = timezone.make_aware(datetime(2026, 1, 12, 12, 0))


def run(rows: list[dict[str, str]], *, now: datetime = NOON, **kwargs: Any) -> PoliceBatch:
    """Import, then run what was scheduled on commit (the test's transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return police_batch_import(
            f=io.BytesIO(csv_bytes(rows)), file_name="test.csv", actor=None, channel="cli", now=now, **kwargs
        )


def import_state() -> list[tuple[Any, ...]]:
    """Everything an import decides, without ids or times."""
    out = []
    for rec in PoliceVictimRecord.objects.select_related("referral__current_service", "offer").order_by(
        "force_code", "crime_reference", "victim_reference"
    ):
        referral = rec.referral
        offer = rec.offer
        out.append(
            (
                rec.crime_reference,
                rec.victim_reference,
                rec.row_hash,
                rec.repeat,
                rec.needs_review,
                rec.routing_reason,
                referral.current_service.slug if referral and referral.current_service else None,
                referral.priority if referral else None,
                referral.referrer.email if referral and referral.referrer else None,
                offer.status if offer else None,
                offer.channel if offer else None,
                tuple(offer.withheld_reasons) if offer else None,
                offer.language if offer else None,
            )
        )
    return out


def import_counts() -> tuple[int, ...]:
    return (
        PoliceVictimRecord.objects.count(),
        Referral.objects.count(),
        StatusEvent.objects.count(),
        Allocation.objects.count(),
        Message.objects.count(),
        SignpostRecord.objects.count(),
    )


def wipe_imports() -> None:
    PoliceVictimRecord.objects.all().delete()
    Message.objects.all().delete()
    Referral.objects.all().delete()
    PoliceRowError.objects.all().delete()
    PoliceBatch.objects.all().delete()
    SignpostRecord.objects.all().delete()
