"""Idempotency-Key on POST /api/v1/referrals: a retried call creates nothing new."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.accounts.services import api_token_create
from onedoor.core.models import SubmissionKey
from onedoor.referrals.models import Referral
from tests.referrals.test_api import payload

pytestmark = pytest.mark.django_db


def post(client: Client, token: str, body: dict[str, Any], key: str | None) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}  # WSGI environ, as Client takes it
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/referrals", data=body, content_type="application/json", **headers)


def test_the_same_key_and_body_return_the_first_result_and_create_one_referral(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    first = post(client, token, payload(), "retry-1")
    again = post(client, token, payload(), "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Referral.objects.count() == 1
    assert Referral.objects.get().reference == first.json()["reference"]


def test_field_order_does_not_matter(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    body = payload()
    reordered = dict(reversed(list(body.items())))
    assert post(client, token, body, "k").json() == post(client, token, reordered, "k").json()
    assert Referral.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_clear_409(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    first = post(client, token, payload(), "retry-2")
    clash = post(client, token, payload(first_name="Someone"), "retry-2")
    assert clash.status_code == 409
    assert "already used with a different body" in clash.json()["detail"]
    assert clash.json()["reference"] == first.json()["reference"]
    assert Referral.objects.count() == 1


def test_without_a_key_each_call_creates_a_referral(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    post(client, token, payload(), None)
    post(client, token, payload(), None)
    assert Referral.objects.count() == 2


def test_keys_belong_to_each_user(referrer: User, make_user: Callable[..., User], client: Client) -> None:
    other = make_user()
    assert post(client, api_token_create(user=referrer), payload(), "shared").status_code == 201
    assert post(client, api_token_create(user=other), payload(), "shared").status_code == 201
    assert Referral.objects.count() == 2
    assert set(Referral.objects.values_list("referrer", flat=True)) == {referrer.pk, other.pk}


def test_a_refused_request_does_not_use_up_its_key(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    refused = post(client, token, payload(phone="123"), "fix-and-retry")
    assert refused.status_code == 422
    assert not SubmissionKey.objects.exists()
    fixed = post(client, token, payload(), "fix-and-retry")
    assert fixed.status_code == 201 and Referral.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve"])
def test_a_malformed_key_says_what_to_fix(referrer: User, client: Client, key: str) -> None:
    response = post(client, api_token_create(user=referrer), payload(), key)
    assert response.status_code == 422
    assert "printable ASCII" in response.json()["errors"]["header.Idempotency-Key"][0]
    assert not Referral.objects.exists()


def test_an_expired_key_starts_afresh(referrer: User, client: Client) -> None:
    token = api_token_create(user=referrer)
    post(client, token, payload(), "old")
    SubmissionKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post(client, token, payload(), "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Referral.objects.count() == 2


def test_stored_keys_hold_no_personal_details(referrer: User, client: Client) -> None:
    post(client, api_token_create(user=referrer), payload(), "k1")
    row = SubmissionKey.objects.get()
    stored = f"{row.scope} {row.key} {row.fingerprint} {row.result}"
    for detail in ("Jon", "Baker", "07700900321", "Burgled"):
        assert detail not in stored


def test_the_header_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/referrals"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required")
    assert "409" in header["description"] and "409" in operation["responses"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL in tests")
def test_concurrent_calls_with_one_key_create_one_referral(referrer: User) -> None:
    token = api_token_create(user=referrer)
    barrier = threading.Barrier(6)
    answers: list[Any] = []

    def call() -> None:
        try:
            barrier.wait()
            answers.append(post(Client(), token, payload(), "same-moment"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.json()["reference"] for a in answers}) == 1
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 5
    assert Referral.objects.count() == 1
