"""Every casework change. Each function is one transaction that writes the change and its audit row
together; status changes go through onedoor.referrals.services, one function per transition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework import measures, rules
from onedoor.casework.messages import FEEDBACK_LINK, WAITING_LIST_POSITION, case_message_queue
from onedoor.casework.models import (
    AlertKind,
    Assessment,
    CaseAlert,
    CloseReason,
    ClosureOutcome,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    Coped,
    Goal,
    GroundsDecision,
    Intervention,
    JointWorking,
    Level,
    MeasureRecord,
    MeasureStage,
    ModernSlaveryReferral,
    NeedRating,
    OnwardKind,
    OnwardReferral,
    PractitionerSession,
    ProgressNote,
    SafeguardingAgency,
    SessionKind,
    SlaveryPath,
    SupportPlan,
    WaitingListEntry,
    WelfareCheckIn,
)
from onedoor.core.audit import audit_record
from onedoor.core.models import NeedCategory
from onedoor.core.tasks import enqueue_on_commit
from onedoor.directory.models import Service, ServiceKind
from onedoor.directory.services import feedback_link_issue
from onedoor.messaging.models import Message
from onedoor.referrals import services as spine
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, Precedence, Referral, RuleOutcome, Status
from onedoor.referrals.routing import CompiledRule, RoutingTable

# Statuses in which a case is being worked (casework records may be added).
CASE_STATUSES = (
    Status.ACCEPTED,
    Status.WAITING,
    Status.CONTACT_ATTEMPTED,
    Status.CONTACTED,
    Status.ENGAGED,
)


class UnsafeContact(ValueError):
    """The referral's safe-contact answers forbid this contact. Nothing was saved."""


class CaseworkError(ValueError):
    """A casework change that cannot be made as asked. Nothing was saved."""


def _lock_case(*, referral: Referral, actor: User, statuses: Iterable[str] = CASE_STATUSES) -> Referral:
    """Lock the referral and check the actor works for the organisation that holds it."""
    locked = Referral.objects.select_for_update(of=("self",)).select_related("current_service").get(pk=referral.pk)
    service = locked.current_service
    if not actor.is_provider_staff or service is None or service.organisation_id != actor.organisation_id:
        raise PermissionDenied("Only the team that holds this case can do that.")
    if locked.status not in statuses:
        raise CaseworkError(f"This case is {Status(locked.status).label.lower()}: that cannot be done now.")
    return locked


# -- 1. contact attempts ---------------------------------------------------------------------------


@transaction.atomic
def contact_attempt_record(
    *, referral: Referral, actor: User, channel: str, outcome: str, at: datetime | None = None, note: str = ""
) -> ContactAttempt:
    """Log one attempt. Refused where the safe-contact answers forbid it. The first successful contact
    moves the referral to contacted; N failed attempts over M days close it as not engaged."""
    if channel not in ContactChannel.values or outcome not in ContactOutcome.values:
        raise CaseworkError("Choose how you tried to make contact and what happened.")
    locked = _lock_case(referral=referral, actor=actor)
    refusal = rules.contact_refusal(referral=locked, channel=channel, outcome=outcome)
    if refusal:
        raise UnsafeContact(refusal)
    moment = at or timezone.now()
    if moment > timezone.now() + timedelta(minutes=5):
        raise CaseworkError("A contact attempt cannot be in the future.")
    attempt = ContactAttempt.objects.create(
        referral=locked, at=moment, channel=channel, outcome=outcome, note=note, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="casework.contact_attempt",
        obj=attempt,
        detail={"referral_id": locked.pk, "channel": channel, "outcome": outcome},
    )
    if outcome == ContactOutcome.REACHED:
        if locked.first_contacted_at is None and locked.status in AWAITING_CONTACT_STATUSES:
            spine.referral_mark_contacted(referral=locked, actor=actor)
        return attempt
    if locked.first_contacted_at is not None:
        return attempt
    if locked.status in (Status.ACCEPTED, Status.CONTACT_ATTEMPTED):
        spine.referral_record_contact_attempt(referral=locked, actor=actor)
    _close_if_unreachable(locked, actor, now=timezone.now())
    return attempt


