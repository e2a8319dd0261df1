"""Importing the police overnight transfer.

Two phases, each committed chunk by chunk so that memory stays flat and a killed run loses nothing:

1. Load. Stream the file; check each row; create, update (with an audit row) or leave unchanged the
   victim record keyed by (force_code, crime_reference, victim_reference). A changed or new record is
   marked "not yet processed". Row errors go to the batch's error list.
2. Process. Every record not yet processed, oldest first: flag repeat victims and shared contact
   details, route it with the one routing table (source police-transfer), create the referral when the
   rules say so and consent is Y (through `referral_create`, the same code as every other referral), and
   queue a support offer unless a safety rule forbids it. The record is marked processed in the same
   transaction as its referral and its message.

A run killed at any point and run again ends in the state of one clean run: loaded rows compare equal
and are skipped, and processing picks up the records the killed run did not reach.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from onedoor.accounts.models import Organisation, OrganisationKind, User
from onedoor.accounts.services import referrers_for_emails
from onedoor.areas.loader import read_area
from onedoor.core import fastcopy
from onedoor.core.audit import audit_record, audit_record_rows
from onedoor.core.models import DemographicCategory, District, Flag, OffenceGroup
from onedoor.directory.models import Service
from onedoor.messaging.models import Message, MessageStatus
from onedoor.messaging.safety import OFFER_INTERVAL, ContactFacts, offer_plan, quiet_hours_end
from onedoor.messaging.services import (
    TemplateCache,
    invalid_contact_keys,
    keyed_hash,
    message_values,
    messages_queue_values,
    recently_offered_keys,
)
from onedoor.police.bulk import BulkContext, BulkPlan, referrals_plan_bulk, referrals_write_bulk
from onedoor.police.models import SUMMARY_KEYS, BatchStatus, PoliceBatch, PoliceRowError, PoliceVictimRecord
from onedoor.police.parser import (
    ParsedRow,
    RowError,
    Vocabulary,
    is_uk_mobile,
    normalise_name,
    read_rows,
    sniff,
    validate_row,
)
from onedoor.referrals.models import Referral, Source
from onedoor.referrals.routing import RoutingTable
from onedoor.referrals.services import ReferralDetails, age_on, route_input_for

CHUNK_SIZE = 4000  # rows per transaction: bigger chunks mean fewer commits; memory stays bounded by this
REPEAT_WINDOW = timedelta(days=365)
OFFER_KIND = "support-offer"
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
    "officer_email",
)


class ImportInterrupted(RuntimeError):
    """Raised by a test hook to simulate a run killed half way."""


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


def area_force_codes() -> frozenset[str]:
    return frozenset(read_area(settings.ONEDOOR_AREA)["force_codes"])


def person_key(first_name: str, last_name: str, dob: date | None) -> str:
    if dob is None:
        return ""
    return keyed_hash(f"{normalise_name(first_name)}|{normalise_name(last_name)}|{dob.isoformat()}")


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# -- the import --------------------------------------------------------------------------------------


def police_batch_import(
    *,
    f: IO[bytes],
    file_name: str,
    actor: User | None,
    channel: str,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[str, int], None] | None = None,
) -> PoliceBatch:
    """Import one file in this process, through the same chunks the workers run: see
    `onedoor.police.chunks.police_batch_import`."""
    from onedoor.police.chunks import police_batch_import as run_here

    return run_here(
        f=f,
        file_name=file_name,
        actor=actor,
        channel=channel,
        now=now,
        chunk_size=chunk_size,
        progress=progress,
        after_chunk=after_chunk,
    )


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
        audit_record(actor=actor, action="police_batch.rejected", obj=batch)
    return batch


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
            "phone_key": keyed_hash(v["phone"]),
            "email_key": keyed_hash(v["email"].lower()),
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
                action="police_record.updated",
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
        actor=actor, action="referral.contact_updated", obj=referral, detail={"source": Source.POLICE_TRANSFER}
    )


# -- phase 2: route and offer ----------------------------------------------------------------------------


@dataclass
class _Context:
    table: RoutingTable
    templates: TemplateCache
    personalisation: dict[str, str]
    offence_groups: dict[int, OffenceGroup]
    flags: dict[str, Flag]
    districts: dict[int, District]
    demographics: dict[int, DemographicCategory]
    police: Organisation | None
    bulk: BulkContext
    officers: dict[str, User | None] = field(default_factory=dict)

    @classmethod
    def load(cls, today: date) -> _Context:
        service = Service.objects.filter(slug=read_area(settings.ONEDOOR_AREA)["police_offer"]["service"]).first()
        area = read_area(settings.ONEDOOR_AREA)
        table = RoutingTable.load(on=today)
        return cls(
            table=table,
            bulk=BulkContext.load(table),
            templates=TemplateCache(OFFER_KIND),
            personalisation={
                "area_name": str(area.get("name", "")),
                "service_name": service.name if service else "",
                "service_phone": service.phone if service else "",
                "website": settings.ONEDOOR_PUBLIC_URL,
            },
            offence_groups={g.pk: g for g in OffenceGroup.objects.all()},
            flags={fl.slug: fl for fl in Flag.objects.all()},
            districts={d.pk: d for d in District.objects.all()},
            demographics={c.pk: c for c in DemographicCategory.objects.filter(characteristic__in=["sex", "ethnicity"])},
            police=Organisation.objects.filter(kind=OrganisationKind.POLICE).order_by("pk").first(),
        )

    def officers_load(self, emails: set[str]) -> None:
        """The referrer accounts of a chunk's officers, found or made together."""
        missing = {e for e in emails if e and e.lower() not in self.officers}
        if missing:
            self.officers.update(referrers_for_emails(emails=missing, organisation=self.police, created_by=None))

    def officer(self, email: str) -> User | None:
        if not email:
            return None
        if email.lower() not in self.officers:
            self.officers_load({email})
        return self.officers[email.lower()]


