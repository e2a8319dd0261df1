"""Every change to a referral. Each function is one transaction that writes the change, its status
event and its audit row together, and schedules notifications to go out only if it commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import OrganisationKind, User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.calendar import add_working_days
from onedoor.core.errors import DomainError
from onedoor.core.models import DemographicCategory, District, Flag, NeedCategory, OffenceGroup
from onedoor.core.tasks import enqueue_on_commit
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.access import ReferralAction, require_may_act
from onedoor.referrals.models import (
    AWAITING_CONTACT_STATUSES,
    Allocation,
    DeclineReason,
    Referral,
    SignpostRecord,
    Source,
    Status,
    StatusEvent,
    child_basis,
    special_category_condition,
)
from onedoor.referrals.routing import Decision, RouteInput, RoutingTable
from onedoor.referrals.tasks import is_milestone, notify_referrer_of_status

POLICE_REFERRAL_DAYS = 2  # Victims' Code, paragraph 4.5

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


class ReferralRefused(DomainError, ValueError):
    """A referral that must not be made. Nothing has been saved."""


@dataclass
class ReferralDetails:
    """What a referrer (or the person) tells OneDoor. Validated by the form or the API before this."""

    first_name: str
    last_name: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    preferred_language: str = ""
    interpreter_needed: bool = False
    communication_needs: str = ""
    demographics: dict[str, DemographicCategory | None] = field(default_factory=dict)
    phone: str = ""
    email: str = ""
    safe_to_call: bool = False
    safe_to_text: bool = False
    safe_to_email: bool = False
    safe_to_leave_voicemail: bool = False
    best_times: str = ""
    phone_is_own: bool = False
    # The contact details could not be trusted (for example, one number given for two people in one
    # crime): they were left out, and a person must check them before anyone makes contact.
    contact_check_needed: bool = False
    district: District | None = None
    postcode: str = ""
    reported_to_police: bool = False
    crime_reference: str = ""
    offence_group: OffenceGroup | None = None
    flags: list[Flag] = field(default_factory=list)
    needs: list[NeedCategory] = field(default_factory=list)
    reason: str = ""
    risks_to_person: str = ""
    risks_to_staff: str = ""
    urgent: bool = False
    risk_to_life: bool = False
    consent_given: bool = False
    consent_given_by: str = ""
    consent_given_on: date | None = None
    lawful_basis: str = ""
    lawful_basis_note: str = ""
    referrer_organisation: str = ""


@dataclass(frozen=True)
class ReferralOutcome:
    decision: Decision
    referral: Referral | None
    signpost_record: SignpostRecord | None


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def age_band(age: int | None) -> str:
    if age is None:
        return "not-recorded"
    for limit, band in (
        (16, "under-16"),
        (25, "16-to-24"),
        (35, "25-to-34"),
        (45, "35-to-44"),
        (55, "45-to-54"),
        (65, "55-to-64"),
    ):
        if age < limit:
            return band
    return "65-and-over"


def route_input_for(details: ReferralDetails, *, source: str, today: date) -> RouteInput:
    age = age_on(details.date_of_birth, today) if details.date_of_birth else details.age
    return RouteInput(
        age=age,
        offence_group=details.offence_group.slug if details.offence_group else None,
        flags=frozenset(f.slug for f in details.flags),
        district=details.district.gss_code if details.district else None,
        consent=details.consent_given or bool(details.lawful_basis),
        source=source,
        needs=frozenset(n.slug for n in details.needs),
        urgent=details.urgent,
        risk_to_life=details.risk_to_life,
    )


def is_police_referral(*, source: str, referrer: User | None) -> bool:
    """Police referrals must reach a service within 2 working days (Victims' Code, paragraph 4.5)."""
    return source == Source.POLICE_TRANSFER or bool(
        referrer and referrer.organisation and referrer.organisation.kind == OrganisationKind.POLICE
    )


def first_contact_due(*, service: Service, received_on: date, police: bool) -> date:
    days = service.first_contact_target_days
    if police:
        days = min(days, POLICE_REFERRAL_DAYS)
    return add_working_days(received_on, days)


CHARACTERISTICS = ("ethnicity", "sex", "gender_identity", "sexual_orientation", "disability", "religion")


def not_recorded_categories() -> dict[str, DemographicCategory | None]:
    """The "Not recorded" category of each characteristic, for what nobody asked."""
    found = {
        c.characteristic: c
        for c in DemographicCategory.objects.filter(characteristic__in=CHARACTERISTICS, code="not-recorded")
    }
    return {c: found.get(c) for c in CHARACTERISTICS}


def signpost_record_values(
    *, details: ReferralDetails, source: str, referrer: User | None, inp: RouteInput, decision: Decision
) -> dict[str, Any]:
    """A de-identified record of a routing outcome with no referral (signposting, or a gap), as field
    values: the one mapping used by `referral_create` and the police import's bulk path."""
    return {
        "created_by_id": referrer.pk if referrer is not None and referrer.is_authenticated else None,
        "source": source,
        "offence_group_id": details.offence_group.pk if details.offence_group else None,
        "flags": sorted(inp.flags),
        "age_band": age_band(inp.age),
        "district_id": details.district.pk if details.district else None,
        "gap": decision.gap,
        # With no primary service, any secondary service is for the person to contact themselves.
        "signpost": list(dict.fromkeys([*decision.signpost, *decision.secondary])),
        "reason": decision.reason,
    }


def referral_values(
    *,
    details: ReferralDetails,
    source: str,
    referrer: User | None,
    inp: RouteInput,
    decision: Decision,
    service: Service,
    today: date,
    due_on: date,
    not_recorded: dict[str, DemographicCategory | None],
) -> dict[str, Any]:
    """A new referral's field values (by attribute name) from what was told and how it was routed: the
    one mapping used by `referral_create` and by the police import's bulk
    path, which writes them without building a model instance per row."""
    demographics = {c: details.demographics.get(c) or not_recorded[c] for c in CHARACTERISTICS}
    return {
        "source": source,
        "referrer_id": referrer.pk if referrer is not None else None,
        "referrer_organisation": details.referrer_organisation
        or (referrer.organisation.name if referrer and referrer.organisation else ""),
        "status": Status.RECEIVED,
        "priority": decision.priority,
        "current_service_id": service.pk,
        "received_on": today,
        "due_on": due_on,
        "routing_reason": decision.reason,
        "routing_gap": decision.gap,
        "routing_signpost": list(decision.signpost),
        "routing_rules": list(decision.rules),
        "first_name": details.first_name,
        "last_name": details.last_name,
        "date_of_birth": details.date_of_birth,
        "age_at_referral": inp.age,
        "preferred_language": details.preferred_language,
        "interpreter_needed": details.interpreter_needed,
        "communication_needs": details.communication_needs,
        "phone": details.phone,
        "email": details.email,
        "safe_to_call": details.safe_to_call,
        "safe_to_text": details.safe_to_text,
        "safe_to_email": details.safe_to_email,
        "safe_to_leave_voicemail": details.safe_to_leave_voicemail,
        "best_times": details.best_times,
        "phone_is_own": details.phone_is_own,
        "contact_check_needed": details.contact_check_needed,
        "district_id": details.district.pk if details.district else None,
        "postcode": details.postcode,
        "reported_to_police": details.reported_to_police,
        "crime_reference": details.crime_reference,
        "offence_group_id": details.offence_group.pk if details.offence_group else None,
        "reason": details.reason,
        "risks_to_person": details.risks_to_person,
        "risks_to_staff": details.risks_to_staff,
        "urgent": details.urgent,
        "risk_to_life": details.risk_to_life,
        "consent_given": details.consent_given,
        "consent_given_by": details.consent_given_by,
        "consent_given_on": details.consent_given_on or (today if details.consent_given else None),
        "lawful_basis": details.lawful_basis,
        "lawful_basis_note": details.lawful_basis_note,
        "special_category_condition": special_category_condition(
            consent_given=details.consent_given, lawful_basis=details.lawful_basis
        ),
        "child_basis": child_basis(
            age=inp.age, consent_given=details.consent_given, consent_given_by=details.consent_given_by
        ),
        **{f"{c}_id": category.pk if category else None for c, category in demographics.items()},
    }


@transaction.atomic
def referral_create(
    *,
    details: ReferralDetails,
    source: str,
    referrer: User | None,
    table: RoutingTable | None = None,
    now: datetime | None = None,
) -> ReferralOutcome:
    """Route and record a referral. Refused, with nothing saved, without consent or a lawful basis.
    When routing finds no service (signposting, or a gap) only a de-identified record is kept."""
    if not details.consent_given and not details.lawful_basis:
        raise ReferralRefused(
            "Record the person's consent to share their details, or the lawful basis for sharing without it."
        )
    if details.consent_given and not details.consent_given_by:
        raise ReferralRefused("Say who gave consent: the person, or a parent or guardian.")
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    table = table or RoutingTable.load(on=today)
    inp = route_input_for(details, source=source, today=today)
    decision = table.decide(inp)

    if decision.primary is None:
        record = SignpostRecord(
            **signpost_record_values(details=details, source=source, referrer=referrer, inp=inp, decision=decision)
        )
        record.save()
        audit_record(actor=referrer, action=AuditAction.REFERRAL_SIGNPOSTED, obj=record, detail={"gap": decision.gap})
        return ReferralOutcome(decision=decision, referral=None, signpost_record=record)

    service = Service.objects.get(slug=decision.primary)
    police = is_police_referral(source=source, referrer=referrer)
    referral = Referral(
        **referral_values(
            details=details,
            source=source,
            referrer=referrer,
            inp=inp,
            decision=decision,
            service=service,
            today=today,
            due_on=first_contact_due(service=service, received_on=today, police=police),
            not_recorded=not_recorded_categories(),
        )
    )
    referral.save()
    referral.flags.set(details.flags)
    referral.needs.set(details.needs)
    if decision.secondary:
        referral.secondary_services.set(Service.objects.filter(slug__in=decision.secondary))
    Allocation.objects.create(referral=referral, service=service, started_at=moment)
    event = StatusEvent.objects.create(
        referral=referral,
        at=moment,
        from_status="",
        to_status=Status.RECEIVED,
        service=service,
        actor=referrer if referrer and referrer.is_authenticated else None,
    )
    audit_record(
        actor=referrer,
        action=AuditAction.REFERRAL_CREATED,
        obj=referral,
        detail={"source": source, "service": service.slug, "rules": list(decision.rules)},
    )
    _notify_referrer(referral, event)
    return ReferralOutcome(decision=decision, referral=referral, signpost_record=None)


# -- transitions ---------------------------------------------------------------------------------


def _notify_referrer(referral: Referral, event: StatusEvent) -> None:
    if referral.referrer_id is None or not is_milestone(event.to_status):
        return
    enqueue_on_commit(notify_referrer_of_status, event_id=event.pk)


def _transition(
    *,
    referral: Referral,
    actor: User,
    to: str,
    action: ReferralAction,
    reason_code: str = "",
    referrer_note: str = "",
    suggested_service: Service | None = None,
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
    )
    audit_record(
        actor=actor,
        action=STATUS_ACTIONS[to],
        obj=locked,
        detail={"from": from_status, "to": to, "reason_code": reason_code, **(audit_detail or {})},
    )
    if notify:
        _notify_referrer(locked, event)
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


@transaction.atomic
def referral_reroute(*, referral: Referral, actor: User, to_service: Service, referrer_note: str = "") -> Referral:
    if to_service.kind != ServiceKind.COMMISSIONED or not to_service.active:
        raise TransitionError("A referral can only be re-routed to an active commissioned service.")
    if to_service.pk == referral.current_service_id:
        raise TransitionError("The referral is already with that service.")
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
        changes={
            "current_service": to_service,
            "assigned_to": None,
            "due_on": first_contact_due(service=to_service, received_on=timezone.localdate(moment), police=police),
        },
        audit_detail={
            "from_service": referral.current_service.slug if referral.current_service else None,
            "to_service": to_service.slug,
        },
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