def _close_if_unreachable(locked: Referral, actor: User, *, now: datetime) -> bool:
    service = locked.current_service
    assert service is not None
    failed = list(
        ContactAttempt.objects.filter(referral=locked)
        .exclude(outcome=ContactOutcome.REACHED)
        .values_list("at", flat=True)
    )
    if not rules.unable_to_contact(
        failed_at=failed, max_attempts=service.max_contact_attempts, window_days=service.contact_window_days, now=now
    ):
        return False
    spine.referral_mark_not_engaged(
        referral=locked,
        actor=actor,
        reason_code="unable_to_contact",
        referrer_note=(
            f"Unable to contact after {len(failed)} attempts over {(now.date() - min(failed).date()).days} days."
        ),
    )
    return True


@transaction.atomic
def contact_unable_to_contact_close(*, referral: Referral, actor: User) -> Referral:
    """Close as not engaged once the service's attempts and window are used up, with no further attempt."""
    locked = _lock_case(referral=referral, actor=actor, statuses=(Status.CONTACT_ATTEMPTED,))
    if locked.first_contacted_at is not None or not _close_if_unreachable(locked, actor, now=timezone.now()):
        service = locked.current_service
        assert service is not None
        raise CaseworkError(
            f"Not yet: {service} closes a case as unable to contact after {service.max_contact_attempts} "
            f"attempts over {service.contact_window_days} days."
        )
    locked.refresh_from_db()
    return locked


# -- 2. needs and risk assessment ------------------------------------------------------------------


def enhanced_rights_suggestion(*, referral: Referral) -> list[str]:
    """The Enhanced Rights groups the referral suggests; empty if none."""
    offence = referral.offence_group
    return rules.enhanced_rights_basis(
        age=referral.age_at_referral,
        offence_enhanced=bool(offence and offence.enhanced_rights),
        flags=[(f.slug, f.name, f.enhanced_rights) for f in referral.flags.all()],
    )


@transaction.atomic
def assessment_record(
    *,
    referral: Referral,
    actor: User,
    ratings: Mapping[str, tuple[str, str]],
    risk_to_self: str,
    risk_from_others: str,
    risk_to_others: str,
    safeguarding_concern: bool = False,
    safeguarding_referred_to: str = "",
    enhanced_rights: bool | None = None,
) -> Assessment:
    """A needs and risk assessment, or a re-assessment (a new row; earlier ones are kept). `ratings`
    maps each need's slug to (level, note); all eight needs must be rated. `enhanced_rights` None takes
    what the referral suggests; True or False records the caseworker's judgement."""
    locked = _lock_case(referral=referral, actor=actor)
    needs = {n.slug: n for n in NeedCategory.objects.all()}
    if set(ratings) != set(needs):
        raise CaseworkError("Rate each of the eight needs, even if the answer is none.")
    for level, _note in ratings.values():
        if level not in Level.values:
            raise CaseworkError("Rate each need as none, low, medium or high.")
    for level in (risk_to_self, risk_from_others, risk_to_others):
        if level not in Level.values:
            raise CaseworkError("Rate each risk as none, low, medium or high.")
    if safeguarding_referred_to not in SafeguardingAgency.values:
        raise CaseworkError("Choose who the safeguarding concern was referred to.")
    if safeguarding_referred_to and not safeguarding_concern:
        raise CaseworkError("Record the safeguarding concern before saying who it was referred to.")
    basis = enhanced_rights_suggestion(referral=locked)
    assessment = Assessment.objects.create(
        referral=locked,
        assessed_at=timezone.now(),
        assessed_by=actor,
        risk_to_self=risk_to_self,
        risk_from_others=risk_from_others,
        risk_to_others=risk_to_others,
        safeguarding_concern=safeguarding_concern,
        safeguarding_referred_to=safeguarding_referred_to,
        enhanced_rights=bool(basis) if enhanced_rights is None else enhanced_rights,
        enhanced_rights_suggested=bool(basis),
        enhanced_rights_basis=basis,
    )
    NeedRating.objects.bulk_create(
        NeedRating(assessment=assessment, need=needs[slug], level=level, note=note[:300])
        for slug, (level, note) in ratings.items()
    )
    audit_record(
        actor=actor,
        action="casework.assessment",
        obj=assessment,
        detail={
            "referral_id": locked.pk,
            "reassessment": Assessment.objects.filter(referral=locked).count() > 1,
            "safeguarding_referred_to": safeguarding_referred_to,
            "enhanced_rights": assessment.enhanced_rights,
        },
    )
    return assessment


