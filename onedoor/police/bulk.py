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

from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.core import fastcopy
from onedoor.core.audit import audit_record_many
from onedoor.core.models import DemographicCategory
from onedoor.core.tasks import enqueue_on_commit
from onedoor.directory.models import Service
from onedoor.referrals.models import Allocation, Referral, SignpostRecord, Source, Status, StatusEvent
from onedoor.referrals.routing import Decision, RouteInput, RoutingTable
from onedoor.referrals.services import (
    ReferralDetails,
    first_contact_due,
    not_recorded_categories,
    referral_build,
    route_input_for,
    signpost_record_build,
)

DECISIONS_KEPT = 20_000


@dataclass
class BulkContext:
    table: RoutingTable
    services: dict[str, Service]
    not_recorded: dict[str, DemographicCategory | None]
    due: dict[tuple[str, date], date]
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

    def due_on(self, service: Service, today: date) -> date:
        key = (service.slug, today)
        if key not in self.due:
            self.due[key] = first_contact_due(service=service, received_on=today, police=True)
        return self.due[key]


@dataclass
class BulkOutcome:
    decision: Decision
    referral: Referral | None


def referrals_create_bulk(
    *, items: list[tuple[ReferralDetails, User | None]], ctx: BulkContext, now: datetime | None = None
) -> list[BulkOutcome]:
    """Route and record police-transfer referrals (consent already checked: every item has it). Call
    inside the chunk's transaction."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    source = Source.POLICE_TRANSFER
    outcomes: list[BulkOutcome] = []
    referrals: list[Referral] = []
    referred: list[tuple[Referral, ReferralDetails, Decision, User | None]] = []
    signposts: list[tuple[SignpostRecord, User | None, bool]] = []
    for details, referrer in items:
        if not details.consent_given or not details.consent_given_by:
            raise ValueError("referrals_create_bulk needs consent, and who gave it, on every item")
        inp = route_input_for(details, source=source, today=today)
        decision = ctx.decide(inp)
        if decision.primary is None:
            record = signpost_record_build(
                details=details, source=source, referrer=referrer, inp=inp, decision=decision
            )
            signposts.append((record, referrer, decision.gap))
            outcomes.append(BulkOutcome(decision, None))
            continue
        service = ctx.services[decision.primary]
        referral = referral_build(
            details=details,
            source=source,
            referrer=referrer,
            inp=inp,
            decision=decision,
            service=service,
            today=today,
            due_on=ctx.due_on(service, today),
            not_recorded=ctx.not_recorded,
        )
        referrals.append(referral)
        referred.append((referral, details, decision, referrer))
        outcomes.append(BulkOutcome(decision, referral))

    if signposts:
        fastcopy.insert(SignpostRecord, [s for s, _, _ in signposts])
        audit_record_many(
            action="referral.signposted", entries=[(actor, s, {"gap": gap}) for s, actor, gap in signposts]
        )
    if not referrals:
        return outcomes
    fastcopy.insert(Referral, referrals)
    flag_links = []
    secondary_links = []
    for referral, details, decision, _ in referred:
        flag_links += [Referral.flags.through(referral_id=referral.pk, flag_id=f.pk) for f in details.flags]
        secondary_links += [
            Referral.secondary_services.through(referral_id=referral.pk, service_id=ctx.services[s].pk)
            for s in decision.secondary
        ]
    fastcopy.insert(Referral.flags.through, flag_links)
    fastcopy.insert(Referral.secondary_services.through, secondary_links)
    fastcopy.insert(
        Allocation,
        [Allocation(referral_id=r.pk, service_id=r.current_service_id, started_at=moment) for r in referrals],  # type: ignore[misc]
    )
    events = fastcopy.insert(
        StatusEvent,
        [
            StatusEvent(
                referral_id=r.pk,
                at=moment,
                from_status="",
                to_status=Status.RECEIVED,
                service_id=r.current_service_id,
                actor=referrer if referrer and referrer.is_authenticated else None,
            )
            for r, _, _, referrer in referred
        ],
    )
    audit_record_many(
        action="referral.created",
        entries=[
            (referrer, r, {"source": source, "service": decision.primary, "rules": list(decision.rules)})
            for r, _, decision, referrer in referred
        ],
    )
    to_tell = [e.pk for e, (r, _, _, _) in zip(events, referred, strict=True) if r.referrer_id is not None]
    if to_tell:
        from onedoor.police.tasks import tell_referrers

        enqueue_on_commit(tell_referrers, event_ids=to_tell)
    return outcomes
