"""A referrer asks for a new sign-in link; the page never says whether an account exists."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import sign_in_link_request
from onedoor.core.models import AuditEvent
from tests.accounts.helpers import ask_by_email

pytestmark = pytest.mark.django_db

URL = "/account/sign-in/link/"


def _ask(client: Client, email: str, address: str = "198.51.100.60") -> Any:
    return ask_by_email(client, URL, email, address)


def test_a_referrer_gets_a_new_link_that_signs_them_in(make_user: Callable[..., User], client: Client) -> None:
    user = make_user(Role.REFERRER)
    response = _ask(client, user.email.upper())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in_link_sent")
    [message] = mail.outbox
    assert message.to == [user.email] and message.subject == "Your OneDoor sign-in link"
    assert "Someone asked for a new link" in message.body
    link = re.search(r"http://127\.0\.0\.1:8000(/account/sign-in/link/\S+/)", str(message.body))
    assert link
    signed_in = client.post(urlsplit(link.group(0)).path)
    assert signed_in["Location"] == reverse("referrals:mine")
    assert AuditEvent.objects.filter(action="user.sign_in_link_requested", object_id=str(user.pk)).exists()


def test_the_page_says_the_same_for_unknown_addresses_and_staff(make_user: Callable[..., User], client: Client) -> None:
    referrer = make_user(Role.REFERRER)
    staff = make_user(Role.CASEWORKER, "rosa")
    responses = [_ask(client, email) for email in (referrer.email, "nobody@example.org", staff.email)]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("accounts:sign_in_link_sent"))}
    assert sign_in_link_request(email=staff.email) == 0  # staff sign in with a password and 2FA
    page = client.get(reverse("accounts:sign_in_link_sent")).content.decode()
    assert "If a referrer's account uses that email address" in page


def test_inactive_referrers_get_no_link(make_user: Callable[..., User]) -> None:
    user = make_user(Role.REFERRER)
    user.is_active = False
    user.save()
    assert sign_in_link_request(email=user.email) == 0


def test_link_requests_are_rate_limited_per_email_and_per_address(
    make_user: Callable[..., User], client: Client, settings: Settings
) -> None:
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL = "2/h"
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS = "4/h"
    user = make_user(Role.REFERRER)
    for n in range(2):
        assert _ask(client, user.email, address=f"192.0.2.{n + 1}").status_code == 302
    limited = _ask(client, user.email.upper(), address="192.0.2.9")
    assert limited.status_code == 429 and mail.outbox == []
    assert "You have asked for too many sign-in links" in limited.content.decode()
    for n in range(4):
        assert _ask(client, f"x{n}@example.org", address="203.0.113.5").status_code == 302
    assert _ask(client, "y@example.org", address="203.0.113.5").status_code == 429


def test_a_bad_address_gets_a_clear_error(client: Client) -> None:
    assert "Enter your email address" in client.post(URL, {"email": ""}).content.decode()
    assert "in the correct format" in client.post(URL, {"email": "pc jones"}).content.decode()


def test_a_used_link_offers_a_new_one(client: Client) -> None:
    page = client.post("/account/sign-in/link/not-a-real-token/")
    assert page.status_code == 400 and URL in page.content.decode()