# -- 3. support plan -------------------------------------------------------------------------------


@transaction.atomic
def support_plan_save(*, referral: Referral, actor: User, headline: str, review_on: date) -> SupportPlan:
    locked = _lock_case(referral=referral, actor=actor)
    if not headline.strip():
        raise CaseworkError("Give the plan a one-line headline.")
    if review_on < timezone.localdate():
        raise CaseworkError("The review date must be today or later.")
    plan, created = SupportPlan.objects.update_or_create(
        referral=locked,
        defaults={"headline": headline.strip(), "review_on": review_on},
        create_defaults={
            "headline": headline.strip(),
            "review_on": review_on,
            "created_at": timezone.now(),
            "created_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="casework.plan_created" if created else "casework.plan_updated",
        obj=plan,
        detail={"referral_id": locked.pk, "review_on": review_on.isoformat()},
    )
    return plan


@transaction.atomic
def goal_add(*, referral: Referral, actor: User, need: NeedCategory, description: str, intervention: str) -> Goal:
    locked = _lock_case(referral=referral, actor=actor)
    plan = SupportPlan.objects.filter(referral=locked).first()
    if plan is None:
        raise CaseworkError("Write the plan's headline and review date before adding goals.")
    if intervention not in Intervention.values:
        raise CaseworkError("Choose an intervention from the services' offers.")
    service = locked.current_service
    if service is not None and service.offers and intervention not in service.offers:
        offered = "; ".join(str(Intervention(o).label) for o in service.offers if o in Intervention.values)
        raise CaseworkError(f"{service} does not offer {Intervention(intervention).label}. It offers: {offered}.")
    if not description.strip():
        raise CaseworkError("Describe the goal.")
    goal = Goal.objects.create(
        plan=plan, need=need, description=description.strip(), intervention=intervention, created_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="casework.goal_added",
        obj=goal,
        detail={"referral_id": locked.pk, "need": need.slug, "intervention": intervention},
    )
    return goal


@transaction.atomic
def goal_progress_note_add(*, goal: Goal, actor: User, note: str, status: str | None = None) -> ProgressNote:
    locked_goal = Goal.objects.select_for_update(of=("self",)).select_related("plan__referral").get(pk=goal.pk)
    referral = _lock_case(referral=locked_goal.plan.referral, actor=actor)
    if not note.strip():
        raise CaseworkError("Write the progress note.")
    progress = ProgressNote.objects.create(goal=locked_goal, at=timezone.now(), by=actor, note=note.strip())
    if status and status != locked_goal.status:
        locked_goal.status = status
        locked_goal.full_clean(validate_unique=False, validate_constraints=False)
        locked_goal.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="casework.progress_note",
        obj=progress,
        detail={"referral_id": referral.pk, "goal_id": locked_goal.pk, "status": locked_goal.status},
    )
    return progress


# -- 4. waiting list -------------------------------------------------------------------------------


@transaction.atomic
def waiting_list_add(
    *, referral: Referral, actor: User, interim_support: str = "", check_in_every_days: int = 14
) -> WaitingListEntry:
    locked = _lock_case(referral=referral, actor=actor)
    if check_in_every_days < 1:
        raise CaseworkError("Check in at least every day or more.")
    spine.referral_place_on_waiting_list(referral=locked, actor=actor)
    assert locked.current_service is not None
    now = timezone.now()
    entry = WaitingListEntry.objects.create(
        referral=locked,
        service=locked.current_service,
        added_at=now,
        check_in_every_days=check_in_every_days,
        interim_support=interim_support,
    )
    WelfareCheckIn.objects.create(entry=entry, due_on=timezone.localdate(now) + timedelta(days=check_in_every_days))
    audit_record(
        actor=actor,
        action="casework.waiting_list_added",
        obj=entry,
        detail={"referral_id": locked.pk, "service": entry.service.slug, "every_days": check_in_every_days},
    )
    return entry


