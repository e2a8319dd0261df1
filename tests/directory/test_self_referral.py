from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.core.models import AuditEvent
from onedoor.referrals.models import Referral, SignpostRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
URL = "/refer-yourself/"


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Sam",
        "age": "15",
        "district": "E07000220",
        "happened": "sexual-exploitation",
        "what_happened": "",
        "told_police": "no",
        "phone": "07700900123",
        "email": "",
        "safe_ways": ["text"],
        "best_times": "after school",
        "language": "English",
        "needs": ["mental-physical-health"],
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_self_referral_gets_a_reference_and_lands_in_the_right_queue(
    client: Client, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    response = client.post(URL, form())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    referral = Referral.objects.get()
    assert referral.reference in page
    assert referral.source == "self" and referral.referrer is None
    assert referral.current_service is not None
    assert referral.current_service.slug == "barnardos"
    assert referral.safe_to_text and not referral.safe_to_call
    assert {f.slug for f in referral.flags.all()} == {"child-sexual-exploitation"}
    assert referral.due_on is not None
    assert AuditEvent.objects.filter(action="referral.created", object_id=str(referral.pk)).exists()

    triage = make_user(Role.PROVIDER_TRIAGE, org="barnardos")
    queue = signed_in_client(triage).get("/queue/barnardos/").content.decode()
    assert referral.reference in queue


def test_consent_is_required(client: Client) -> None:
    response = client.post(URL, form(consent=""))
    assert response.status_code == 200
    assert "You need to agree" in response.content.decode()
    assert not Referral.objects.exists()


def test_contact_must_match_the_safe_ways(client: Client) -> None:
    response = client.post(URL, form(phone="", safe_ways=["call"]))
    assert "Enter a phone number" in response.content.decode()
    assert not Referral.objects.exists()


def test_honeypot_saves_nothing(client: Client) -> None:
    response = client.post(URL, form(website="http://spam.example"))
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert not SignpostRecord.objects.exists()


def test_domestic_abuse_self_referral_is_signposted_and_keeps_nothing_personal(client: Client) -> None:
    response = client.post(URL, form(happened="home-abuse", age="30"))
    assert response.status_code == 200
    assert not Referral.objects.exists()
    record = SignpostRecord.objects.get()
    assert record.source == "self" and "domestic-abuse-service" in record.signpost
    assert "Talk2Someone" in response.content.decode()


def test_form_is_prefilled_from_find_support(client: Client) -> None:
    # The answers travel in find-support's own cookie, never in the URL.
    client.post("/find-support/", {"happened": "rape", "age": "30", "district": "E07000222"})
    page = client.get("/find-support/contact/").content.decode()
    assert 'value="rape" checked' in page and 'value="30"' in page
    assert 'name="submission_token"' in page


def test_the_form_ignores_answers_in_its_own_query(client: Client) -> None:
    page = client.get(URL, {"happened": "rape", "age": "30", "district": "E07000222"}).content.decode()
    assert 'value="rape" checked' not in page and 'value="30"' not in page
