"""A double submit of a referral form creates one referral, and the second submit shows the first result."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.test import Client

from onedoor.accounts.models import User
from onedoor.core.models import SubmissionKey
from onedoor.referrals.models import Referral, SignpostRecord
from tests.directory.test_self_referral import form as self_referral_post
from tests.referrals.test_form import valid_post

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse  # the stubs' name for a test response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def token_from(page: TestResponse) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', page.content.decode())
    assert match, "the form carries a one-time token"
    return match.group(1)


def test_the_referrer_form_sent_twice_makes_one_referral_and_shows_it_both_times(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    data = valid_post(submission_token=token_from(client.get("/referrals/new/")))
    first = client.post("/referrals/new/", data)
    second = client.post("/referrals/new/", data)
    referral = Referral.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/referrals/mine/{referral.reference}/"


def test_each_blank_form_gets_its_own_token(referrer: User, signed_in_client: Callable[[User], Client]) -> None:
    client = signed_in_client(referrer)
    one, two = token_from(client.get("/referrals/new/")), token_from(client.get("/referrals/new/"))
    assert one != two
    client.post("/referrals/new/", valid_post(submission_token=one))
    client.post("/referrals/new/", valid_post(submission_token=two, first_name="Bea"))
    assert Referral.objects.count() == 2


def test_a_form_shown_again_with_errors_keeps_its_token_and_then_sends_once(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    token = token_from(client.get("/referrals/new/"))
    with_errors = client.post("/referrals/new/", valid_post(submission_token=token, phone="123"))
    assert with_errors.status_code == 200 and token_from(with_errors) == token
    assert not SubmissionKey.objects.exists()
    for _ in range(2):
        client.post("/referrals/new/", valid_post(submission_token=token))
    assert Referral.objects.count() == 1


def test_a_changed_form_sent_with_a_used_token_says_so_and_offers_a_fresh_one(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    token = token_from(client.get("/referrals/new/"))
    client.post("/referrals/new/", valid_post(submission_token=token))
    reference = Referral.objects.get().reference
    changed = client.post("/referrals/new/", valid_post(submission_token=token, first_name="Other"))
    page = changed.content.decode()
    assert changed.status_code == 200 and "You already sent this form" in page and reference in page
    assert Referral.objects.count() == 1
    fresh = token_from(changed)
    assert fresh != token
    assert client.post("/referrals/new/", valid_post(submission_token=fresh, first_name="Other")).status_code == 302
    assert Referral.objects.count() == 2


def test_a_signposted_referral_sent_twice_leaves_one_record(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    data = valid_post(
        submission_token=token_from(client.get("/referrals/new/")),
        offence_group="criminal-damage-arson",
        flags=["domestic-abuse"],
        date_of_birth="1/1/1990",
        consent_given_by="person",
    )
    first, second = client.post("/referrals/new/", data), client.post("/referrals/new/", data)
    assert first["Location"] == second["Location"]
    assert SignpostRecord.objects.count() == 1 and not Referral.objects.exists()


def test_a_token_is_per_referrer(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client], client: Client
) -> None:
    token = token_from(signed_in_client(referrer).get("/referrals/new/"))
    signed_in_client(referrer).post("/referrals/new/", valid_post(submission_token=token))
    other = make_user()
    signed_in_client(other).post("/referrals/new/", valid_post(submission_token=token))
    assert Referral.objects.count() == 2


def test_the_self_referral_form_sent_twice_makes_one_referral_and_shows_it_both_times(client: Client) -> None:
    data = self_referral_post(submission_token=token_from(client.get("/refer-yourself/")))
    first = client.post("/refer-yourself/", data)
    second = client.post("/refer-yourself/", data)
    assert first.status_code == second.status_code == 302
    referral = Referral.objects.get()
    assert referral.reference in client.get(second["Location"]).content.decode()


def test_a_repeat_from_another_browser_session_still_shows_the_first_result(client: Client) -> None:
    data = self_referral_post(submission_token=token_from(client.get("/refer-yourself/")))
    client.post("/refer-yourself/", data)
    other = Client()  # the first response was lost with its cookie: a retry from a fresh session
    second = other.post("/refer-yourself/", data)
    assert Referral.objects.count() == 1
    assert Referral.objects.get().reference in other.get(second["Location"]).content.decode()


def test_a_changed_self_referral_with_a_used_token_is_not_sent_again(client: Client) -> None:
    token = token_from(client.get("/refer-yourself/"))
    client.post("/refer-yourself/", self_referral_post(submission_token=token))
    changed = client.post("/refer-yourself/", self_referral_post(submission_token=token, best_times="evenings"))
    assert changed.status_code == 200 and "You already sent this form" in changed.content.decode()
    assert token_from(changed) != token
    assert Referral.objects.count() == 1


def test_the_stored_result_holds_no_personal_details(client: Client) -> None:
    data = self_referral_post(submission_token=token_from(client.get("/refer-yourself/")))
    client.post("/refer-yourself/", data)
    row = SubmissionKey.objects.get()
    assert row.scope == "self-referral"
    for detail in ("Sam", "07700900123", "after school"):
        assert detail not in str(row.result) and detail not in row.fingerprint