@transaction.atomic
def waiting_list_interim_support_record(
    *, entry: WaitingListEntry, actor: User, interim_support: str
) -> WaitingListEntry:
    locked = WaitingListEntry.objects.select_for_update().get(pk=entry.pk, left_at__isnull=True)
    _lock_case(referral=locked.referral, actor=actor)
    locked.interim_support = interim_support
    locked.save(update_fields=["interim_support"])
    audit_record(actor=actor, action="casework.interim_support", obj=locked, detail={"referral_id": locked.referral_id})
    return locked


@transaction.atomic
def welfare_check_in_complete(*, check_in: WelfareCheckIn, actor: User, note: str = "") -> WelfareCheckIn:
    """Record a check-in as done and schedule the next one."""
    locked = WelfareCheckIn.objects.select_for_update(of=("self",)).select_related("entry").get(pk=check_in.pk)
    _lock_case(referral=locked.entry.referral, actor=actor)
    if locked.done_at is not None:
        raise CaseworkError("That check-in has already been recorded.")
    now = timezone.now()
    locked.done_at, locked.done_by, locked.note = now, actor, note
    locked.save(update_fields=["done_at", "done_by", "note"])
    following = None
    if locked.entry.left_at is None:
        following = WelfareCheckIn.objects.create(
            entry=locked.entry, due_on=timezone.localdate(now) + timedelta(days=locked.entry.check_in_every_days)
        )
    audit_record(
        actor=actor,
        action="casework.check_in",
        obj=locked,
        detail={
            "referral_id": locked.entry.referral_id,
            "next_due": following.due_on.isoformat() if following else None,
        },
    )
    return locked


@transaction.atomic
def waiting_list_position_message_request(*, entry: WaitingListEntry, actor: User) -> WaitingListEntry:
    """Tell the person their place on the waiting list, by text or email through the messaging backend.
    Refused where no message may be sent."""
    locked = WaitingListEntry.objects.select_for_update(of=("self",)).select_related("referral").get(pk=entry.pk)
    _lock_case(referral=locked.referral, actor=actor)
    if locked.left_at is not None:
        raise CaseworkError("The person is no longer on the waiting list.")
    if not rules.safe_to_message(locked.referral):
        raise UnsafeContact("The referral says it is not safe to text or email this person.")
    from onedoor.casework.selectors import waiting_position

    row = waiting_position(referral=locked.referral)
    if row is None:
        raise CaseworkError("The person is no longer on the waiting list.")
    weeks = row.estimate.weeks
    estimate = (
        f"We expect to start your support in about {max(1, round(weeks))} week{'s' if round(weeks) > 1 else ''}."
        if weeks is not None
        else "We cannot yet say how long the wait will be."
    )
    message = case_message_queue(
        referral=locked.referral,
        kind=WAITING_LIST_POSITION,
        personalisation={"position": str(row.position), "estimate": estimate},
    )
    locked.position_message_requested_at = timezone.now()
    locked.save(update_fields=["position_message_requested_at"])
    audit_record(
        actor=actor,
        action="casework.position_message_queued",
        obj=locked,
        detail={"referral_id": locked.referral_id, "message": str(message.reference), "status": message.status},
    )
    return locked


def _leave_waiting_list(referral: Referral, moment: datetime) -> None:
    entries = WaitingListEntry.objects.filter(referral=referral, left_at__isnull=True)
    WelfareCheckIn.objects.filter(entry__in=entries, done_at__isnull=True).delete()
    entries.update(left_at=moment)


@transaction.atomic
def support_start(*, referral: Referral, actor: User) -> Referral:
    """Support has started: the person leaves the waiting list and the case is engaged."""
    locked = _lock_case(referral=referral, actor=actor, statuses=(Status.WAITING, Status.CONTACTED))
    _leave_waiting_list(locked, timezone.now())
    return spine.referral_mark_engaged(referral=locked, actor=actor)


# -- 5. measures -----------------------------------------------------------------------------------


