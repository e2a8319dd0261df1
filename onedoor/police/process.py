"""Phase 2 of the police import, process: every record not yet processed, oldest first, a chunk per
transaction. Flag repeat victims and shared contact details, route each record with the one routing table
(source police-transfer), create the referral when the rules say so and consent is Y (`onedoor.police.bulk`,
with the invariants of `referral_create`), and queue a support offer unless a safety rule
(`onedoor.messaging.safety.offer_plan`) forbids it. A record is marked processed in the same transaction as
its referral and its message, so a killed run picks up the records it did not reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from onedoor.accounts.models import Organisation, OrganisationKind, User
from onedoor.accounts.services import referrers_for_emails
from onedoor.areas.current import offer_service_slug
from onedoor.areas.files import read_area
from onedoor.core import fastcopy
from onedoor.core.audit import audit_record_rows
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import is_uk_mobile, normalise_name
from onedoor.core.matchkeys import previous_hashes, rotating
from onedoor.core.models import DemographicCategory, District, Flag, OffenceGroup
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageStatus
from onedoor.messaging.safety import OFFER_INTERVAL, ContactFacts, offer_plan, quiet_hours_end
from onedoor.messaging.services import (
    TemplateCache,
    invalid_contact_keys,
    message_values,
    messages_queue_values,
    recently_offered_keys,
    restricted_keys,
)
from onedoor.police.bulk import BulkContext, BulkOutcome, BulkPlan, referrals_plan_bulk, referrals_write_bulk
from onedoor.police.ledger import RecordOutcome, ledger_chunk_add
from onedoor.police.load import CHUNK_SIZE, RECORD_FIELDS
from onedoor.police.models import PoliceBatch, PoliceVictimRecord
from onedoor.referrals.models import Source
from onedoor.referrals.routing import RoutingTable
from onedoor.referrals.services import ReferralDetails, age_on, route_input_for

REPEAT_WINDOW = timedelta(days=365)
OFFER_KIND = "support-offer"


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
        service = Service.objects.filter(slug=offer_service_slug()).first()
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


_PROCESSED_COLUMNS = (
    "repeat",
    "needs_review",
    "review_reason",
    "routing_reason",
    "routing_gap",
    "referral_id",
    "offer_id",
    "processed_at",
)
# Places in an outcome row ([id, *_PROCESSED_COLUMNS values]) that are filled in as the chunk is routed and written.
_REASON, _GAP, _REFERRAL, _OFFER = (
    1 + _PROCESSED_COLUMNS.index(n) for n in ("routing_reason", "routing_gap", "referral_id", "offer_id")
)


@dataclass
class _ChunkPlan:
    """One chunk's outcome, worked out and ready to write."""

    outcomes: list[list[Any]]  # [id, *_PROCESSED_COLUMNS values], referral and offer ids filled in when written
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
    # While match keys rotate, a record's values are also hashed under the previous keys, so that rows
    # stored before the rotation (and not yet re-keyed) still match (ADR 0026).
    previous = _previous_keys(records) if rotating() else {}
    repeat = _repeat_victims(chunk) | _repeat_by_previous_keys(records, previous)
    shared = _shared_contacts(chunk)
    keys: list[Any] = [chunk.values_list(k, flat=True) for k in _MATCH_KEYS]
    if previous:
        keys.append(sorted({k for by_kind in previous.values() for ks in by_kind.values() for k in ks}))
    recent = recently_offered_keys(keys=keys, kind=OFFER_KIND, since=now - OFFER_INTERVAL)
    invalid = invalid_contact_keys(keys=keys)
    restricted = restricted_keys(keys=keys)
    ctx.officers_load({r.officer_email for r in records if r.consent_to_share and r.referral_id is None})
    messages: list[dict[str, Any]] = []
    outcomes: list[list[Any]] = []
    to_refer: list[tuple[int, ReferralDetails, User | None]] = []  # (index into outcomes, ...)
    send_after = quiet_hours_end(now)
    zone = timezone.get_current_timezone()  # once a chunk: each look-up goes through a context variable
    for rec in records:
        is_repeat = rec.id in repeat
        needs_review, review_reason = rec.needs_review, rec.review_reason
        if rec.id in shared:
            needs_review, review_reason = True, SHARED_REASON
        flag_slugs = sorted({*rec.flags, *(["repeat"] if is_repeat else [])})
        group = ctx.offence_groups[rec.offence_group_id]
        age = age_on(rec.date_of_birth, today) if rec.date_of_birth else None
        outcome: list[Any] = [rec.id, is_repeat, needs_review, review_reason, "", False, rec.referral_id, None, now]

        alt = previous.get(rec.id, {})
        own_keys = {k for k in (rec.person_key, rec.phone_key, rec.email_key) if k}
        own_keys |= {k for ks in alt.values() for k in ks}
        is_restricted = bool(own_keys & restricted)

        # Route; referrals for those with consent are made together below. A restricted person gets none.
        details = _details(rec, ctx, flag_slugs, needs_review, review_reason, zone)
        if is_restricted:
            outcome[_REASON] = RESTRICTED_REASON
        elif rec.referral_id is None:
            if rec.consent_to_share:
                to_refer.append((len(outcomes), details, ctx.officer(rec.officer_email)))
            else:
                decision = ctx.bulk.decide(route_input_for(details, source=Source.POLICE_TRANSFER, today=today))
                outcome[_REASON], outcome[_GAP] = decision.reason, decision.gap

        # Offer support unless a safety rule forbids it.
        sensitive = group.is_sexual or any(ctx.flags[s].sensitive for s in rec.flags if s in ctx.flags)
        mobile = rec.phone if is_uk_mobile(rec.phone) else ""
        channels = (
            ("sms", {rec.phone_key, *alt.get("phone_key", ())}, rec.phone_invalid),
            ("email", {rec.email_key, *alt.get("email_key", ())}, rec.email_invalid),
        )
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
                invalid_channels=frozenset(ch for ch, ks, bad in channels if bad or (ks - {""}) & invalid),
                restricted=is_restricted,
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
            action=AuditAction.POLICE_RECORD_FLAGGED_FOR_REVIEW,
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
        ledger_chunk_add(batch_id=batch.pk, outcomes=_ledger_outcomes(plan, made))


