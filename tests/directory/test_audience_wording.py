"""Each audience gets its own words. The person never sees text written for professionals (routing reasons such
as "the person should be put in touch with ... This is not a gap in service"); the referrer never sees text
written for the person ("Someone from RoSA will contact you"), and sees what actually happened to a declined,
re-routed or closed referral."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.directory.models import Service
from onedoor.public.journey import SITUATIONS
from onedoor.referrals import services
from onedoor.referrals.models import RoutingRule
from tests.referrals.factories import make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db
RUGBY = "E07000220"
AREA = json.loads((Path(settings.BASE_DIR) / "onedoor" / "areas" / "warwickshire.json").read_text(encoding="utf-8"))
PROFESSIONAL_PHRASES = ("the person should", "This is not a gap in service", "commissioned separately", "referrer")


def test_every_rule_has_words_for_the_person_and_every_commissioned_service_words_for_referrers() -> None:
    for rule in AREA["routing_rules"]:
        assert rule["public_reason"] and rule["public_reason"] != rule["reason"], rule["key"]
        assert not any(p.lower() in rule["public_reason"].lower() for p in PROFESSIONAL_PHRASES), rule["key"]
    for service in AREA["services"]:
        if service["kind"] == "commissioned":
            assert service["referrer_next_steps"] and service["referrer_next_steps"] != service["what_happens_next"]
    assert RoutingRule.objects.exclude(public_reason="").count() == RoutingRule.objects.count()


@pytest.mark.parametrize("age", [15, 40])
def test_the_person_never_sees_a_reason_written_for_referrers(client: Client, age: int) -> None:
    reasons = list(RoutingRule.objects.values_list("reason", flat=True))
    for situation in SITUATIONS:
        response = client.post(
            "/find-support/", {"happened": situation.key, "age": str(age), "district": RUGBY}, follow=True
        )
        html = response.content.decode().replace("&#x27;", "'")
        assert "Support that can help you" in html, situation.key
        for reason in reasons:
            assert reason not in html, (situation.key, reason[:60])
        for phrase in PROFESSIONAL_PHRASES[:2]:
            assert phrase not in html, (situation.key, phrase)


def test_a_signposted_person_sees_words_meant_for_them(client: Client) -> None:
    html = client.post("/find-support/", {"happened": "home-abuse", "age": "40", "district": RUGBY}, follow=True)
    text = html.content.decode().replace("&#x27;", "'")
    assert RoutingRule.objects.get(key="domestic-abuse").public_reason in text
    assert "should be put in touch" not in text


# -- the referrer's view ----------------------------------------------------------------------------------------


def rosa_referral(referrer: User) -> Any:
    return make_referral(referrer=referrer, offence="rape")


def detail(signed_in_client: Callable[[User], Client], referrer: User, referral: Any) -> str:
    response = signed_in_client(referrer).get(f"/referrals/mine/{referral.reference}/")
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_a_new_referral_tells_the_referrer_what_the_team_will_do_not_what_the_person_is_told(
    signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    referral = rosa_referral(referrer)
    rosa = Service.objects.get(slug="rosa")
    html = detail(signed_in_client, referrer, referral)
    assert 'data-kind="sent"' in html and "govuk-panel--confirmation" in html and "Sent to" in html
    assert rosa.referrer_next_steps in html
    assert rosa.what_happens_next not in html and "will contact you" not in html
    assert "First contact is due by" in html
    assert 'style="' not in html


def test_a_declined_referral_says_so_without_a_sent_to_panel(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    referral = rosa_referral(referrer)
    triage = make_user(Role.PROVIDER_TRIAGE, "rosa", totp=True)
    services.referral_decline(
        referral=referral,
        actor=triage,
        reason_code="out_of_remit",
        suggested_service=Service.objects.get(slug="victim-support"),
        referrer_note="Victim Support is better placed.",
    )
    html = detail(signed_in_client, referrer, referral)
    assert 'data-kind="ended"' in html and "govuk-panel--confirmation" not in html and "Sent to" not in html
    assert "declined this referral" in html and "Not within this service's remit" in html
    assert "Suggested instead: General victim recovery service" in html and "Victim Support is better placed." in html
    assert "What happens next" not in html and "First contact is due" not in html
    rosa = Service.objects.get(slug="rosa")
    assert rosa.what_happens_next not in html and rosa.referrer_next_steps not in html


def test_a_closed_referral_says_it_has_closed_and_why(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    referral = rosa_referral(referrer)
    triage = make_user(Role.PROVIDER_TRIAGE, "rosa", totp=True)
    referral = services.referral_accept(referral=referral, actor=triage)
    referral = services.referral_mark_contacted(referral=referral, actor=triage)
    html = detail(signed_in_client, referrer, referral)
    assert 'data-kind="with"' in html and "has been contacted by" in html and "First contact is due" not in html
    services.referral_close(referral=referral, actor=triage, reason_code="support_completed")
    html = detail(signed_in_client, referrer, referral)
    assert 'data-kind="ended"' in html and "govuk-panel--confirmation" not in html
    assert "has closed this referral" in html and "Reason: Support completed" in html
    assert "will contact" not in html and "First contact is due" not in html


def test_a_rerouted_referral_names_who_passed_it_on_and_who_has_it_now(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    referral = make_referral(referrer=referrer)  # a burglary: Victim Support
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support", totp=True)
    services.referral_reroute(
        override_reason=TEST_OVERRIDE,
        referral=referral,
        actor=triage,
        to_service=Service.objects.get(slug="rosa"),
        referrer_note="Disclosed rape.",
    )
    html = detail(signed_in_client, referrer, referral)
    rosa = Service.objects.get(slug="rosa")
    assert 'data-kind="moved"' in html and "govuk-panel--confirmation" not in html
    assert "Victim Support passed this referral on to Sexual abuse and violence support service (RoSA)" in html
    assert "Disclosed rape." in html and rosa.referrer_next_steps in html
    assert rosa.what_happens_next not in html


def test_a_referral_the_person_did_not_engage_with(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    referral = rosa_referral(referrer)
    triage = make_user(Role.PROVIDER_TRIAGE, "rosa", totp=True)
    referral = services.referral_accept(referral=referral, actor=triage)
    services.referral_mark_not_engaged(referral=referral, actor=triage, reason_code="no_response")
    html = detail(signed_in_client, referrer, referral)
    assert 'data-kind="ended"' in html and "could not start support" in html and "Reason: No response" in html