# What the processing phase reads of each record: plain values, not model instances.
_CHUNK_FIELDS = (
    "id",
    "force_code",
    "crime_reference",
    "victim_reference",
    *RECORD_FIELDS,
    "person_key",
    "phone_key",
    "email_key",
    "phone_invalid",
    "email_invalid",
    "needs_review",
    "review_reason",
    "referral_id",
)
RECORD_LABEL = PoliceVictimRecord._meta.label_lower
SHARED_REASON = "The same phone number or email was given for different people in this crime."


def police_records_process(
    *,
    batch: PoliceBatch | None,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    after_chunk: Callable[[str, int], None] | None = None,
    lock_batch: bool = False,
) -> None:
    """Route and offer support to every record not yet processed, in file order, a chunk per transaction.
    With `lock_batch` each chunk first takes the batch's row lock: two runs take turns, in order."""
    moment = now or timezone.now()
    ctx = _Context.load(timezone.localdate(moment))
    number = 0
    while True:
        with transaction.atomic():
            if lock_batch and batch is not None:
                PoliceBatch.objects.select_for_update().filter(pk=batch.pk).first()
            # In file order: parallel loading gives ids in whatever order the chunks ran (ADR 0009).
            records = list(
                PoliceVictimRecord.objects.select_for_update()
                .filter(processed_at__isnull=True)
                .order_by("last_batch_id", "line", "id")
                .values_list(*_CHUNK_FIELDS, named=True)[:chunk_size]
            )
            if not records:
                return
            _write_chunk(_plan_chunk(records=records, ctx=ctx, now=moment), batch)
        number += 1
        if after_chunk:
            after_chunk("finish" if lock_batch else "process", number)


_PROCESSED = (
    ("repeat", "boolean"),
    ("needs_review", "boolean"),
    ("review_reason", "text"),
    ("routing_reason", "text"),
    ("routing_gap", "boolean"),
    ("referral_id", "bigint"),
    ("offer_id", "bigint"),
    ("processed_at", "timestamptz"),
)
# Places in an outcome row ([id, *_PROCESSED values]) that are filled in as the chunk is routed and written.
_REASON, _GAP, _REFERRAL, _OFFER = (
    1 + [name for name, _ in _PROCESSED].index(n) for n in ("routing_reason", "routing_gap", "referral_id", "offer_id")
)


@dataclass
class _ChunkPlan:
    """One chunk's outcome, worked out and ready to write."""

    outcomes: list[list[Any]]  # [id, *_PROCESSED values], referral and offer ids filled in when written
    referrals: BulkPlan
    to_refer: list[int]  # index into outcomes, for each of referrals.outcomes
    messages: list[dict[str, Any]]
    shared: set[int]
    now: datetime


