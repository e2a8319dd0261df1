from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from onedoor.referrals.models import Referral
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def payload(**overrides: Any) -> dict[str, Any]:
    body = {
        "first_name": "Jon",
        "last_name": "Baker",
        "age": 42,
        "phone": "07700900321",
        "phone_is_own": True,
        "safe_to_call": True,
        "district": "E07000218",
        "reported_to_police": True,
        "crime_reference": "23/55555/26",
        "offence_group": "burglary-residential",
        "flags": [],
        "reason": "Burgled overnight; asked for help with security.",
        "consent": True,
        "consent_given_by": "person",
    }
    body.update(overrides)
    return body


def post(client: Client, token: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/referrals",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_create_api_token_command_prints_a_working_token(referrer: User, client: Client) -> None:
    out = StringIO()
    call_command("create_api_token", referrer.username, stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("od_")
    response = post(client, token, payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["primary"] == "victim-support" and body["reference"].startswith("OD-")
    assert Referral.objects.get(reference=body["reference"]).referrer == referrer


def test_the_api_validates_exactly_like_the_form(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    response = post(client, token, payload(consent=False, consent_given_by="", phone="123", offence_group="burgled"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "consent" in errors and "You cannot refer without" in errors["consent"][0]
    assert "Enter a UK phone number" in errors["phone"][0]
    assert "offence_group" in errors
    assert not Referral.objects.exists()


def test_bad_or_missing_tokens_are_refused(referrer: User, client: Client) -> None:
    assert client.post("/api/v1/referrals", data="{}", content_type="application/json").status_code == 401
    assert post(client, "od_nothing_here", payload()).status_code == 401
    triage_token = api_token_create(user=referrer)
    referrer.is_active = False
    referrer.save()
    assert post(client, triage_token, payload()).status_code == 401


def test_only_referrers_may_create_referrals(make_user: Callable[..., User], client: Client) -> None:
    token = api_token_create(user=make_user(Role.PROVIDER_TRIAGE, "rosa"))
    assert post(client, token, payload()).status_code == 401


def test_get_returns_status_and_timeline_to_those_allowed(
    referrer: User, make_user: Callable[..., User], client: Client
) -> None:
    referral = make_referral(referrer=referrer)
    for user in (referrer, make_user(Role.CASEWORKER, "victim-support")):
        token = api_token_create(user=user)
        body = client.get(f"/api/v1/referrals/{referral.reference}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert body["status"] == "received" and body["service"] == "victim-support"
        assert [e["status"] for e in body["timeline"]] == ["received"]
        assert "first_name" not in json.dumps(body) and referral.first_name not in json.dumps(body)


def test_openapi_schema_is_published(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/referrals" in schema["paths"]
    assert schema["paths"]["/api/v1/referrals"]["post"]["security"]
