"""Phase 1 of the police import, load: check each row of a chunk and create, update (with an audit row) or
leave unchanged the victim record keyed by (force_code, crime_reference, victim_reference). A changed or new
record is marked "not yet processed" for phase 2 (`onedoor.police.process`). Row errors go to the batch's
error list. Loading a chunk again finds its rows equal and skips them, so a killed run loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.areas.current import force_codes
from onedoor.core import fastcopy
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import normalise_name
from onedoor.messaging.models import Message, MessageStatus
from onedoor.messaging.services import contact_key, keyed_hash
from onedoor.police.models import BatchStatus, PoliceBatch, PoliceRowError, PoliceVictimRecord
from onedoor.police.parser import ParsedRow, RowError, Vocabulary, validate_row
from onedoor.referrals.models import Referral, Source

CHUNK_SIZE = 4000  # rows per transaction: bigger chunks mean fewer commits; memory stays bounded by this
CONTACT_FIELDS = ("phone", "email", "safe_to_text", "safe_to_email")
RECORD_FIELDS = (
    "recorded_at",
    "offence_group_id",
    "offence_description",
    "flags",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex_id",
    "ethnicity_id",
    "postcode",
    "district_id",
    "phone",
    "email",
    "preferred_language",
    "consent_to_share",
    "contact_permitted",
    "safe_to_text",
    "safe_to_email",
    "risk_to_life",
    "officer_email",
)


class ImportInterrupted(RuntimeError):
    """Raised by a test hook to simulate a run killed half way."""


def area_force_codes() -> frozenset[str]:
    return force_codes()


def person_key(first_name: str, last_name: str, dob: date | None) -> str:
    if dob is None:
        return ""
    return keyed_hash(f"{normalise_name(first_name)}|{normalise_name(last_name)}|{dob.isoformat()}")


def _rejected(file_name: str, actor: User | None, channel: str, moment: datetime, why: str) -> PoliceBatch:
    with transaction.atomic():
        batch = PoliceBatch.objects.create(
            file_name=file_name[:255],
            channel=channel,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            started_at=moment,
            finished_at=moment,
            status=BatchStatus.REJECTED,
            failure=why[:500],
        )
        audit_record(actor=actor, action=AuditAction.POLICE_BATCH_REJECTED, obj=batch)
    return batch


def _check(
    chunk: list[tuple[int, dict[str, str | None], bool]],
    vocab: Vocabulary,
    today: date,
    seen: set[tuple[str, str, str]] | None,
) -> tuple[list[ParsedRow], list[RowError]]:
    good: list[ParsedRow] = []
    errors: list[RowError] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, raw, width_ok in chunk:
        result = validate_row(line, raw, width_ok, vocab, today)
        if isinstance(result, list):
            errors.extend(result)
            continue
        key = result.key
        if key in first_line or (seen is not None and key in seen):
            where = f"line {first_line[key]}" if key in first_line else "an earlier row"
            errors.append(
                RowError(line, "victim_reference", key[2], f"a victim not already in this file (duplicate of {where})")
            )
            continue
        first_line[key] = line
        if seen is not None:
            seen.add(key)
        good.append(result)
    return good, errors


def _existing(rows: Iterable[ParsedRow], *, lock: bool = False) -> dict[tuple[str, str, str], PoliceVictimRecord]:
    """The records already held for these rows' victims; with `lock`, locked (in id order, so that two
    chunks naming the same victims wait for each other rather than deadlock)."""
    keys = {r.key for r in rows}
    found: dict[tuple[str, str, str], PoliceVictimRecord] = {}
    crimes = PoliceVictimRecord.objects.filter(
        force_code__in={k[0] for k in keys}, crime_reference__in={k[1] for k in keys}
    )
    if lock:
        crimes = crimes.select_for_update().order_by("id")
    for rec in crimes:
        key = (rec.force_code, rec.crime_reference, rec.victim_reference)
        if key in keys:
            found[key] = rec
    return found


def _load_chunk(
    *, batch: PoliceBatch, rows: int, good: list[ParsedRow], errors: list[RowError], actor: User | None, now: datetime
) -> None:
    """Create, update or leave each checked row's record, and keep the chunk's errors and counts."""
    existing = _existing(good, lock=True)
    created: list[dict[str, Any]] = []  # new records as attribute values: no model instance per row
    changed: list[PoliceVictimRecord] = []
    unchanged: list[int] = []
    replaced = 0  # records another chunk of this file set from a later line: this earlier line wins
    for row in good:
        rec = existing.get(row.key)
        if rec is not None and rec.last_seen_batch_id == batch.pk:
            # The same victim again in this file, loaded by another chunk (perhaps at the same time).
            # The first line wins, whichever chunk ran first, where the other chunk set the record.
            if rec.last_batch_id != batch.pk or rec.line < row.line:
                # The same words as when the later chunk ran first (below); the record's line is this file's
                # only if this file set it, not if it left the record unchanged (ADR 0009, consequences).
                of = f" of line {rec.line}" if rec.last_batch_id == batch.pk else ""
                errors.append(
                    RowError(
                        row.line, "victim_reference", row.key[2], f"a victim not already in this file (duplicate{of})"
                    )
                )
                continue
            errors.append(
                RowError(
                    rec.line,
                    "victim_reference",
                    row.key[2],
                    f"a victim not already in this file (duplicate of line {row.line})",
                )
            )
            if rec.row_hash == row.row_hash:
                PoliceVictimRecord.objects.filter(pk=rec.pk).update(line=row.line)
                continue
            replaced += 1
        v = row.values
        keys = {
            "person_key": person_key(v["first_name"], v["last_name"], v["date_of_birth"]),
            "phone_key": contact_key(v["phone"]),
            "email_key": contact_key(v["email"]),
        }
        if rec is None:
            created.append(
                {
                    "force_code": v["force_code"],
                    "crime_reference": v["crime_reference"],
                    "victim_reference": v["victim_reference"],
                    "row_hash": row.row_hash,
                    "first_batch_id": batch.pk,
                    "last_batch_id": batch.pk,
                    "last_seen_batch_id": batch.pk,
                    "line": row.line,
                    "created_at": now,
                    "updated_at": now,
                    **{name: v[name] for name in RECORD_FIELDS},
                    **keys,
                }
            )
        elif rec.row_hash == row.row_hash:
            unchanged.append(rec.pk)
        else:
            fields_changed = [name for name in RECORD_FIELDS if getattr(rec, name) != v[name]]
            for name in RECORD_FIELDS:
                setattr(rec, name, v[name])
            for name, value in keys.items():
                setattr(rec, name, value)
            rec.row_hash = row.row_hash
            rec.last_batch = batch
            rec.last_seen_batch = batch
            rec.line = row.line
            rec.updated_at = now
            if rec.referral_id is None or _offer_withheld(rec):
                rec.processed_at = None  # route and offer again with what is now known
            changed.append(rec)
            audit_record(
                actor=actor,
                action=AuditAction.POLICE_RECORD_UPDATED,
                obj=rec,
                detail={"batch": batch.pk, "fields": [n.removesuffix("_id") for n in fields_changed]},
            )
            if rec.referral_id and set(fields_changed) & set(CONTACT_FIELDS):
                _update_referral_contact(rec, actor)
    fastcopy.insert_values(PoliceVictimRecord, created)
    if changed:
        PoliceVictimRecord.objects.bulk_update(
            changed,
            [
                *RECORD_FIELDS,
                "person_key",
                "phone_key",
                "email_key",
                "row_hash",
                "last_batch",
                "last_seen_batch",
                "line",
                "updated_at",
                "processed_at",
            ],
            batch_size=500,
        )
    if unchanged:
        PoliceVictimRecord.objects.filter(pk__in=unchanged).update(last_seen_batch=batch)
    fastcopy.insert(
        PoliceRowError,
        [PoliceRowError(batch=batch, line=e.line, column=e.column, value=e.value, expected=e.expected) for e in errors],
    )
    PoliceBatch.objects.filter(pk=batch.pk).update(
        rows=F("rows") + rows,
        created=F("created") + len(created),
        updated=F("updated") + len(changed) - replaced,
        unchanged=F("unchanged") + len(unchanged),
        errors=F("errors") + len({e.line for e in errors}),
    )


def _offer_withheld(rec: PoliceVictimRecord) -> bool:
    if rec.offer_id is None:
        return True
    return Message.objects.filter(pk=rec.offer_id, status=MessageStatus.WITHHELD).exists()


def _update_referral_contact(rec: PoliceVictimRecord, actor: User | None) -> None:
    assert rec.referral_id is not None
    Referral.objects.filter(pk=rec.referral_id).update(
        phone=rec.phone,
        email=rec.email,
        safe_to_text=rec.safe_to_text == "Y",
        safe_to_email=rec.safe_to_email == "Y",
        updated_at=timezone.now(),
    )
    referral = Referral.objects.get(pk=rec.referral_id)
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_CONTACT_UPDATED,
        obj=referral,
        detail={"source": Source.POLICE_TRANSFER},
    )
