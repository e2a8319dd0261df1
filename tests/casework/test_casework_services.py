from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Role, User
from onedoor.casework import services
from onedoor.casework.models import Assessment, CaseAlert, SlaveryPath, WelfareCheckIn
from onedoor.casework.selectors import due_for, latest_assessment, measure_series, team_view, waiting_position
from onedoor.core.models import AuditEvent, NeedCategory
from onedoor.messaging.models import Message
from onedoor.messaging.safety import quiet_hours_end
from onedoor.referrals.models import Referral, Status
from onedoor.referrals.selectors import referrer_timeline
from tests.casework.conftest import all_needs


def contact(case: Referral, actor: User) -> None:
    services.contact_attempt_record(referral=case, actor=actor, channel="phone", outcome="reached")


# -- assessment ------------------------------------------------------------------------------------


def test_assessment_keeps_history_and_works_out_enhanced_rights(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case(age=16, offence="violence-with-injury")
    needs = all_needs()
    needs["mental-physical-health"] = ("high", "Not sleeping")
    first = services.assessment_record(
        referral=case,
        actor=caseworker,
        ratings=needs,
        risk_to_self="low",
        risk_from_others="medium",
        risk_to_others="none",
        safeguarding_concern=True,
        safeguarding_referred_to="mash",
    )
    assert first.enhanced_rights and first.enhanced_rights_suggested
    assert "Vulnerable victim: under 18" in first.enhanced_rights_basis
    second = services.assessment_record(
        referral=case,
        actor=caseworker,
        ratings=all_needs("low"),
        risk_to_self="none",
        risk_from_others="low",
        risk_to_others="none",
        enhanced_rights=False,  # the caseworker's judgement overrides the suggestion
    )
    assert Assessment.objects.filter(referral=case).count() == 2
    latest = latest_assessment(referral=case)
    assert latest == second
    assert latest is not None and not latest.enhanced_rights and latest.enhanced_rights_suggested
    first.refresh_from_db()
    assert first.ratings.get(need__slug="mental-physical-health").level == "high"
    assert AuditEvent.objects.filter(action="casework.assessment").count() == 2


def test_assessment_needs_all_eight_needs(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    partial = dict(list(all_needs().items())[:7])
    with pytest.raises(services.CaseworkError, match="eight needs"):
        services.assessment_record(
            referral=case,
            actor=caseworker,
            ratings=partial,
            risk_to_self="none",
            risk_from_others="none",
            risk_to_others="none",
        )


def test_safeguarding_referral_needs_a_concern(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    with pytest.raises(services.CaseworkError, match="safeguarding concern"):
        services.assessment_record(
            referral=accepted_case(),
            actor=caseworker,
            ratings=all_needs(),
            risk_to_self="none",
            risk_from_others="none",
            risk_to_others="none",
            safeguarding_referred_to="adult_social_care",
        )


# -- plan ------------------------------------------------------------------------------------------


def test_plan_with_goals_and_progress_notes(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    any_need = NeedCategory.objects.first()
    assert any_need is not None
    with pytest.raises(services.CaseworkError):
        services.goal_add(
            referral=case,
            actor=caseworker,
            need=any_need,
            description="x",
            intervention="advocacy",
        )
    plan = services.support_plan_save(
        referral=case, actor=caseworker, headline="Feel safe at home", review_on=date.today() + timedelta(days=28)
    )
    goal = services.goal_add(
        referral=case,
        actor=caseworker,
        need=NeedCategory.objects.get(slug="shelter-accommodation"),
        description="Locks fitted",
        intervention="practical_help",
    )
    with pytest.raises(services.CaseworkError, match="Victim Support does not offer ISVA or ChISVA"):
        services.goal_add(
            referral=case,
            actor=caseworker,
            need=NeedCategory.objects.get(slug="mental-physical-health"),
            description="Advocate at court",
            intervention="isva",  # RoSA's offer, not Victim Support's
        )
    services.goal_progress_note_add(goal=goal, actor=caseworker, note="Locksmith booked")
    services.goal_progress_note_add(goal=goal, actor=caseworker, note="Locks fitted", status="achieved")
    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert goal.progress_notes.count() == 2
    assert plan.goals.count() == 1


# -- waiting list ----------------------------------------------------------------------------------


def test_waiting_list_position_estimate_and_fortnightly_check_ins(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    first, second = accepted_case(), accepted_case()
    e1 = services.waiting_list_add(referral=first, actor=caseworker, interim_support="Self-help booklet")
    services.waiting_list_add(referral=second, actor=caseworker)
    first.refresh_from_db()
    assert first.status == Status.WAITING
    check_in = WelfareCheckIn.objects.get(entry=e1)
    assert check_in.due_on == timezone.localdate() + timedelta(days=14)
    row = waiting_position(referral=second)
    assert row is not None and row.position == 2
    assert row.estimate.weeks is None  # nobody has left the list yet: no estimate
    services.welfare_check_in_complete(check_in=check_in, actor=caseworker, note="Doing OK")
    assert WelfareCheckIn.objects.filter(entry=e1, done_at__isnull=True).count() == 1
    services.contact_attempt_record(referral=first, actor=caseworker, channel="phone", outcome="reached")
    services.support_start(referral=first, actor=caseworker)
    row = waiting_position(referral=second)
    assert row is not None and row.position == 1
    assert row.estimate.weeks is not None and row.estimate.weekly_throughput > 0


def test_check_ins_are_due_tasks(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    services.waiting_list_add(referral=case, actor=caseworker)
    later = timezone.localdate() + timedelta(days=14)
    kinds = {i.kind for i in due_for(user=caseworker, today=later)}
    assert "Welfare check-in" in kinds


def test_position_message_refused_when_unsafe(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    entry = services.waiting_list_add(referral=accepted_case(safe_to_text=False), actor=caseworker)
    with pytest.raises(services.UnsafeContact):
        services.waiting_list_position_message_request(entry=entry, actor=caseworker)
    assert not Message.objects.exists()
    safe = services.waiting_list_add(referral=accepted_case(), actor=caseworker)
    assert services.waiting_list_position_message_request(entry=safe, actor=caseworker).position_message_requested_at
    message = Message.objects.get(kind="waiting-list-position")
    assert message.channel == "sms" and message.personalisation["position"] == "2"
    assert message.template is not None and "((position))" in message.template.body


# -- measures and alerts ---------------------------------------------------------------------------


def test_phq9_item_9_alerts_the_team_lead(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    team_lead: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    case = accepted_case()
    contact(case, caseworker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.measure_record(
            referral=case, actor=caseworker, measure="phq9", stage="start", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1]
        )
    assert record.total == 9 and record.risk_items == [9]
    alert = CaseAlert.objects.get(referral=case)
    assert alert.organisation_id == team_lead.organisation_id
    assert [m.to for m in mail.outbox if "alert" in m.subject] == [[team_lead.email]]
    body = mail.outbox[-1].body
    assert case.first_name not in body and case.phone not in body
    services.alert_acknowledge(alert=alert, actor=team_lead)
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(alert=alert, actor=caseworker)


def test_phq9_without_item_9_raises_no_alert(
    accepted_case: Callable[..., Referral], caseworker: User, team_lead: User
) -> None:
    case = accepted_case()
    services.measure_record(referral=case, actor=caseworker, measure="phq9", stage="start", answers=[3] * 8 + [0])
    assert not CaseAlert.objects.exists()


def test_core10_item_6_alerts(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    services.measure_record(
        referral=case, actor=caseworker, measure="core10", stage="start", answers=[0, 4, 4, 0, 0, 1, 0, 0, 0, 0]
    )
    assert CaseAlert.objects.filter(referral=case).count() == 1


def test_reliable_improvement_between_first_and_last(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    services.measure_record(referral=case, actor=caseworker, measure="phq9", stage="start", answers=[2] * 8 + [0])
    services.measure_record(referral=case, actor=caseworker, measure="phq9", stage="closure", answers=[1] * 8 + [0])
    (series,) = measure_series(referral=case)
    assert series.change is not None
    assert (series.change.first, series.change.last) == (16, 8)
    assert series.change.reliable_improvement and series.change.reliable_recovery


# -- modern slavery --------------------------------------------------------------------------------


def test_child_always_gets_nrm_without_consent_being_asked(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case(age=15)
    with pytest.raises(services.CaseworkError, match="consent is not asked"):
        services.modern_slavery_record(
            referral=case,
            actor=caseworker,
            first_responder="Warwickshire Police",
            submitted_on=date.today(),
            adult_consents=False,
        )
    record = services.modern_slavery_record(
        referral=case, actor=caseworker, first_responder="Warwickshire Police", submitted_on=date.today()
    )
    assert record.path == SlaveryPath.NRM and record.is_child and record.consent is None
    assert record.first_responder == "Warwickshire Police"


def test_adult_without_consent_gets_ms1_and_with_consent_nrm(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case(age=30)
    with pytest.raises(services.CaseworkError, match="consent"):
        services.modern_slavery_record(
            referral=case, actor=caseworker, first_responder="Warwickshire Police", submitted_on=date.today()
        )
    ms1 = services.modern_slavery_record(
        referral=case,
        actor=caseworker,
        first_responder="Warwickshire Police",
        submitted_on=date.today(),
        adult_consents=False,
    )
    assert ms1.path == SlaveryPath.MS1 and ms1.consent is False
    with pytest.raises(services.CaseworkError):
        services.modern_slavery_decision_record(
            record=ms1, actor=caseworker, stage="reasonable", decision="positive", decided_on=date.today()
        )
    nrm = services.modern_slavery_record(
        referral=case,
        actor=caseworker,
        first_responder="Warwickshire County Council",
        submitted_on=date.today(),
        adult_consents=True,
    )
    assert nrm.path == SlaveryPath.NRM
    with pytest.raises(services.CaseworkError, match="follows a positive"):
        services.modern_slavery_decision_record(
            record=nrm, actor=caseworker, stage="conclusive", decision="positive", decided_on=date.today()
        )
    services.modern_slavery_decision_record(
        record=nrm, actor=caseworker, stage="reasonable", decision="positive", decided_on=date.today()
    )
    done = services.modern_slavery_decision_record(
        record=nrm, actor=caseworker, stage="conclusive", decision="positive", decided_on=date.today()
    )
    assert done.reasonable_grounds_on == done.conclusive_grounds_on == date.today()


# -- closure ---------------------------------------------------------------------------------------


def test_close_records_outcome_and_referrer_sees_closed(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case()
    contact(case, caseworker)
    services.measure_record(referral=case, actor=caseworker, measure="gad7", stage="start", answers=[2] * 7)
    services.measure_record(referral=case, actor=caseworker, measure="gad7", stage="closure", answers=[1] * 7)
    closure = services.case_close(
        referral=case,
        actor=caseworker,
        reason="support_completed",
        better_able_to_cope="yes",
        needs_improved=NeedCategory.objects.filter(slug="outlook-attitudes"),
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert closure.final_scores["gad7"]["total"] == 7
    assert list(closure.needs_improved.values_list("slug", flat=True)) == ["outlook-attitudes"]
    assert list(referrer_timeline(referral=case))[-1].to_status == Status.CLOSED
    message = Message.objects.get(kind="feedback-link")
    assert (message.channel, message.to, message.status) == ("sms", case.phone, "queued")
    assert message.send_after == quiet_hours_end(message.created_at)  # no texts between 21:00 and 08:00
    assert case.first_name not in str(message.personalisation)


def test_the_feedback_link_works_once_and_never_names_the_person(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    from onedoor.directory.models import Feedback, FeedbackLink
    from onedoor.public.services import FeedbackLinkUsed, feedback_create

    case = accepted_case()
    services.case_close(referral=case, actor=caseworker, reason="person_ended", better_able_to_cope="not_asked")
    url = Message.objects.get(kind="feedback-link").personalisation["feedback_url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    link = FeedbackLink.objects.get(token=token)
    assert link.service == case.current_service and link.used_at is None
    feedback = feedback_create(satisfaction=4, could_be_better="", wants_contact=False, link_token=token)
    assert feedback.service == case.current_service
    with pytest.raises(FeedbackLinkUsed):
        feedback_create(satisfaction=1, could_be_better="", wants_contact=False, link_token=token)
    row = str(Feedback.objects.filter(pk=feedback.pk).values().get())
    assert case.reference not in row and case.first_name not in row and case.phone not in row


def test_no_feedback_link_is_sent_where_unsafe(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    from onedoor.directory.models import FeedbackLink

    case = accepted_case(safe_to_text=False, safe_to_email=False)
    services.case_close(referral=case, actor=caseworker, reason="person_ended", better_able_to_cope="no")
    assert not Message.objects.filter(kind="feedback-link").exists()
    assert not FeedbackLink.objects.exists()


def test_reopen_within_three_months_only(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    closure = services.case_close(referral=case, actor=caseworker, reason="moved_away", better_able_to_cope="partly")
    with pytest.raises(services.CaseworkError, match="reason"):
        services.case_reopen(referral=case, actor=caseworker, reason=" ")
    reopened = services.case_reopen(referral=case, actor=caseworker, reason="Asked for help again")
    assert reopened.status == Status.ACCEPTED
    closure.refresh_from_db()
    assert closure.reopened_at is not None
    services.case_close(referral=case, actor=caseworker, reason="moved_away", better_able_to_cope="partly")
    from onedoor.casework.models import ClosureOutcome

    ClosureOutcome.objects.filter(referral=case, reopened_at__isnull=True).update(
        closed_at=timezone.now() - timedelta(days=95)
    )
    with pytest.raises(services.CaseworkError, match="three months"):
        services.case_reopen(referral=case, actor=caseworker, reason="Again")


# -- practitioners and team view -------------------------------------------------------------------


def test_supervision_and_cpd_counts_in_team_view(
    accepted_case: Callable[..., Referral], caseworker: User, team_lead: User, make_user: Callable[..., User]
) -> None:
    accepted_case()
    services.practitioner_session_record(practitioner=caseworker, actor=team_lead, kind="supervision", on=date.today())
    services.practitioner_session_record(practitioner=caseworker, actor=caseworker, kind="cpd", on=date.today())
    other = make_user(Role.CASEWORKER, org="victim-support")
    with pytest.raises(PermissionDenied):
        services.practitioner_session_record(practitioner=other, actor=caseworker, kind="cpd", on=date.today())
    rows = {r.user.pk: r for r in team_view(user=team_lead, today=date.today())}
    assert rows[caseworker.pk].open_cases == 1
    assert rows[caseworker.pk].sessions == {"supervision": 1, "cpd": 1}


def test_feedback_link_goes_by_email_where_texting_is_unsafe(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    by_email = accepted_case(safe_to_text=False, safe_to_email=True, email="person@example.org")
    services.case_close(referral=by_email, actor=caseworker, reason="support_completed", better_able_to_cope="yes")
    message = Message.objects.get(kind="feedback-link")
    assert (message.channel, message.to, message.send_after) == ("email", "person@example.org", None)
    assert message.template is not None and message.template.subject