@transaction.atomic
def measure_record(
    *,
    referral: Referral,
    actor: User,
    measure: str,
    stage: str,
    answers: Sequence[int],
    administered_on: date | None = None,
) -> MeasureRecord:
    """Score and store one administration. A risk item above 0 alerts the team lead at once."""
    locked = _lock_case(referral=referral, actor=actor)
    if stage not in MeasureStage.values:
        raise CaseworkError("Say whether this is at the start, a review or closure.")
    try:
        result = measures.score(measure, list(answers))
    except measures.MeasureError as exc:
        raise CaseworkError(str(exc)) from exc
    now = timezone.now()
    record = MeasureRecord.objects.create(
        referral=locked,
        measure=measure,
        stage=stage,
        administered_on=administered_on or timezone.localdate(now),
        answers=list(answers),
        total=result.total,
        band=result.band,
        risk_items=list(result.risk_items),
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        actor=actor,
        action="casework.measure",
        obj=record,
        detail={"referral_id": locked.pk, "measure": measure, "stage": stage, "risk": result.has_risk},
    )
    if result.has_risk:
        assert locked.current_service is not None and locked.current_service.organisation_id is not None
        alert = CaseAlert.objects.create(
            referral=locked,
            organisation_id=locked.current_service.organisation_id,
            kind=AlertKind.MEASURE_RISK,
            measure_record=record,
            created_at=now,
        )
        audit_record(actor=actor, action="casework.alert_raised", obj=alert, detail={"referral_id": locked.pk})
        from onedoor.casework.tasks import alert_team_leads

        enqueue_on_commit(alert_team_leads, alert_id=alert.pk)
    return record


@transaction.atomic
def alert_acknowledge(*, alert: CaseAlert, actor: User) -> CaseAlert:
    locked = CaseAlert.objects.select_for_update().get(pk=alert.pk)
    if actor.role != Role.TEAM_LEAD or actor.organisation_id != locked.organisation_id:
        raise PermissionDenied("Only a team lead of the organisation can acknowledge this alert.")
    if locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by = timezone.now(), actor
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=actor, action="casework.alert_acknowledged", obj=locked)
    return locked


# -- 6. joint working, onward referral, transition -------------------------------------------------


