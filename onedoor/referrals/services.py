"""Every change to a referral. Each function is one transaction that writes the change, its status
event and its audit row together, and schedules notifications to go out only if it commits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.errors import DomainError
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.access import ReferralAction, require_may_act
from onedoor.referrals.eligibility import Mismatch, facts_of, reroute_mismatches, services_for_eligibility

# Intake (making a referral) is its own module; its names stay importable from here.
from onedoor.referrals.intake import CHARACTERISTICS as CHARACTERISTICS
from onedoor.referrals.intake import POLICE_REFERRAL_DAYS as POLICE_REFERRAL_DAYS
from onedoor.referrals.intake import ReferralDetails as ReferralDetails
from onedoor.referrals.intake import ReferralOutcome as ReferralOutcome
from onedoor.referrals.intake import ReferralRefused as ReferralRefused
from onedoor.referrals.intake import age_band as age_band
from onedoor.referrals.intake import age_on as age_on
from onedoor.referrals.intake import alert_urgent as alert_urgent
from onedoor.referrals.intake import first_contact_due as first_contact_due
from onedoor.referrals.intake import is_police_referral as is_police_referral
from onedoor.referrals.intake import not_recorded_categories as not_recorded_categories
from onedoor.referrals.intake import notify_referrer as notify_referrer
from onedoor.referrals.intake import referral_create as referral_create
from onedoor.referrals.intake import referral_values as referral_values
from onedoor.referrals.intake import route_input_for as route_input_for
from onedoor.referrals.intake import signpost_record_values as signpost_record_values
from onedoor.referrals.models import (
    AWAITING_CONTACT_STATUSES,
    Allocation,
    DeclineReason,
    Referral,
    Status,
    StatusEvent,
)
from onedoor.referrals.routing import RoutingTable

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.TRIAGED, Status.ACCEPTED, Status.DECLINED, Status.REROUTED}),
    Status.REROUTED: frozenset({Status.TRIAGED, Status.ACCEPTED, Status.DECLINED, Status.REROUTED}),
    Status.TRIAGED: frozenset({Status.ACCEPTED, Status.DECLINED, Status.REROUTED}),
    Status.ACCEPTED: frozenset(
        {Status.WAITING, Status.CONTACT_ATTEMPTED, Status.CONTACTED, Status.NOT_ENGAGED, Status.REROUTED, Status.CLOSED}
    ),
    Status.WAITING: frozenset(
        {Status.CONTACT_ATTEMPTED, Status.CONTACTED, Status.ENGAGED, Status.NOT_ENGAGED, Status.CLOSED}
    ),
    Status.CONTACT_ATTEMPTED: frozenset(
        {Status.CONTACT_ATTEMPTED, Status.CONTACTED, Status.WAITING, Status.NOT_ENGAGED, Status.CLOSED}
    ),
    Status.CONTACTED: frozenset({Status.ENGAGED, Status.WAITING, Status.NOT_ENGAGED, Status.CLOSED}),
    Status.ENGAGED: frozenset({Status.WAITING, Status.CLOSED}),
    Status.NOT_ENGAGED: frozenset({Status.CLOSED}),
    Status.DECLINED: frozenset(),
    Status.CLOSED: frozenset({Status.ACCEPTED}),  # re-opening
}


# The audit action of each status a transition reaches, and of each page that shows a referral.
STATUS_ACTIONS: dict[str, AuditAction] = {
    Status.TRIAGED: AuditAction.REFERRAL_TRIAGED,
    Status.ACCEPTED: AuditAction.REFERRAL_ACCEPTED,
    Status.WAITING: AuditAction.REFERRAL_WAITING,
    Status.CONTACT_ATTEMPTED: AuditAction.REFERRAL_CONTACT_ATTEMPTED,
    Status.CONTACTED: AuditAction.REFERRAL_CONTACTED,
    Status.ENGAGED: AuditAction.REFERRAL_ENGAGED,
    Status.NOT_ENGAGED: AuditAction.REFERRAL_NOT_ENGAGED,
    Status.DECLINED: AuditAction.REFERRAL_DECLINED,
    Status.REROUTED: AuditAction.REFERRAL_REROUTED,
    Status.CLOSED: AuditAction.REFERRAL_CLOSED,
}
VIEW_ACTIONS: dict[str, AuditAction] = {
    "case": AuditAction.REFERRAL_VIEWED_CASE,
    "timeline": AuditAction.REFERRAL_VIEWED_TIMELINE,
    "api": AuditAction.REFERRAL_VIEWED_API,
    "casework": AuditAction.REFERRAL_VIEWED_CASEWORK,
    "shared_summary": AuditAction.REFERRAL_VIEWED_SHARED_SUMMARY,
    "form": AuditAction.REFERRAL_VIEWED_FORM,
    # casework's form pages, by URL name (onedoor.casework.views._common.form_page)
    "contact": AuditAction.REFERRAL_VIEWED_CONTACT,
    "assessment": AuditAction.REFERRAL_VIEWED_ASSESSMENT,
    "plan": AuditAction.REFERRAL_VIEWED_PLAN,
    "goal_add": AuditAction.REFERRAL_VIEWED_GOAL_ADD,
    "goal_note": AuditAction.REFERRAL_VIEWED_GOAL_NOTE,
    "waiting_add": AuditAction.REFERRAL_VIEWED_WAITING_ADD,
    "check_in": AuditAction.REFERRAL_VIEWED_CHECK_IN,
    "interim_support": AuditAction.REFERRAL_VIEWED_INTERIM_SUPPORT,
    "measure": AuditAction.REFERRAL_VIEWED_MEASURE,
    "joint": AuditAction.REFERRAL_VIEWED_JOINT,
    "onward": AuditAction.REFERRAL_VIEWED_ONWARD,
    "onward_external": AuditAction.REFERRAL_VIEWED_ONWARD_EXTERNAL,
    "transition": AuditAction.REFERRAL_VIEWED_TRANSITION,
    "slavery": AuditAction.REFERRAL_VIEWED_SLAVERY,
    "close": AuditAction.REFERRAL_VIEWED_CLOSE,
    "reopen": AuditAction.REFERRAL_VIEWED_REOPEN,
}


class TransitionError(DomainError, ValueError):
    """The referral cannot make that change: not from where it is, or not as asked (a missing reason, a
    service it cannot go to). Nothing was saved."""


# -- transitions ---------------------------------------------------------------------------------


def _transition(
    *,
    referral: Referral,
    actor: User,
    to: str,
    action: ReferralAction,
    reason_code: str = "",
    referrer_note: str = "",
    suggested_service: Service | None = None,
    override_reason: str = "",
    changes: dict[str, Any] | None = None,
    audit_detail: dict[str, Any] | None = None,
    notify: bool = True,
    reopening: bool = False,
) -> Referral:
    locked = Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)
    require_may_act(user=actor, referral=locked, action=action)
    # closed -> accepted is re-opening, and only referral_reopen does it (with its reason and casework's
    # three-month limit); re-opening is only from closed.
    if to not in TRANSITIONS[locked.status] or (locked.status == Status.CLOSED) != reopening:
        raise TransitionError(
            f"A referral that is {Status(locked.status).label.lower()} cannot be moved to {Status(to).label.lower()}."
        )
    moment = timezone.now()
    from_status = locked.status
    locked.status = to
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save()
    event = StatusEvent.objects.create(
        referral=locked,
        at=moment,
        from_status=from_status,
        to_status=to,
        service=locked.current_service,
        actor=actor,
        reason_code=reason_code,
        referrer_note=referrer_note,
        suggested_service=suggested_service,
        override_reason=override_reason,
    )
    audit_record(
        actor=actor,
        action=STATUS_ACTIONS[to],
        obj=locked,
        detail={"from": from_status, "to": to, "reason_code": reason_code, **(audit_detail or {})},
    )
    if notify:
        notify_referrer(locked, event)
    return locked


@transaction.atomic
def referral_triage(*, referral: Referral, actor: User) -> Referral:
    return _transition(referral=referral, actor=actor, action=ReferralAction.TRIAGE, to=Status.TRIAGED)


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User) -> Referral:
    return _transition(referral=referral, actor=actor, action=ReferralAction.TRIAGE, to=Status.ACCEPTED)


@transaction.atomic
def referral_decline(
    *,
    referral: Referral,
    actor: User,
    reason_code: str,
    suggested_service: Service | None = None,
    referrer_note: str = "",
) -> Referral:
    if reason_code not in DeclineReason.values:
        raise TransitionError(f"Choose a reason for declining: one of {', '.join(DeclineReason.values)}")
    return _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.TRIAGE,
        to=Status.DECLINED,
        reason_code=reason_code,
        referrer_note=referrer_note,
        suggested_service=suggested_service,
        changes={"assigned_to": None},
    )


class RerouteNeedsOverride(TransitionError):
    """The chosen service does not fit the referral (by the routing rules or the directory's eligibility).
    Nothing was saved: choose another service, or send it there anyway with a reason."""

    def __init__(self, mismatches: list[Mismatch]) -> None:
        self.mismatches = mismatches
        super().__init__(
            " ".join(m.message for m in mismatches)
            + " To send it there anyway, give your reason for overriding the check."
        )


@transaction.atomic
def referral_reroute(
    *,
    referral: Referral,
    actor: User,
    to_service: Service,
    referrer_note: str = "",
    override_reason: str = "",
    table: RoutingTable | None = None,
) -> Referral:
    """Send a referral to another commissioned service. The target is checked against the routing table
    and the directory's eligibility (age, offence, district); a target that does not fit needs
    `override_reason`, kept on the status event and audited as an override in the same transaction."""
    if to_service.kind != ServiceKind.COMMISSIONED or not to_service.active:
        raise TransitionError("A referral can only be re-routed to an active commissioned service.")
    if to_service.pk == referral.current_service_id:
        raise TransitionError("The referral is already with that service.")
    override_reason = override_reason.strip()
    facts = facts_of(Referral.objects.select_related("offence_group", "district").get(pk=referral.pk))
    target = services_for_eligibility(Service.objects.filter(pk=to_service.pk)).get()
    mismatches = reroute_mismatches(
        service=target, facts=facts, table=table or RoutingTable.load(on=timezone.localdate())
    )
    if mismatches and not override_reason:
        raise RerouteNeedsOverride(mismatches)
    moment = timezone.now()
    Allocation.objects.filter(referral=referral, ended_at__isnull=True).update(ended_at=moment)
    Allocation.objects.create(referral=referral, service=to_service, started_at=moment)
    police = is_police_referral(source=referral.source, referrer=referral.referrer)
    updated = _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.TRIAGE,
        to=Status.REROUTED,
        referrer_note=referrer_note,
        suggested_service=to_service,
        override_reason=override_reason if mismatches else "",
        changes={
            "current_service": to_service,
            "assigned_to": None,
            "due_on": first_contact_due(
                service=to_service,
                received_on=timezone.localdate(moment),
                police=police,
                urgent=referral.urgent or referral.risk_to_life,
            ),
        },
        audit_detail={
            "from_service": referral.current_service.slug if referral.current_service else None,
            "to_service": to_service.slug,
        },
    )
    if updated.urgent or updated.risk_to_life:
        alert_urgent(referral_id=updated.pk)  # the new team must hear at once, as the first did
    if mismatches:
        audit_record(
            actor=actor,
            action=AuditAction.REFERRAL_REROUTE_OVERRIDDEN,
            obj=updated,
            # Codes only: the reason itself is on the status event, which only the holding team sees.
            detail={"to_service": to_service.slug, "mismatches": [str(m.code) for m in mismatches]},
        )
    return updated


@transaction.atomic
def referral_place_on_waiting_list(*, referral: Referral, actor: User) -> Referral:
    return _transition(referral=referral, actor=actor, action=ReferralAction.CASEWORK, to=Status.WAITING)


@transaction.atomic
def referral_record_contact_attempt(*, referral: Referral, actor: User) -> Referral:
    return _transition(
        referral=referral, actor=actor, action=ReferralAction.CASEWORK, to=Status.CONTACT_ATTEMPTED, notify=False
    )


@transaction.atomic
def referral_mark_contacted(*, referral: Referral, actor: User) -> Referral:
    return _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.CASEWORK,
        to=Status.CONTACTED,
        changes={"first_contacted_at": timezone.now()},
    )


@transaction.atomic
def referral_mark_engaged(*, referral: Referral, actor: User) -> Referral:
    return _transition(referral=referral, actor=actor, action=ReferralAction.CASEWORK, to=Status.ENGAGED)


@transaction.atomic
def referral_mark_not_engaged(
    *, referral: Referral, actor: User, reason_code: str, referrer_note: str = ""
) -> Referral:
    if not reason_code:
        raise TransitionError("Give a reason the person did not engage.")
    return _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.CASEWORK,
        to=Status.NOT_ENGAGED,
        reason_code=reason_code,
        referrer_note=referrer_note,
    )


@transaction.atomic
def referral_close(*, referral: Referral, actor: User, reason_code: str, referrer_note: str = "") -> Referral:
    if not reason_code:
        raise TransitionError("Give a reason for closing the referral.")
    return _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.CASEWORK,
        to=Status.CLOSED,
        reason_code=reason_code,
        referrer_note=referrer_note,
    )


@transaction.atomic
def referral_reopen(*, referral: Referral, actor: User, reason: str) -> Referral:
    """Re-open a closed referral (casework checks the three-month limit)."""
    if not reason:
        raise TransitionError("Give a reason for re-opening the referral.")
    return _transition(
        referral=referral,
        actor=actor,
        action=ReferralAction.CASEWORK,
        to=Status.ACCEPTED,
        reason_code="reopened",
        reopening=True,
    )


# -- queue work ----------------------------------------------------------------------------------


@transaction.atomic
def referral_assign(*, referral: Referral, actor: User, assignee: User | None) -> Referral:
    """Claim (assignee is the actor: any provider role) or assign to a colleague in the same organisation,
    or unassign (triage roles)."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)
    claiming = assignee is not None and assignee.pk == actor.pk
    require_may_act(user=actor, referral=locked, action=ReferralAction.CLAIM if claiming else ReferralAction.TRIAGE)
    if locked.status not in (*AWAITING_CONTACT_STATUSES, Status.CONTACTED, Status.ENGAGED):
        raise TransitionError("Only open referrals can be assigned.")
    if assignee is not None and (not assignee.is_provider_staff or assignee.organisation_id != actor.organisation_id):
        raise PermissionDenied("Assign referrals only to colleagues in your own organisation.")
    locked.assigned_to = assignee
    locked.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_CLAIMED if assignee == actor else AuditAction.REFERRAL_ASSIGNED,
        obj=locked,
        detail={"assignee_id": assignee.pk if assignee else None},
    )
    return locked


def referral_record_view(*, referral: Referral, actor: Any, what: str = "case") -> None:
    """Every view of a referral is audited. `what` names the page, from VIEW_ACTIONS: a new page that shows
    a referral adds its member to AuditAction and its entry there."""
    action = VIEW_ACTIONS.get(what)
    if action is None:
        raise LookupError(f"No audit action for a view of {what!r}: add it to AuditAction and VIEW_ACTIONS")
    audit_record(actor=actor, action=action, obj=referral)