def _ledger_outcomes(plan: _ChunkPlan, made: list[BulkOutcome]) -> list[RecordOutcome]:
    """The hook for the batch's outcome ledger (`onedoor.police.ledger`): each written record's outcome."""
    routed = {at: result.decision for at, result in zip(plan.to_refer, made, strict=True)}
    return [
        RecordOutcome(
            referred=outcome[_REFERRAL] is not None,
            routed_now=at in routed,
            signposted=at in routed and bool(routed[at].signpost),
            gap=bool(outcome[_GAP]),
            restricted=outcome[_REASON] == RESTRICTED_REASON,
            needs_review=bool(outcome[2]),
            withheld_reasons=tuple(m["withheld_reasons"]) if m["status"] == MessageStatus.WITHHELD else (),
        )
        for at, (outcome, m) in enumerate(zip(plan.outcomes, plan.messages, strict=True))
    ]


def _write_processed(outcomes: list[list[Any]]) -> None:
    """Write each record's outcome ([id, *_PROCESSED_COLUMNS values], in id order) in one statement
    (`fastcopy.update_values`: COPY into a temporary table, then UPDATE ... FROM it)."""
    fastcopy.update_values(PoliceVictimRecord, _PROCESSED_COLUMNS, outcomes)


def _details(
    rec: Any, ctx: _Context, flag_slugs: list[str], needs_review: bool, review_reason: str, zone: tzinfo
) -> ReferralDetails:
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
        # when the police recorded the crime: the queue's "days since the crime report" signal (docs/routing.md)
        crime_reported_on=rec.recorded_at.astimezone(zone).date(),
        offence_group=group,
        flags=[ctx.flags[s] for s in flag_slugs if s in ctx.flags],
        reason=reason[:600],
        consent_given=rec.consent_to_share,
        consent_given_by="person" if rec.consent_to_share else "",
        risk_to_life=rec.risk_to_life == "Y",
    )


_MATCH_KEYS = ("person_key", "phone_key", "email_key")
RESTRICTED_REASON = "Processing restricted at the person's request (UK GDPR Article 18): no referral, no offer."


def _previous_keys(records: list[Any]) -> dict[int, dict[str, list[str]]]:
    """Each record's person, phone and email keys under the previous match keys, from its own values."""
    out: dict[int, dict[str, list[str]]] = {}
    for rec in records:
        person = (
            previous_hashes(f"{normalise_name(rec.first_name)}|{normalise_name(rec.last_name)}|{rec.date_of_birth}")
            if rec.date_of_birth
            else []
        )
        phone = previous_hashes(rec.phone.strip().lower()) if rec.phone else []
        email = previous_hashes(rec.email.strip().lower()) if rec.email else []
        out[rec.id] = {"person_key": person, "phone_key": phone, "email_key": email}
    return out


def _repeat_by_previous_keys(records: list[Any], previous: dict[int, dict[str, list[str]]]) -> set[int]:
    """The repeat-victim check for rows stored under a previous match key: a record whose value, hashed
    under a previous key, matches an earlier record of another crime within the window."""
    found: set[int] = set()
    for key in _MATCH_KEYS:
        wanted = {k for by_kind in previous.values() for k in by_kind.get(key, ())}
        if not wanted:
            continue
        earlier: dict[str, list[tuple[datetime, str, str]]] = {}
        for value, at, force, crime in PoliceVictimRecord.objects.filter(**{f"{key}__in": sorted(wanted)}).values_list(
            key, "recorded_at", "force_code", "crime_reference"
        ):
            earlier.setdefault(value, []).append((at, force, crime))
        for rec in records:
            for k in previous.get(rec.id, {}).get(key, ()):
                if any(
                    rec.recorded_at - REPEAT_WINDOW <= at < rec.recorded_at
                    and (force, crime) != (rec.force_code, rec.crime_reference)
                    for at, force, crime in earlier.get(k, ())
                ):
                    found.add(rec.id)
    return found


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
