"""Intake: how a new referral is made. What a referrer (or the person, or the police file) tells OneDoor
is routed, and either recorded as a referral with its first allocation, status event and audit row, or, when
no service takes it, kept only as a de-identified signpost record. The police import's bulk path builds its rows
with the same mappings (`referral_values`, `signpost_record_values`). Status changes after that are in
`services.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import OrganisationKind, User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.calendar import add_working_days
from onedoor.core.errors import DomainError
from onedoor.core.models import DemographicCategory, District, Flag, NeedCategory, OffenceGroup
from onedoor.core.tasks import enqueue_on_commit
from onedoor.directory.models import Service
from onedoor.referrals.models import (
    POLICE_REFERRAL_DAYS,
    Allocation,
    Referral,
    SignpostRecord,
    Source,
    Status,
    StatusEvent,
    child_basis,
    special_category_condition,
)
from onedoor.referrals.routing import Decision, RouteInput, RoutingTable
from onedoor.referrals.tasks import alert_team_of_urgent_referral, is_milestone, notify_referrer_of_status


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
    crime_reported_on: date | None = None
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
        crime_reported_on=details.crime_reported_on,
    )


def is_police_referral(*, source: str, referrer: User | None) -> bool:
    """Police referrals must reach a service within 2 working days (Victims' Code, paragraph 4.5)."""
    return source == Source.POLICE_TRANSFER or bool(
        referrer and referrer.organisation and referrer.organisation.kind == OrganisationKind.POLICE
    )


def first_contact_due(*, service: Service, received_on: date, police: bool, urgent: bool = False) -> date:
    """When first contact is due: the service's target in working days, at most 2 for police referrals, and
    the same day for a risk to life or immediate danger."""
    if urgent:
        return received_on
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
        "priority_reasons": list(decision.priority_reasons),
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
            due_on=first_contact_due(
                service=service, received_on=today, police=police, urgent=details.urgent or details.risk_to_life
            ),
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
    notify_referrer(referral, event)
    if referral.urgent or referral.risk_to_life:
        alert_urgent(referral_id=referral.pk)
    return ReferralOutcome(decision=decision, referral=referral, signpost_record=None)


def notify_referrer(referral: Referral, event: StatusEvent) -> None:
    """The referrer hears of milestones only (`tasks.MILESTONES`), or in their daily digest."""
    if referral.referrer_id is None or not is_milestone(event.to_status):
        return
    enqueue_on_commit(notify_referrer_of_status, event_id=event.pk)


def alert_urgent(*, referral_id: int) -> None:
    """A referral marked risk to life or immediate danger: its team leads and its team's mailbox are emailed
    once the change commits (a task written in the same transaction, so the alert is never lost)."""
    enqueue_on_commit(alert_team_of_urgent_referral, referral_id=referral_id)