def _plan_chunk(*, records: list[Any], ctx: _Context, now: datetime) -> _ChunkPlan:
    """Work out a chunk's outcome: repeat and shared-contact flags, routing, referral rows and support
    offers through the safety rules. Reads the database; writes nothing but officers' accounts."""
    today = timezone.localdate(now)
    # The records are locked; the chunk's look-ups cover the unprocessed ones in its id range
    # (a few more than the records, where some are left for the finishing step: harmless, and cheaper than
    # naming thousands of ids).
    ids = [r.id for r in records]
    chunk = PoliceVictimRecord.objects.filter(id__gte=min(ids), id__lte=max(ids), processed_at__isnull=True)
    repeat = _repeat_victims(chunk)
    shared = _shared_contacts(chunk)
    keys = [chunk.values_list(k, flat=True) for k in _MATCH_KEYS]
    recent = recently_offered_keys(keys=keys, kind=OFFER_KIND, since=now - OFFER_INTERVAL)
    invalid = invalid_contact_keys(keys=keys)
    ctx.officers_load({r.officer_email for r in records if r.consent_to_share and r.referral_id is None})
    messages: list[dict[str, Any]] = []
    outcomes: list[list[Any]] = []
    to_refer: list[tuple[int, ReferralDetails, User | None]] = []  # (index into outcomes, ...)
    send_after = quiet_hours_end(now)
    for rec in records:
        is_repeat = rec.id in repeat
        needs_review, review_reason = rec.needs_review, rec.review_reason
        if rec.id in shared:
            needs_review, review_reason = True, SHARED_REASON
        flag_slugs = sorted({*rec.flags, *(["repeat"] if is_repeat else [])})
        group = ctx.offence_groups[rec.offence_group_id]
        age = age_on(rec.date_of_birth, today) if rec.date_of_birth else None
        outcome: list[Any] = [rec.id, is_repeat, needs_review, review_reason, "", False, rec.referral_id, None, now]

        # Route; referrals for those with consent are made together below.
        details = _details(rec, ctx, flag_slugs, needs_review, review_reason)
        if rec.referral_id is None:
            if rec.consent_to_share:
                to_refer.append((len(outcomes), details, ctx.officer(rec.officer_email)))
            else:
                decision = ctx.bulk.decide(route_input_for(details, source=Source.POLICE_TRANSFER, today=today))
                outcome[_REASON], outcome[_GAP] = decision.reason, decision.gap

        # Offer support unless a safety rule forbids it.
        sensitive = group.is_sexual or any(ctx.flags[s].sensitive for s in rec.flags if s in ctx.flags)
        mobile = rec.phone if is_uk_mobile(rec.phone) else ""
        channels = (("sms", rec.phone_key, rec.phone_invalid), ("email", rec.email_key, rec.email_invalid))
        own_keys = {k for k in (rec.person_key, rec.phone_key, rec.email_key) if k}
        plan = offer_plan(
            ContactFacts(
                age=age,
                sensitive=sensitive,
                contact_permitted=rec.contact_permitted,
                safe_to_text=rec.safe_to_text,
                safe_to_email=rec.safe_to_email,
                mobile=mobile,
                email=rec.email,
                shared_contact_in_crime=rec.id in shared,
                offered_recently=bool(own_keys & recent),
                invalid_channels=frozenset(ch for ch, k, bad in channels if bad or (k and k in invalid)),
            )
        )
        sms = plan.channel == "sms"
        messages.append(
            message_values(
                kind=OFFER_KIND,
                channel=plan.channel,
                to=mobile if sms else rec.email,
                template=ctx.templates.get(plan.channel, rec.preferred_language or "en") if plan.channel else None,
                personalisation=ctx.personalisation,
                person_key=rec.person_key or rec.phone_key or rec.email_key,
                withheld_reasons=plan.reasons,
                send_after=send_after if sms else None,
                note="quiet hours: sent at 08:00 UK time" if sms and send_after else "",
                now=now,
            )
        )
        outcomes.append(outcome)
        if plan.channel:
            recent.update(own_keys)  # one offer per person, even within one file
    return _ChunkPlan(
        outcomes=outcomes,
        referrals=referrals_plan_bulk(items=[(d, officer) for _, d, officer in to_refer], ctx=ctx.bulk, now=now),
        to_refer=[at for at, _, _ in to_refer],
        messages=messages,
        shared=shared,
        now=now,
    )


