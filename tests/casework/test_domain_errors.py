"""Views show a domain refusal to the user, and nothing else: a bug inside a service (a ValueError raised by
mistake) is a 500, not a message on a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onedoor.accounts.models import Role, User
from onedoor.casework import services as casework
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral, Status
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PLAN = {"headline": "Feel safe at home", "review_on": "2099-01-01"}


def _raise(error: Exception) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        raise error

    return call


def test_a_casework_refusal_is_shown_on_the_form(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    signed_in_client: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = accepted_case()
    monkeypatch.setattr(casework, "support_plan_save", _raise(casework.CaseworkError("Not like that.")))
    response = signed_in_client(caseworker).post(reverse("casework:plan", args=[case.reference]), PLAN)
    assert response.status_code == 400
    assert "Not like that." in response.content.decode()


def test_a_bug_in_a_casework_service_is_a_500(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    signed_in_client: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = accepted_case()
    monkeypatch.setattr(casework, "support_plan_save", _raise(ValueError("invalid literal for int()")))
    client = signed_in_client(caseworker)
    client.raise_request_exception = False
    response = client.post(reverse("casework:plan", args=[case.reference]), PLAN)
    assert response.status_code == 500
    assert "invalid literal" not in response.content.decode()


def test_a_bug_in_a_triage_service_is_a_500(
    referrer: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    referral = make_referral(referrer=referrer)
    monkeypatch.setattr(spine, "referral_accept", _raise(ValueError("invalid literal for int()")))
    client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "victim-support"))
    client.raise_request_exception = False
    response = client.post(reverse("referrals:accept", args=[referral.reference]))
    assert response.status_code == 500
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_a_triage_refusal_is_a_message(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    spine.referral_decline(referral=referral, actor=triage, reason_code="out_of_remit")
    response = signed_in_client(triage).post(reverse("referrals:accept", args=[referral.reference]), follow=True)
    assert response.status_code == 200
    assert "A referral that is declined cannot be moved to accepted." in response.content.decode()
