"""A closed case offers only re-open, on the page and in the services; the goal form's errors name fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from onedoor.accounts.models import User
from onedoor.casework import services
from onedoor.casework.models import Goal, MeasureRecord
from onedoor.core.models import NeedCategory
from onedoor.referrals.models import Referral
from tests.casework.conftest import all_needs


@pytest.fixture
def closed_case(accepted_case: Callable[..., Referral], caseworker: User) -> Referral:
    case = accepted_case()
    services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    services.support_plan_save(referral=case, actor=caseworker, headline="Plan", review_on=date.today())
    services.goal_add(
        referral=case,
        actor=caseworker,
        need=NeedCategory.objects.get(slug="finance-benefits"),
        description="Claim",
        intervention="advocacy",
    )
    services.case_close(referral=case, actor=caseworker, reason="person_ended", better_able_to_cope="yes")
    return case


def test_closed_case_page_offers_only_reopen(
    closed_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    html = signed_in_client(caseworker).get(reverse("casework:case", args=[closed_case.reference])).content.decode()
    assert "Re-open the case" in html and "This case is closed" in html
    for offered in (
        "Record PHQ-9",
        "Record CORE-10",
        "Add a goal",
        "Re-assess",
        "Assess needs and risk",
        "Record a contact attempt",
        "Change the plan",
        "Add progress",
        "Work jointly",
        "Refer on",
        "Close the case",
        "will call",
    ):
        assert offered not in html, offered


def test_closed_case_refuses_changes_in_the_services(closed_case: Referral, caseworker: User) -> None:
    need = NeedCategory.objects.get(slug="finance-benefits")
    refused: list[Callable[[], object]] = [
        lambda: services.measure_record(
            referral=closed_case, actor=caseworker, measure="phq9", stage="review", answers=[0] * 9
        ),
        lambda: services.goal_add(
            referral=closed_case, actor=caseworker, need=need, description="More", intervention="advocacy"
        ),
        lambda: services.assessment_record(
            referral=closed_case,
            actor=caseworker,
            ratings=all_needs("low"),
            risk_to_self="low",
            risk_from_others="low",
            risk_to_others="none",
        ),
        lambda: services.goal_progress_note_add(
            goal=Goal.objects.get(plan__referral=closed_case), actor=caseworker, note="Later"
        ),
        lambda: services.contact_attempt_record(
            referral=closed_case, actor=caseworker, channel="phone", outcome="reached"
        ),
    ]
    for call in refused:
        with pytest.raises(services.CaseworkError, match=r"This case is closed\. Re-open it"):
            call()
    assert not MeasureRecord.objects.filter(referral=closed_case).exists()
    assert Goal.objects.filter(plan__referral=closed_case).count() == 1


def test_closed_case_measure_post_is_refused_with_the_reason(
    closed_case: Referral, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    response = signed_in_client(caseworker).post(
        reverse("casework:measure", args=[closed_case.reference, "gad7"]),
        {"stage": "review", **{f"item_{n}": "0" for n in range(1, 8)}},
    )
    assert response.status_code == 400
    assert "This case is closed. Re-open it" in response.content.decode()


def test_goal_form_errors_name_the_field(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    services.support_plan_save(referral=case, actor=caseworker, headline="Plan", review_on=date.today())
    client = signed_in_client(caseworker)
    url = reverse("casework:goal_add", args=[case.reference])
    html = client.post(url, {"need": "", "description": "", "intervention": ""}).content.decode()
    assert 'href="#id_description">Describe the goal</a>' in html
    assert 'href="#id_intervention">Choose the intervention for this goal</a>' in html
    assert "This field is required" not in html
    need = NeedCategory.objects.get(slug="finance-benefits").pk
    html = client.post(url, {"need": need, "description": "   ", "intervention": "advocacy"}).content.decode()
    assert 'href="#id_description">Describe the goal' in html  # blank once stripped: the field again
    assert not Goal.objects.filter(plan__referral=case).exists()