def _write_chunk(plan: _ChunkPlan, batch: PoliceBatch | None) -> None:
    """Write a planned chunk: referrals, offers, review audit rows, each record's outcome, batch counts.
    Call inside the chunk's transaction."""
    outcomes = plan.outcomes
    if plan.shared:
        audit_record_rows(
            action="police_record.flagged_for_review",
            entries=[(None, RECORD_LABEL, pk, {"rule": "shared"}) for pk in sorted(plan.shared)],
        )
    made = referrals_write_bulk(plan=plan.referrals)
    for at, result in zip(plan.to_refer, made, strict=True):
        outcomes[at][_REASON], outcomes[at][_GAP], outcomes[at][_REFERRAL] = (
            result.decision.reason,
            result.decision.gap,
            result.referral_id,
        )
    message_ids = messages_queue_values(messages=plan.messages, now=plan.now)
    for outcome, message_id in zip(outcomes, message_ids, strict=True):
        outcome[_OFFER] = message_id
    _write_processed(outcomes)
    if batch is not None:
        queued = sum(1 for m in plan.messages if m["status"] == MessageStatus.QUEUED)
        PoliceBatch.objects.filter(pk=batch.pk).update(
            referrals=F("referrals") + sum(1 for r in made if r.referral_id is not None),
            messages_queued=F("messages_queued") + queued,
            messages_withheld=F("messages_withheld") + (len(plan.messages) - queued),
            processed=F("processed") + len(outcomes),
        )


def _write_processed(outcomes: list[list[Any]]) -> None:
    """Write each record's outcome ([id, *_PROCESSED values], in id order) in one statement: Django's bulk_update
    builds a CASE per field per row, which is slow at this size. PostgreSQL: COPY the outcomes into a
    temporary table and UPDATE ... FROM it. SQLite (3.33+): UPDATE ... FROM (VALUES ...)."""
    if not outcomes:
        return
    quote = connection.ops.quote_name
    table = quote(PoliceVictimRecord._meta.db_table)
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{quote(name)} {kind}" for name, kind in _PROCESSED)
        assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name, _ in _PROCESSED)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS police_processed (id bigint, {columns}) ON COMMIT DROP")
            with cursor.cursor.copy("COPY police_processed FROM STDIN") as copy:
                for outcome in outcomes:
                    copy.write_row(outcome)
            # The id range lets PostgreSQL find the chunk's rows by the primary key whatever its statistics
            # say; without it a stale plan hashes the whole table for every chunk.
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM police_processed AS v "  # noqa: S608 - quoted constants
                f"WHERE {table}.{quote('id')} = v.id AND {table}.{quote('id')} BETWEEN %s AND %s",
                [min(o[0] for o in outcomes), max(o[0] for o in outcomes)],
            )
            cursor.execute("DROP TABLE police_processed")
        return
    placeholder = "(" + ", ".join(["%s"] * (len(_PROCESSED) + 1)) + ")"
    assignments = ", ".join(f"{quote(name)} = v.column{i + 2}" for i, (name, _) in enumerate(_PROCESSED))
    with connection.cursor() as cursor:
        for start in range(0, len(outcomes), 500):
            part = outcomes[start : start + 500]
            params: list[Any] = []
            for outcome in part:
                params += outcome[:-1]
                params.append(connection.ops.adapt_datetimefield_value(outcome[-1]))
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholder] * len(part))}) AS v "  # noqa: S608 - names are quoted constants; values are parameters
                f"WHERE {table}.{quote('id')} = v.column1"
            )
            cursor.execute(sql, params)


def _details(rec: Any, ctx: _Context, flag_slugs: list[str], needs_review: bool, review_reason: str) -> ReferralDetails:
    group = ctx.offence_groups[rec.offence_group_id]
    reason = f"Police overnight transfer: {group.name.lower()}."
    if rec.offence_description:
        reason += f" {rec.offence_description}"
    if needs_review:
        reason = "Check the contact details before use: " + review_reason + " " + reason
    return ReferralDetails(
        first_name=rec.first_name,
        last_name=rec.last_name,
        date_of_birth=rec.date_of_birth,
        preferred_language=rec.preferred_language,
        demographics={
            "sex": ctx.demographics.get(rec.sex_id) if rec.sex_id else None,
            "ethnicity": ctx.demographics.get(rec.ethnicity_id) if rec.ethnicity_id else None,
        },
        phone="" if needs_review else rec.phone,
        email="" if needs_review else rec.email,
        safe_to_text=rec.safe_to_text == "Y" and not needs_review,
        safe_to_email=rec.safe_to_email == "Y" and not needs_review,
        contact_check_needed=needs_review,
        district=ctx.districts.get(rec.district_id) if rec.district_id else None,
        postcode=rec.postcode,
        reported_to_police=True,
        crime_reference=rec.crime_reference,
        offence_group=group,
        flags=[ctx.flags[s] for s in flag_slugs if s in ctx.flags],
        reason=reason[:600],
        consent_given=rec.consent_to_share,
        consent_given_by="person" if rec.consent_to_share else "",
    )


