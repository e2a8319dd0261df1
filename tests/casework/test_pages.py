"""Every casework page renders for a case with everything recorded, and its forms go through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

import pytest
from django import forms
from django.urls import reverse

from onedoor.accounts.models import User
from onedoor.casework import services
from onedoor.casework.models import CaseAlert, JointWorking, PractitionerSession, WelfareCheckIn
from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service
from onedoor.referrals.models import Referral, Status
from tests.casework.conftest import all_needs


@pytest.fixture
def rich_case(accepted_case: Callable[..., Referral], caseworker: User) -> Referral:
    case = accepted_case(age=30)
    services.waiting_list_add(referral=case, actor=caseworker, interim_support="Online resources")
    services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    services.assessment_record(
        referral=case,
        actor=caseworker,
        ratings=all_needs("low"),
        risk_to_self="low",
        risk_from_others="low",
        risk_to_others="none",
        safeguarding_concern=True,
        safeguarding_referred_to="adult_social_care",
    )
    services.support_plan_save(referral=case, actor=caseworker, headline="Plan", review_on=date.today())
    services.goal_add(
        referral=case,
        actor=caseworker,
        need=NeedCategory.objects.get(slug="finance-benefits"),
        description="Claim compensation",
        intervention="advocacy",
    )
    for stage, answers in (("start", [3, 0, 0, 3, 3, 1, 3, 3, 3, 3]), ("review", [1, 4, 4, 1, 1, 0, 1, 1, 1, 1])):
        services.measure_record(referral=case, actor=caseworker, measure="core10", stage=stage, answers=answers)
    services.joint_working_start(
        referral=case, actor=caseworker, partner_service=Service.objects.get(slug="rosa"), consent_to_share=True
    )
    services.onward_referral_external(
        referral=case, actor=caseworker, to_service=Service.objects.get(slug="sarc"), outcome="Seen"
    )
    services.modern_slavery_record(
        referral=case,
        actor=caseworker,
        first_responder="Warwickshire Police",
        submitted_on=date.today(),
        adult_consents=True,
    )
    return case


CASE_PAGES = [
    "case",
    "contact",
    "assessment",
    "plan",
    "goal_add",
    "waiting_add",
    "interim_support",
    "joint",
    "onward",
    "onward_external",
    "transition",
    "slavery",
    "close",
]


@pytest.mark.parametrize("name", CASE_PAGES)
def test_case_pages_render(
    name: str, rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    response = signed_in_client(caseworker).get(reverse(f"casework:{name}", args=[rich_case.reference]))
    assert response.status_code == 200


def test_case_page_shows_everything(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    text = signed_in_client(caseworker).get(reverse("casework:case", args=[rich_case.reference])).content.decode()
    for shown in (
        "Position <strong>1</strong>",
        "Online resources",
        "Adult social care",
        "Claim compensation",
        "CORE-10 scores",
        "reliable improvement",
        "Risk item",
        "they see the shared summary",
        "Seen",
        "National Referral Mechanism",
        "never a diagnosis",
    ):
        assert shown in text, shown


@pytest.mark.parametrize("code", ["phq9", "gad7", "core10"])
def test_measure_pages(
    code: str, rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    client = signed_in_client(caseworker)
    url = reverse("casework:measure", args=[rich_case.reference, code])
    assert client.get(url).status_code == 200
    n = {"phq9": 9, "gad7": 7, "core10": 10}[code]
    response = client.post(url, {"stage": "review", **{f"item_{i}": "1" for i in range(1, n + 1)}})
    assert response.status_code == 302
    assert rich_case.measures.filter(measure=code, stage="review").exists()
    assert client.get(reverse("casework:measure", args=[rich_case.reference, "bdi"])).status_code == 404


def test_goal_note_and_check_in_pages(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    client = signed_in_client(caseworker)
    goal = rich_case.support_plan.goals.get()
    url = reverse("casework:goal_note", args=[rich_case.reference, goal.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"note": "Form sent", "status": "open"}).status_code == 302
    check_in = WelfareCheckIn.objects.get(entry__referral=rich_case, done_at__isnull=True)
    url = reverse("casework:check_in", args=[rich_case.reference, check_in.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"note": "Fine"}).status_code == 302


def test_joint_working_can_be_ended(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    joint = JointWorking.objects.get(referral=rich_case)
    response = signed_in_client(caseworker).post(reverse("casework:joint_end", args=[rich_case.reference, joint.pk]))
    assert response.status_code == 302
    joint.refresh_from_db()
    assert joint.ended_at is not None


def test_close_and_reopen_through_the_pages(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    client = signed_in_client(caseworker)
    response = client.post(
        reverse("casework:close", args=[rich_case.reference]),
        {"reason": "support_completed", "better_able_to_cope": "partly", "needs_improved": []},
    )
    assert response.status_code == 302
    rich_case.refresh_from_db()
    assert rich_case.status == Status.CLOSED
    assert client.post(reverse("casework:reopen", args=[rich_case.reference]), {"reason": ""}).status_code == 400
    assert (
        client.post(reverse("casework:reopen", args=[rich_case.reference]), {"reason": "New incident"}).status_code
        == 302
    )
    rich_case.refresh_from_db()
    assert rich_case.status == Status.ACCEPTED


def test_transition_refused_from_a_general_service_case_to_a_non_adult_service(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    response = signed_in_client(caseworker).post(
        reverse("casework:transition", args=[rich_case.reference]),
        {
            "to_service": Service.objects.get(slug="cgl").pk,
            "handover_meeting_on": (date.today() - timedelta(days=1)).isoformat(),
            "plan": "Handover",
        },
    )
    assert response.status_code == 400
    assert "from a young people&#x27;s service" in response.content.decode()


def test_team_lead_pages(
    rich_case: Referral, caseworker: User, team_lead: User, signed_in_client: Callable[[User], Any]
) -> None:
    client = signed_in_client(team_lead)
    assert client.get(reverse("casework:team")).status_code == 200
    alerts = client.get(reverse("casework:alerts")).content.decode()
    assert rich_case.reference in alerts
    alert = CaseAlert.objects.get(referral=rich_case)
    assert client.post(reverse("casework:alert_acknowledge", args=[alert.pk])).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == team_lead
    assert client.get(reverse("casework:waiting_list", args=["victim-support"])).status_code == 200
    response = client.post(
        reverse("casework:sessions"), {"practitioner": caseworker.pk, "kind": "supervision", "on": "2026-01-15"}
    )
    assert response.status_code == 302
    assert PractitionerSession.objects.get(practitioner=caseworker).kind == "supervision"


def test_caseworkers_cannot_use_team_lead_pages(caseworker: User, signed_in_client: Callable[[User], Any]) -> None:
    client = signed_in_client(caseworker)
    assert client.get(reverse("casework:team")).status_code == 404
    assert client.get(reverse("casework:alerts")).status_code == 404
    # and can record sessions only for themselves
    page = client.get(reverse("casework:sessions")).content.decode()
    assert page.count("<option") == 1


def test_form_pages_that_show_the_case_are_audited(
    rich_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    from onedoor.core.models import AuditEvent

    signed_in_client(caseworker).get(reverse("casework:contact", args=[rich_case.reference]))
    assert AuditEvent.objects.filter(action="referral.viewed.contact", object_id=str(rich_case.pk)).exists()


def test_unable_to_contact_button_refuses_until_the_window_has_passed(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    for _ in range(3):
        services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="no_answer")
    client = signed_in_client(caseworker)
    page = client.get(reverse("casework:case", args=[case.reference])).content.decode()
    assert "Close as unable to contact" in page
    response = client.post(reverse("casework:unable_to_contact", args=[case.reference]), follow=True)
    assert "Not yet" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.CONTACT_ATTEMPTED


def test_supervision_and_cpd_counts_for_quarterly_returns(caseworker: User, team_lead: User) -> None:
    from onedoor.casework.selectors import practitioner_session_counts

    for on, kind in ((date(2026, 1, 5), "supervision"), (date(2026, 2, 5), "supervision"), (date(2026, 3, 31), "cpd")):
        services.practitioner_session_record(practitioner=caseworker, actor=team_lead, kind=kind, on=on)
    services.practitioner_session_record(practitioner=caseworker, actor=team_lead, kind="cpd", on=date(2026, 4, 1))
    assert caseworker.organisation_id is not None
    counts = practitioner_session_counts(
        organisation_id=caseworker.organisation_id, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert counts == {"supervision": 2, "cpd": 1}


def test_the_goal_form_offers_only_the_services_interventions() -> None:
    from onedoor.casework.forms import GoalForm

    offered = [c[0] for c in _choices(GoalForm(offers=["practical_help", "advocacy"]).fields["intervention"])]
    assert offered == ["practical_help", "advocacy"]
    assert len(_choices(GoalForm().fields["intervention"])) == 9


def _choices(field: forms.Field) -> list[tuple[str, str]]:
    assert isinstance(field, forms.ChoiceField)
    # django-stubs types the `choices` getter with what the setter accepts; Django has already normalised them
    # to a list of (value, label) pairs.
    return cast(list[tuple[str, str]], field.choices)
