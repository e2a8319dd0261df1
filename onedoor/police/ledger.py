"""A batch's outcome ledger: what the import did with each victim record it routed, counted as it goes.

The process phase calls `ledger_chunk_add` once per chunk, inside the chunk's transaction, with one
`RecordOutcome` per record; each count is added with one upsert, so parallel chunks add rather than
overwrite. The batch page reads the ledger back with `batch_outcomes` in one query, however many records
the batch holds, and explains each count in plain words (ADR 0032).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from onedoor.messaging.safety import REASON_LABELS
from onedoor.police.models import OutcomeKind, PoliceBatch, PoliceBatchOutcome


@dataclass(frozen=True)
class RecordOutcome:
    """What processing did with one record, in the terms the ledger counts."""

    referred: bool  # the record has a referral after this chunk
    routed_now: bool  # routed with consent in this chunk (a referral made, or a signpost record kept)
    signposted: bool  # the routing decision named services to signpost to
    gap: bool
    restricted: bool
    needs_review: bool
    withheld_reasons: tuple[str, ...]  # the safety rules that held the offer back; empty when it was queued


def outcome_kind(o: RecordOutcome) -> OutcomeKind:
    """The one referral outcome a record counts under."""
    if o.restricted:
        return OutcomeKind.RESTRICTED
    if o.referred:
        return OutcomeKind.REFERRED if o.routed_now else OutcomeKind.ALREADY_REFERRED
    if o.gap:
        return OutcomeKind.GAP
    if o.routed_now:
        return OutcomeKind.SIGNPOSTED if o.signposted else OutcomeKind.OFFER_ONLY
    return OutcomeKind.NO_CONSENT


def ledger_counts(outcomes: Iterable[RecordOutcome]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        counts[(outcome_kind(o), "")] += 1
        if o.withheld_reasons:
            counts[(OutcomeKind.WITHHELD, "")] += 1
            for reason in dict.fromkeys(o.withheld_reasons):
                counts[(OutcomeKind.WITHHELD_REASON, reason)] += 1
        else:
            counts[(OutcomeKind.OFFERED, "")] += 1
        if o.needs_review:
            counts[(OutcomeKind.NEEDS_REVIEW, "")] += 1
    return counts


def ledger_chunk_add(*, batch_id: int, outcomes: Iterable[RecordOutcome]) -> None:
    """Add one chunk's outcomes to its batch's ledger. Call inside the chunk's transaction."""
    counts = ledger_counts(outcomes)
    if not counts:
        return
    quote = connection.ops.quote_name
    table = quote(PoliceBatchOutcome._meta.db_table)
    rows = sorted(counts.items())  # one order for every chunk: concurrent upserts lock rows in the same order
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[int | str] = []
    for (kind, reason), n in rows:
        params += [batch_id, kind, reason, n]
    # PostgreSQL and SQLite (3.24+) both have INSERT ... ON CONFLICT DO UPDATE with `excluded`.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (batch_id, kind, reason, {quote('count')}) VALUES {values} "  # noqa: S608 - quoted constants; values are parameters
            f"ON CONFLICT (batch_id, kind, reason) DO UPDATE SET {quote('count')} = "
            f"{table}.{quote('count')} + excluded.{quote('count')}",
            params,
        )


# -- reading it back ------------------------------------------------------------------------------------

# What each referral outcome means, for the batch page: the words an officer needs to answer "why did this
# victim get no referral?" without opening the admin.
EXPLAINED = {
    OutcomeKind.REFERRED: (
        "OneDoor sent a referral to the service the routing rules chose. The person had consented to share, and "
        "the service's team now has the referral in its queue."
    ),
    OutcomeKind.ALREADY_REFERRED: (
        "This file changed a victim an earlier file had already referred. The referral stands; it was not made again."
    ),
    OutcomeKind.SIGNPOSTED: (
        "The offence is supported by a service commissioned outside OneDoor (for example domestic abuse or a road "
        "traffic collision). No referral is made; the person is pointed to that service."
    ),
    OutcomeKind.OFFER_ONLY: (
        "No commissioned service takes this offence from the police file. The person is not referred but is "
        "offered support by text or email, and can ask for help themselves."
    ),
    OutcomeKind.NO_CONSENT: (
        "The file did not record the person's consent to share their details with a support service, so OneDoor "
        "cannot refer them. They are still offered support, where that is safe, and can refer themselves."
    ),
    OutcomeKind.GAP: (
        "No commissioned service covers this case. It is counted for the commissioner as a gap in service."
    ),
    OutcomeKind.RESTRICTED: (
        "The person asked OneDoor to restrict the processing of their data (UK GDPR Article 18): no referral "
        "and no offer."
    ),
}
NOT_REFERRED = (
    OutcomeKind.SIGNPOSTED,
    OutcomeKind.OFFER_ONLY,
    OutcomeKind.NO_CONSENT,
    OutcomeKind.GAP,
    OutcomeKind.RESTRICTED,
)
WITHHELD_EXPLAINED = (
    "A safety rule stopped the text or email: the person is not contacted by OneDoor. Each rule that applied is "
    "counted below, so one person held back for two reasons is counted under both."
)

REVIEW_EXPLAINED = (
    "The same phone number or email was given for different people in one crime, or a contact detail failed. "
    "The contact details were kept off any referral, and no offer was sent, until a police data officer checks "
    "the record."
)


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    count: int
    explanation: str
    key: str


@dataclass
class BatchOutcomes:
    """A batch's ledger, ready for its page."""

    routed: int = 0  # records processed: each counts under exactly one referral outcome
    referred: list[OutcomeRow] = field(default_factory=list)
    not_referred: list[OutcomeRow] = field(default_factory=list)
    not_referred_total: int = 0
    offered: int = 0
    withheld: int = 0
    withheld_by_reason: list[OutcomeRow] = field(default_factory=list)
    needs_review: int = 0

    @property
    def recorded(self) -> bool:
        return self.routed > 0


def batch_outcomes(batch: PoliceBatch) -> BatchOutcomes:
    """The batch's ledger with a label and an explanation for each count, in one query."""
    counts = {(kind, reason): n for kind, reason, n in batch.outcomes.values_list("kind", "reason", "count")}
    out = BatchOutcomes()

    def row(kind: OutcomeKind) -> OutcomeRow:
        return OutcomeRow(kind.label, counts.get((kind, ""), 0), EXPLAINED[kind], kind.value)

    for kind in (OutcomeKind.REFERRED, OutcomeKind.ALREADY_REFERRED):
        if counts.get((kind, ""), 0) or kind == OutcomeKind.REFERRED:
            out.referred.append(row(kind))
    out.not_referred = [row(kind) for kind in NOT_REFERRED]
    out.not_referred_total = sum(r.count for r in out.not_referred)
    out.routed = out.not_referred_total + sum(r.count for r in out.referred)
    out.offered = counts.get((OutcomeKind.OFFERED, ""), 0)
    out.withheld = counts.get((OutcomeKind.WITHHELD, ""), 0)
    by_reason = [(reason, n) for (kind, reason), n in counts.items() if kind == OutcomeKind.WITHHELD_REASON]
    out.withheld_by_reason = [
        OutcomeRow(REASON_LABELS.get(reason, "Another safety rule"), n, "", reason)
        for reason, n in sorted(by_reason, key=lambda item: (-item[1], item[0]))
    ]
    out.needs_review = counts.get((OutcomeKind.NEEDS_REVIEW, ""), 0)
    return out
