"""Creating many referrals at once for the police import, with the invariants of
`onedoor.referrals.services.referral_create`:

- routing is the same code: `route_input_for` then `RoutingTable.decide`, with source police-transfer;
- a referral gets its allocation, its "received" status event and a `referral.created` audit row, and
  its referrer is told (the same `notify_referrer_of_status` task, run for a chunk at a time);
- consent Y but no service (signpost only, or a gap) keeps a de-identified `SignpostRecord`, audited.

It writes each kind of row with one statement per chunk instead of a dozen per referral.
`tests/police/test_bulk.py` checks it makes the same referral as `referral_create`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.core import fastcopy
from onedoor.core.audit import audit_record_rows
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import DemographicCategory
from onedoor.core.tasks import enqueue_on_commit
from onedoor.directory.models import Service
from onedoor.police.notices import tell_referrers
from onedoor.referrals.models import Allocation, Referral, SignpostRecord, Source, Status, StatusEvent
from onedoor.referrals.routing import Decision, RouteInput, RoutingTable
from onedoor.referrals.services import (
    ReferralDetails,
    alert_urgent,
    first_contact_due,
    not_recorded_categories,
    referral_values,
    route_input_for,
    signpost_record_values,
)

DECISIONS_KEPT = 20_000
REFERRAL_LABEL = Referral._meta.label_lower
SIGNPOST_LABEL = SignpostRecord._meta.label_lower


@dataclass
class BulkContext:
    table: RoutingTable
    services: dict[str, Service]
    not_recorded: dict[str, DemographicCategory | None]
    due: dict[tuple[str, date, bool], date]
    decisions: dict[RouteInput, Decision] = field(default_factory=dict)

    @classmethod
    def load(cls, table: RoutingTable) -> BulkContext:
        return cls(
            table=table,
            services={s.slug: s for s in Service.objects.all()},
            not_recorded=not_recorded_categories(),
            due={},
        )

    def decide(self, inp: RouteInput) -> Decision:
        """The routing table's decision, remembered per distinct input (ages grouped into the bands the rules
        distinguish, `RoutingTable.decision_key`): the table is fixed for the run, and a file has far fewer
        distinct inputs than rows."""
        key = self.table.decision_key(inp)
        found = self.decisions.get(key)
        if found is None:
            if len(self.decisions) >= DECISIONS_KEPT:
                self.decisions.clear()  # memory stays bounded however varied the file
            found = self.decisions[key] = self.table.decide(inp)
        return found

    def due_on(self, service: Service, today: date, *, urgent: bool = False) -> date:
        key = (service.slug, today, urgent)
        if key not in self.due:
            self.due[key] = first_contact_due(service=service, received_on=today, police=True, urgent=urgent)
        return self.due[key]


@dataclass
class BulkOutcome:
    decision: Decision
    referral_id: int | None


@dataclass
class BulkPlan:
    """Referrals routed and mapped to rows, not yet written."""

    moment: datetime
    outcomes: list[BulkOutcome]
    values: list[dict[str, Any]]  # one referral's row each
    referred: list[tuple[int, ReferralDetails, Decision, User | None]]  # (index into outcomes, ...)
    signposts: list[tuple[dict[str, Any], User | None, bool]]  # (row, referrer, gap)
    services: dict[str, Service]  # by slug


def referrals_create_bulk(
    *, items: list[tuple[ReferralDetails, User | None]], ctx: BulkContext, now: datetime | None = None
) -> list[BulkOutcome]:
    """Route and record police-transfer referrals (consent already checked: every item has it). Call
    inside the chunk's transaction."""
    return referrals_write_bulk(plan=referrals_plan_bulk(items=items, ctx=ctx, now=now))