_MATCH_KEYS = ("person_key", "phone_key", "email_key")


def _repeat_victims(chunk: QuerySet[PoliceVictimRecord]) -> set[int]:
    """Records whose person (same normalised name and date of birth, or same phone or email) has
    another crime recorded in the 12 months before this one. One query: the database looks each key
    up in its index, rather than sending every earlier record with a matching key back here."""
    window_start = ExpressionWrapper(OuterRef("recorded_at") - REPEAT_WINDOW, output_field=DateTimeField())
    matches = Q()
    for key in _MATCH_KEYS:
        earlier = (
            PoliceVictimRecord.objects.filter(
                **{key: OuterRef(key)}, recorded_at__gte=window_start, recorded_at__lt=OuterRef("recorded_at")
            )
            .exclude(**{key: ""})  # lets the database use the key's partial index
            .exclude(force_code=OuterRef("force_code"), crime_reference=OuterRef("crime_reference"))
        )
        matches |= Q(~Q(**{key: ""}), Exists(earlier))
    return set(chunk.filter(matches).values_list("id", flat=True))


def _shared_contacts(chunk: QuerySet[PoliceVictimRecord]) -> set[int]:
    """Records whose phone or email also belongs to a different person in the same crime. The database
    finds the records that share a contact detail with another victim of their crime (few); names are
    then compared here, normalised as everywhere else."""
    shares = Q()
    for key in ("phone_key", "email_key"):
        other = PoliceVictimRecord.objects.filter(
            force_code=OuterRef("force_code"), crime_reference=OuterRef("crime_reference"), **{key: OuterRef(key)}
        ).exclude(victim_reference=OuterRef("victim_reference"))
        shares |= Q(~Q(**{key: ""}), Exists(other))
    candidates = list(
        chunk.filter(shares).values_list(
            "id",
            "force_code",
            "crime_reference",
            "victim_reference",
            "first_name",
            "last_name",
            "phone_key",
            "email_key",
        )
    )
    if not candidates:
        return set()
    victims: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    rows = PoliceVictimRecord.objects.filter(
        force_code__in={c[1] for c in candidates}, crime_reference__in={c[2] for c in candidates}
    ).values_list(
        "force_code", "crime_reference", "victim_reference", "first_name", "last_name", "phone_key", "email_key"
    )
    for force, crime, victim, first, last, ph, em in rows:
        victims.setdefault((force, crime), []).append((victim, normalise_name(first + last), ph, em))
    found: set[int] = set()
    for pk, force, crime, victim_ref, first, last, phone_key, email_key in candidates:
        name = normalise_name(first + last)
        for victim, other_name, ph, em in victims.get((force, crime), ()):
            if victim == victim_ref or other_name == name:
                continue
            if (phone_key and phone_key == ph) or (email_key and email_key == em):
                found.add(pk)
                break
    return found


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
    audit_record(actor=None, action="police_record.contact_invalid", obj=rec, detail={"channel": message.channel})
    if rec.referral_id:
        referral = Referral.objects.select_related("current_service").get(pk=rec.referral_id)
        audit_record(actor=None, action="referral.contact_invalid", obj=referral, detail={"channel": message.channel})
        service = referral.current_service
        if service is not None and service.email:
            from onedoor.core.tasks import enqueue_on_commit
            from onedoor.police.tasks import tell_team_contact_invalid

            enqueue_on_commit(tell_team_contact_invalid, referral_id=referral.pk, channel=message.channel)


# -- errors CSV ---------------------------------------------------------------------------------------

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: object) -> str:
    """A cell no spreadsheet will run as a formula: leading = + - @ tab or CR get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def errors_csv_lines(batch: PoliceBatch) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)

    def row(cells: Iterable[object]) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([csv_safe(c) for c in cells])
        return buf.getvalue()

    yield row(["line", "column", "value", "expected"])
    for e in batch.row_errors.order_by("line", "id").iterator(chunk_size=2000):
        yield row([e.line, e.column, e.value, e.expected])