@transaction.atomic
def joint_working_start(
    *, referral: Referral, actor: User, partner_service: Service, consent_to_share: bool
) -> JointWorking:
    locked = _lock_case(referral=referral, actor=actor)
    if not partner_service.is_commissioned or partner_service.pk == locked.current_service_id:
        raise CaseworkError("Choose another commissioned service to work jointly with.")
    joint = JointWorking.objects.create(
        referral=locked,
        partner_service=partner_service,
        consent_to_share=consent_to_share,
        started_at=timezone.now(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="casework.joint_working_started",
        obj=joint,
        detail={"referral_id": locked.pk, "partner": partner_service.slug, "consent": consent_to_share},
    )
    return joint


@transaction.atomic
def joint_working_end(*, joint: JointWorking, actor: User) -> JointWorking:
    locked = JointWorking.objects.select_for_update().get(pk=joint.pk)
    _lock_case(referral=locked.referral, actor=actor, statuses=Status.values)
    if locked.ended_at is None:
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        audit_record(actor=actor, action="casework.joint_working_ended", obj=locked)
    return locked


def _table_to(service: Service, reason: str) -> RoutingTable:
    """A routing table of one rule sending the referral to `service`, so that an onward referral is made
    through the standard spine (referral_create) to the service the caseworker chose."""
    base = RoutingTable.load()
    rule = CompiledRule(
        key=f"onward-to-{service.slug}",
        precedence=Precedence.GENERAL,
        order=0,
        outcome=RuleOutcome.REFER,
        service=service.slug,
        signpost=(),
        reason=reason,
        note="",
    )
    return RoutingTable(
        rules=(rule,),
        offence_groups=base.offence_groups,
        flags=base.flags,
        districts=base.districts,
        needs=base.needs,
        service_names={service.slug: str(service)},
    )


def _details_from(referral: Referral, today: date) -> spine.ReferralDetails:
    age = spine.age_on(referral.date_of_birth, today) if referral.date_of_birth else referral.age_at_referral
    return spine.ReferralDetails(
        first_name=referral.first_name,
        last_name=referral.last_name,
        date_of_birth=referral.date_of_birth,
        age=age,
        preferred_language=referral.preferred_language,
        interpreter_needed=referral.interpreter_needed,
        communication_needs=referral.communication_needs,
        demographics={
            "ethnicity": referral.ethnicity,
            "sex": referral.sex,
            "gender_identity": referral.gender_identity,
            "sexual_orientation": referral.sexual_orientation,
            "disability": referral.disability,
            "religion": referral.religion,
        },
        phone=referral.phone,
        email=referral.email,
        safe_to_call=referral.safe_to_call,
        safe_to_text=referral.safe_to_text,
        safe_to_email=referral.safe_to_email,
        safe_to_leave_voicemail=referral.safe_to_leave_voicemail,
        best_times=referral.best_times,
        phone_is_own=referral.phone_is_own,
        district=referral.district,
        postcode=referral.postcode,
        reported_to_police=referral.reported_to_police,
        crime_reference=referral.crime_reference,
        offence_group=referral.offence_group,
        flags=list(referral.flags.all()),
        needs=list(referral.needs.all()),
        reason=referral.reason,
        risks_to_person=referral.risks_to_person,
        risks_to_staff=referral.risks_to_staff,
        urgent=referral.urgent,
        risk_to_life=referral.risk_to_life,
        consent_given=referral.consent_given,
        consent_given_by=referral.consent_given_by,
        consent_given_on=referral.consent_given_on,
        lawful_basis=referral.lawful_basis,
        lawful_basis_note=referral.lawful_basis_note,
    )


def _onward(
    *, locked: Referral, actor: User, to_service: Service, kind: str, reason: str, **extra: object
) -> OnwardReferral:
    if not to_service.is_commissioned or not to_service.active or to_service.pk == locked.current_service_id:
        raise CaseworkError("Choose another active commissioned service.")
    assert locked.current_service is not None
    outcome = spine.referral_create(
        details=_details_from(locked, timezone.localdate()),
        source="professional",
        referrer=actor,
        table=_table_to(to_service, reason),
    )
    assert outcome.referral is not None
    onward = OnwardReferral.objects.create(
        from_referral=locked,
        to_service=to_service,
        to_referral=outcome.referral,
        kind=kind,
        created_at=timezone.now(),
        created_by=actor,
        **extra,
    )
    audit_record(
        actor=actor,
        action=f"casework.onward_{kind}",
        obj=onward,
        detail={"referral_id": locked.pk, "to_referral_id": outcome.referral.pk, "to_service": to_service.slug},
    )
    return onward


@transaction.atomic
def onward_referral_make(*, referral: Referral, actor: User, to_service: Service) -> OnwardReferral:
    """Refer on to another commissioned service: a new referral in its queue, linked to this one."""
    locked = _lock_case(referral=referral, actor=actor)
    return _onward(
        locked=locked,
        actor=actor,
        to_service=to_service,
        kind=OnwardKind.COMMISSIONED,
        reason=f"Onward referral from {locked.current_service}.",
    )


@transaction.atomic
def onward_referral_external(
    *, referral: Referral, actor: User, to_service: Service, outcome: str = ""
) -> OnwardReferral:
    """Record a referral to a service outside OneDoor, from the directory, with its outcome if known."""
    locked = _lock_case(referral=referral, actor=actor)
    if to_service.kind != ServiceKind.SIGNPOST:
        raise CaseworkError("Refer to a commissioned service through OneDoor instead.")
    onward = OnwardReferral.objects.create(
        from_referral=locked,
        to_service=to_service,
        kind=OnwardKind.EXTERNAL,
        outcome=outcome,
        created_at=timezone.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="casework.onward_external",
        obj=onward,
        detail={"referral_id": locked.pk, "to_service": to_service.slug},
    )
    return onward


@transaction.atomic
def transition_start(
    *, referral: Referral, actor: User, to_service: Service, handover_meeting_on: date, plan: str
) -> OnwardReferral:
    """Young people's to adults' service (any child service to an adult one): a linked
    referral to the adult service, a transition plan and a handover meeting. Both services see the case
    until the handover window ends."""
    locked = _lock_case(referral=referral, actor=actor)
    if not plan.strip():
        raise CaseworkError("Write the transition plan.")
    assert locked.current_service is not None
    if locked.current_service.max_age is None:
        raise CaseworkError("A transition is from a young people's service: refer on instead.")
    if to_service.min_age is None or to_service.min_age < rules.ADULT_AGE:
        raise CaseworkError("A transition is to an adults' service.")
    if handover_meeting_on < timezone.localdate():
        raise CaseworkError("The handover meeting must be today or later.")
    return _onward(
        locked=locked,
        actor=actor,
        to_service=to_service,
        kind=OnwardKind.TRANSITION,
        reason=f"Transition from {locked.current_service} to {to_service}: handover meeting on "
        f"{handover_meeting_on:%d %B %Y}.",
        handover_meeting_on=handover_meeting_on,
        handover_ends_on=handover_meeting_on + timedelta(days=rules.HANDOVER_WINDOW_DAYS),
        transition_plan=plan.strip(),
    )


# -- 7. modern slavery -----------------------------------------------------------------------------


@transaction.atomic
def modern_slavery_record(
    *,
    referral: Referral,
    actor: User,
    first_responder: str,
    submitted_on: date,
    adult_consents: bool | None = None,
) -> ModernSlaveryReferral:
    """A child always goes into the NRM, and consent is not asked (`adult_consents` must be None). An
    adult goes into the NRM with consent; without it, the anonymous MS1 duty to notify."""
    locked = _lock_case(referral=referral, actor=actor)
    if not first_responder.strip():
        raise CaseworkError("Name the first responder organisation.")
    age = locked.age_at_referral
    if age is None:
        raise CaseworkError("Record the person's age first: the pathway depends on it.")
    is_child = age < rules.ADULT_AGE
    if is_child:
        if adult_consents is not None:
            raise CaseworkError("A child is always referred into the NRM: consent is not asked.")
        path, consent = SlaveryPath.NRM, None
    else:
        if adult_consents is None:
            raise CaseworkError("Ask the adult whether they consent to an NRM referral.")
        path, consent = (SlaveryPath.NRM, True) if adult_consents else (SlaveryPath.MS1, False)
    record = ModernSlaveryReferral.objects.create(
        referral=locked,
        path=path,
        is_child=is_child,
        consent=consent,
        first_responder=first_responder.strip(),
        submitted_on=submitted_on,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=f"casework.modern_slavery_{path}",
        obj=record,
        detail={"referral_id": locked.pk, "child": is_child},
    )
    return record


@transaction.atomic
def modern_slavery_decision_record(
    *, record: ModernSlaveryReferral, actor: User, stage: str, decision: str, decided_on: date
) -> ModernSlaveryReferral:
    """A reasonable-grounds or conclusive-grounds decision, with its date."""
    locked = ModernSlaveryReferral.objects.select_for_update().get(pk=record.pk)
    _lock_case(referral=locked.referral, actor=actor, statuses=Status.values)
    if locked.path != SlaveryPath.NRM:
        raise CaseworkError("Only an NRM referral gets grounds decisions.")
    if decision not in (GroundsDecision.POSITIVE, GroundsDecision.NEGATIVE):
        raise CaseworkError("The decision is positive or negative.")
    if stage == "reasonable":
        locked.reasonable_grounds, locked.reasonable_grounds_on = decision, decided_on
    elif stage == "conclusive":
        if locked.reasonable_grounds != GroundsDecision.POSITIVE:
            raise CaseworkError("A conclusive-grounds decision follows a positive reasonable-grounds decision.")
        locked.conclusive_grounds, locked.conclusive_grounds_on = decision, decided_on
    else:
        raise CaseworkError("The stage is reasonable or conclusive grounds.")
    locked.save()
    audit_record(
        actor=actor,
        action=f"casework.modern_slavery_{stage}_grounds",
        obj=locked,
        detail={"decision": decision, "on": decided_on.isoformat()},
    )
    return locked


# -- 8. closure ------------------------------------------------------------------------------------


def _send_feedback_link(referral: Referral) -> Message | None:
    """A single-use link to the anonymous feedback form. The link records the service only, never the
    person or the case, so feedback cannot be traced back to them."""
    if not rules.safe_to_message(referral):
        return None
    link = feedback_link_issue(service=referral.current_service)
    url = settings.ONEDOOR_PUBLIC_URL.rstrip("/") + reverse("directory:feedback_link", args=[link.token])
    return case_message_queue(referral=referral, kind=FEEDBACK_LINK, personalisation={"feedback_url": url})


@transaction.atomic
def case_close(
    *,
    referral: Referral,
    actor: User,
    reason: str,
    better_able_to_cope: str,
    needs_improved: Iterable[NeedCategory] = (),
    referrer_note: str = "",
) -> ClosureOutcome:
    """Close with a reason and outcome measures. The final measure scores are kept with the closure; a
    single-use feedback link is created, to be sent where it is safe to message the person."""
    locked = _lock_case(referral=referral, actor=actor, statuses=(*CASE_STATUSES, Status.NOT_ENGAGED))
    if reason not in CloseReason.values:
        raise CaseworkError("Choose why the case is closing.")
    if better_able_to_cope not in Coped.values:
        raise CaseworkError("Say whether the person felt better able to cope and recover, or that it was not asked.")
    now = timezone.now()
    final: dict[str, dict[str, object]] = {}
    for m in MeasureRecord.objects.filter(referral=locked).order_by("administered_on", "id"):
        final[m.measure] = {"total": m.total, "band": m.band, "stage": m.stage, "on": m.administered_on.isoformat()}
    closure = ClosureOutcome.objects.create(
        referral=locked,
        closed_at=now,
        closed_by=actor,
        reason=reason,
        better_able_to_cope=better_able_to_cope,
        final_scores=final,
    )
    closure.needs_improved.set(list(needs_improved))
    _leave_waiting_list(locked, now)
    spine.referral_close(
        referral=locked,
        actor=actor,
        reason_code=reason,
        referrer_note=referrer_note or "Support has ended.",
    )
    feedback_message = _send_feedback_link(locked)
    audit_record(
        actor=actor,
        action="casework.closed",
        obj=closure,
        detail={
            "referral_id": locked.pk,
            "reason": reason,
            "coped": better_able_to_cope,
            "feedback_message": str(feedback_message.reference) if feedback_message else None,
        },
    )
    return closure


@transaction.atomic
def case_reopen(*, referral: Referral, actor: User, reason: str) -> Referral:
    """Re-open a closed case within three months of closing, with a reason."""
    locked = _lock_case(referral=referral, actor=actor, statuses=(Status.CLOSED,))
    if not reason.strip():
        raise CaseworkError("Give the reason for re-opening.")
    closure = ClosureOutcome.objects.select_for_update().filter(referral=locked, reopened_at__isnull=True).last()
    closed_on = timezone.localdate(closure.closed_at) if closure else locked.updated_at.date()
    if timezone.localdate() > rules.add_months(closed_on, rules.REOPEN_WITHIN_MONTHS):
        raise CaseworkError("A case can be re-opened only within three months of closing: make a new referral.")
    if closure is not None:
        closure.reopened_at, closure.reopen_reason = timezone.now(), reason.strip()
        closure.save(update_fields=["reopened_at", "reopen_reason"])
    return spine.referral_reopen(referral=locked, actor=actor, reason=reason.strip())


# -- 9. practitioners ------------------------------------------------------------------------------


@transaction.atomic
def practitioner_session_record(*, practitioner: User, actor: User, kind: str, on: date) -> PractitionerSession:
    """Clinical supervision or CPD: the date and type only."""
    if kind not in SessionKind.values:
        raise CaseworkError("Choose supervision or CPD.")
    same_org = practitioner.organisation_id is not None and practitioner.organisation_id == actor.organisation_id
    if not (practitioner.is_provider_staff and same_org and (actor == practitioner or actor.role == Role.TEAM_LEAD)):
        raise PermissionDenied("Record sessions for yourself, or as team lead for your team.")
    if on > timezone.localdate():
        raise CaseworkError("The session date cannot be in the future.")
    row = PractitionerSession.objects.create(practitioner=practitioner, kind=kind, on=on, recorded_by=actor)
    audit_record(actor=actor, action="casework.practitioner_session", obj=row, detail={"kind": kind})
    return row
