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
from onedoor.core.audit import audit_record, audit_record_rows
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


# What the load phase reads of a record already held: plain values, not model instances.
_HELD_FIELDS = (
    "id",
    "force_code",
    "crime_reference",
    "victim_reference",
    "row_hash",
    "last_batch_id",
    "last_seen_batch_id",
    "line",
    "processed_at",
    "referral_id",
    "offer_id",
    *RECORD_FIELDS,
)
# What a changed record's row sets, after its id (`fastcopy.update_values`).
_UPDATED_COLUMNS = (
    *RECORD_FIELDS,
    "person_key",
    "phone_key",
    "email_key",
    "row_hash",
    "last_batch_id",
    "last_seen_batch_id",
    "line",
    "updated_at",
    "processed_at",
)
_CONTACT_COLUMNS = ("phone", "email", "safe_to_text", "safe_to_email", "updated_at")
RECORD_LABEL = PoliceVictimRecord._meta.label_lower
REFERRAL_LABEL = Referral._meta.label_lower


def _existing(rows: Iterable[ParsedRow], *, lock: bool = False) -> dict[tuple[str, str, str], Any]:
    """The records already held for these rows' victims, as named rows of `_HELD_FIELDS`; with `lock`,
    locked (in id order, so that two chunks naming the same victims wait for each other rather than
    deadlock)."""
    keys = {r.key for r in rows}
    found: dict[tuple[str, str, str], Any] = {}
    if not keys:
        return found
    crimes = PoliceVictimRecord.objects.filter(
        force_code__in={k[0] for k in keys}, crime_reference__in={k[1] for k in keys}
    )
    if lock:
        crimes = crimes.select_for_update().order_by("id")
    for rec in crimes.values_list(*_HELD_FIELDS, named=True):
        key = (rec.force_code, rec.crime_reference, rec.victim_reference)
        if key in keys:
            found[key] = rec
    return found


def _withheld_offers(good: list[ParsedRow], existing: dict[tuple[str, str, str], Any]) -> set[int]:
    """The offers, among those of the records this chunk changes, that a safety rule withheld: one query."""
    offers = [
        rec.offer_id
        for row in good
        if (rec := existing.get(row.key)) is not None and rec.offer_id is not None and rec.row_hash != row.row_hash
    ]
    if not offers:
        return set()
    return set(Message.objects.filter(pk__in=offers, status=MessageStatus.WITHHELD).values_list("pk", flat=True))


def _load_chunk(
    *, batch: PoliceBatch, rows: int, good: list[ParsedRow], errors: list[RowError], actor: User | None, now: datetime
) -> None:
    """Create, update or leave each checked row's record, and keep the chunk's errors and counts. Each kind
    of write is one statement per chunk: new records by COPY, changed ones by COPY into a temporary table
    and one UPDATE ... FROM it, their audit rows and their referrals' new contact details likewise."""
    existing = _existing(good, lock=True)
    withheld = _withheld_offers(good, existing)
    created: list[dict[str, Any]] = []  # new records as attribute values: no model instance per row
    changed: list[list[Any]] = []  # [id, *_UPDATED_COLUMNS values]
    audits: list[tuple[Any, str, object, dict[str, Any]]] = []
    contacts: list[list[Any]] = []  # [referral id, *_CONTACT_COLUMNS values]
    moved: list[list[Any]] = []  # [id, line]: the same row again, earlier in this file
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
                moved.append([rec.id, row.line])
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
            unchanged.append(rec.id)
        else:
            fields_changed = [name for name in RECORD_FIELDS if getattr(rec, name) != v[name]]
            # Route and offer again with what is now known, unless it already has a referral and an offer.
            again = rec.referral_id is None or rec.offer_id is None or rec.offer_id in withheld
            changed.append(
                [
                    rec.id,
                    *(v[name] for name in RECORD_FIELDS),
                    keys["person_key"],
                    keys["phone_key"],
                    keys["email_key"],
                    row.row_hash,
                    batch.pk,
                    batch.pk,
                    row.line,
                    now,
                    None if again else rec.processed_at,
                ]
            )
            audits.append(
                (
                    actor,
                    RECORD_LABEL,
                    rec.id,
                    {"batch": batch.pk, "fields": [n.removesuffix("_id") for n in fields_changed]},
                )
            )
            if rec.referral_id and set(fields_changed) & set(CONTACT_FIELDS):
                contacts.append(
                    [rec.referral_id, v["phone"], v["email"], v["safe_to_text"] == "Y", v["safe_to_email"] == "Y"]
                )
    fastcopy.insert_values(PoliceVictimRecord, created)
    fastcopy.update_values(PoliceVictimRecord, _UPDATED_COLUMNS, changed)
    fastcopy.update_values(PoliceVictimRecord, ("line",), moved)
    audit_record_rows(action=AuditAction.POLICE_RECORD_UPDATED, entries=audits)
    _update_referral_contacts(contacts, actor)
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


def _update_referral_contacts(contacts: list[list[Any]], actor: User | None) -> None:
    """Give the referrals of changed records their new contact details, audited: one statement each."""
    if not contacts:
        return
    moment = timezone.now()
    fastcopy.update_values(Referral, _CONTACT_COLUMNS, [[*c, moment] for c in contacts])
    audit_record_rows(
        action=AuditAction.REFERRAL_CONTACT_UPDATED,
        entries=[(actor, REFERRAL_LABEL, c[0], {"source": Source.POLICE_TRANSFER}) for c in contacts],
    )
