"""A fair limit on the public forms, believed only through trusted proxies (issue 10, section 5), and no
address kept with what the public sends (issue 9, section 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client, override_settings
from pytest_django import Settings

from onedoor.core.models import AuditEvent
from onedoor.core.ratelimits import normalise_contact, rate_key
from onedoor.directory.models import Feedback
from onedoor.referrals.models import Referral, SignpostRecord
from tests.directory.test_self_referral import URL, form

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse  # the stubs' name for a test response


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
PROXY = "10.0.0.2"


def phone(n: int) -> str:
    return f"07700 9{n:05d}"


def refer(client: Client, n: int, **extra: Any) -> TestResponse:
    return client.post(URL, form(phone=phone(n)), **extra)


def assert_limited_page(response: TestResponse, reason: str) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert f'data-limit="{reason}"' in page
    assert "has not been sent" in page
    # The urgent numbers and other ways to get help.
    for number in ('href="tel:999"', 'href="tel:116123"', 'href="tel:08081689111"'):
        assert number in page
    assert 'href="/services/"' in page and 'href="/find-support/"' in page


def test_a_shared_connection_is_not_locked_out_by_default(client: Client) -> None:
    # A refuge, a library or a mobile network: many people, one address. The old limit was 5 an hour.
    for n in range(8):
        assert refer(client, n, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert Referral.objects.count() == 8


@override_settings(ONEDOOR_SELF_REFERRAL_ADDRESS_RATE="2/h")
def test_an_address_over_its_limit_gets_the_help_page_and_nothing_is_saved(client: Client) -> None:
    for n in range(2):
        assert refer(client, n, REMOTE_ADDR="203.0.113.9").status_code == 302
    limited = refer(client, 2, REMOTE_ADDR="203.0.113.9")
    assert_limited_page(limited, "address")
    assert Referral.objects.count() == 2 and not SignpostRecord.objects.exists()
    assert refer(client, 3, REMOTE_ADDR="203.0.113.10").status_code == 302


@override_settings(ONEDOOR_SELF_REFERRAL_ADDRESS_RATE="1/h")
def test_only_submissions_that_would_be_sent_count(client: Client) -> None:
    for _ in range(4):  # mistakes on the form are not held against the person
        assert client.post(URL, form(consent=""), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.post(URL, form(website="http://spam.example"), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert refer(client, 1, REMOTE_ADDR="203.0.113.9").status_code == 302


@override_settings(ONEDOOR_SELF_REFERRAL_CONTACT_RATE="2/d")
def test_one_phone_number_is_limited_from_any_address_however_it_is_written(client: Client) -> None:
    same = ["07700 900123", "+44 7700 900123", "(07700) 900-123"]
    for n, number in enumerate(same[:2]):
        assert client.post(URL, form(phone=number), REMOTE_ADDR=f"203.0.113.{n}").status_code == 302
    limited = client.post(URL, form(phone=same[2]), REMOTE_ADDR="198.51.100.77")
    assert_limited_page(limited, "contact")
    assert Referral.objects.count() == 2
    # Someone else at the same address is not affected.
    assert client.post(URL, form(phone="07700 900999"), REMOTE_ADDR="198.51.100.77").status_code == 302


@override_settings(ONEDOOR_SELF_REFERRAL_CONTACT_RATE="1/d")
def test_an_email_address_is_limited_too(client: Client) -> None:
    kw = {"phone": "", "safe_ways": ["email"]}
    assert client.post(URL, form(email="Sam@Example.org", **kw), REMOTE_ADDR="203.0.113.1").status_code == 302
    limited = client.post(URL, form(email="sam@example.org", **kw), REMOTE_ADDR="203.0.113.2")
    assert_limited_page(limited, "contact")


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY], ONEDOOR_SELF_REFERRAL_ADDRESS_RATE="2/h")
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client: Client) -> None:
    a = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    b = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    for n in range(2):
        assert refer(client, n, **a).status_code == 302
    assert_limited_page(refer(client, 2, **a), "address")
    # Another person through the same proxy is not locked out ...
    assert refer(client, 3, **b).status_code == 302
    # ... and the limited one cannot get round it by writing a header of their own: the proxy appends
    # the address it saw, and only the part it wrote is believed.
    spoofed = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.200, 198.51.100.1"}
    assert_limited_page(refer(client, 4, **spoofed), "address")


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY], ONEDOOR_SELF_REFERRAL_ADDRESS_RATE="2/h")
def test_an_untrusted_sender_s_forwarded_header_is_ignored(client: Client) -> None:
    for n in range(2):
        fake = {"REMOTE_ADDR": "203.0.113.50", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert refer(client, n, **fake).status_code == 302
    fake = {"REMOTE_ADDR": "203.0.113.50", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert_limited_page(refer(client, 2, **fake), "address")


@override_settings(ONEDOOR_FEEDBACK_ADDRESS_RATE="2/h")
def test_feedback_is_rate_limited(client: Client) -> None:
    for _ in range(2):
        assert client.post("/feedback/", {"satisfaction": "4"}, REMOTE_ADDR="203.0.113.9").status_code == 200
    limited = client.post("/feedback/", {"satisfaction": "1"}, REMOTE_ADDR="203.0.113.9")
    assert_limited_page(limited, "address")
    assert Feedback.objects.count() == 2
    assert client.post("/feedback/", {"satisfaction": "5"}, REMOTE_ADDR="203.0.113.10").status_code == 200
    # Mistakes do not count.
    assert client.post("/feedback/", {}, REMOTE_ADDR="203.0.113.10").status_code == 200
    assert client.post("/feedback/", {"satisfaction": "5"}, REMOTE_ADDR="203.0.113.10").status_code == 200
    assert Feedback.objects.count() == 4


def test_no_address_is_kept_with_a_self_referral_or_feedback(client: Client) -> None:
    address = "203.0.113.77"
    assert refer(client, 1, REMOTE_ADDR=address).status_code == 302
    assert client.post(URL, form(happened="home-abuse", age="30"), REMOTE_ADDR=address).status_code == 200
    client.post("/feedback/", {"satisfaction": "3", "could_be_better": "x"}, REMOTE_ADDR=address)
    events = list(AuditEvent.objects.values_list("action", "channel", "origin", "detail"))
    assert {"referral.created", "feedback.received"} <= {e[0] for e in events}
    assert all(origin == "" and channel == "web" for _, channel, origin, _ in events), events
    assert address not in repr(events)


def test_the_limit_keys_are_keyed_and_truncated(settings: Settings) -> None:
    key = rate_key("address", "203.0.113.9")
    assert len(key) == 16 and int(key, 16) >= 0
    assert rate_key("address", "203.0.113.10") != key
    assert rate_key("contact", "203.0.113.9") != key
    settings.SECRET_KEY = "another-deployment-secret"
    assert rate_key("address", "203.0.113.9") != key  # no one without the key can match an address
    assert normalise_contact(" +44 7700 900123 ") == normalise_contact("07700900123") == "phone:07700900123"
    assert normalise_contact("Sam@Example.ORG") == "email:sam@example.org"