def referrals_plan_bulk(
    *, items: list[tuple[ReferralDetails, User | None]], ctx: BulkContext, now: datetime | None = None
) -> BulkPlan:
    """Route each item and map it to its referral's row (or its de-identified signpost record), without
    touching the database, so that the import can prepare one chunk while the last is being written."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    source = Source.POLICE_TRANSFER
    plan = BulkPlan(moment=moment, outcomes=[], values=[], referred=[], signposts=[], services=ctx.services)
    for details, referrer in items:
        if not details.consent_given or not details.consent_given_by:
            raise ValueError("referrals_create_bulk needs consent, and who gave it, on every item")
        inp = route_input_for(details, source=source, today=today)
        decision = ctx.decide(inp)
        if decision.primary is None:
            record = signpost_record_values(
                details=details, source=source, referrer=referrer, inp=inp, decision=decision
            )
            plan.signposts.append(({**record, "created_at": moment}, referrer, decision.gap))
            plan.outcomes.append(BulkOutcome(decision, None))
            continue
        service = ctx.services[decision.primary]
        referral = referral_values(
            details=details,
            source=source,
            referrer=referrer,
            inp=inp,
            decision=decision,
            service=service,
            today=today,
            due_on=ctx.due_on(service, today, urgent=details.urgent or details.risk_to_life),
            not_recorded=ctx.not_recorded,
        )
        plan.values.append({**referral, "created_at": moment, "updated_at": moment})
        plan.referred.append((len(plan.outcomes), details, decision, referrer))
        plan.outcomes.append(BulkOutcome(decision, None))
    return plan


def referrals_write_bulk(*, plan: BulkPlan) -> list[BulkOutcome]:
    """Write a plan's rows, one COPY per table: referrals with their flags, secondary services,
    allocation, "received" event and audit row, and signpost records with theirs. Rows go from plain
    values: a model instance per referral would cost more than everything else here together. Fills in
    and returns the outcomes' referral ids. Call inside the chunk's transaction."""
    moment = plan.moment
    if plan.signposts:
        signpost_ids = fastcopy.insert_values(SignpostRecord, [s for s, _, _ in plan.signposts], with_ids=True)
        audit_record_rows(
            action=AuditAction.REFERRAL_SIGNPOSTED,
            entries=[
                (actor, SIGNPOST_LABEL, pk, {"gap": gap})
                for pk, (_, actor, gap) in zip(signpost_ids, plan.signposts, strict=True)
            ],
        )
    if not plan.values:
        return plan.outcomes
    ids = fastcopy.insert_values(Referral, plan.values, with_ids=True)
    flag_links: list[dict[str, Any]] = []
    secondary_links: list[dict[str, Any]] = []
    allocations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for pk, (at, details, decision, referrer), row in zip(ids, plan.referred, plan.values, strict=True):
        plan.outcomes[at].referral_id = pk
        flag_links += [{"referral_id": pk, "flag_id": f.pk} for f in details.flags]
        secondary_links += [{"referral_id": pk, "service_id": plan.services[s].pk} for s in decision.secondary]
        allocations.append({"referral_id": pk, "service_id": row["current_service_id"], "started_at": moment})
        events.append(
            {
                "referral_id": pk,
                "at": moment,
                "from_status": "",
                "to_status": Status.RECEIVED,
                "service_id": row["current_service_id"],
                "actor_id": referrer.pk if referrer is not None else None,
            }
        )
    fastcopy.insert_values(Referral.flags.through, flag_links)
    fastcopy.insert_values(Referral.secondary_services.through, secondary_links)
    fastcopy.insert_values(Allocation, allocations)
    for pk, row in zip(ids, plan.values, strict=True):
        if row["urgent"] or row["risk_to_life"]:
            alert_urgent(referral_id=pk)
    event_ids = fastcopy.insert_values(StatusEvent, events, with_ids=True)
    audit_record_rows(
        action=AuditAction.REFERRAL_CREATED,
        entries=[
            (
                referrer,
                REFERRAL_LABEL,
                pk,
                {"source": Source.POLICE_TRANSFER, "service": decision.primary, "rules": list(decision.rules)},
            )
            for pk, (_, _, decision, referrer) in zip(ids, plan.referred, strict=True)
        ],
    )
    to_tell = [e for e, (_, _, _, referrer) in zip(event_ids, plan.referred, strict=True) if referrer is not None]
    if to_tell:
        enqueue_on_commit(tell_referrers, event_ids=to_tell)
    return plan.outcomes
