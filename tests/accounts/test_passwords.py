"""Password reset by email and changing your own password."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, TestCase
from django.urls import reverse
from pytest_django import Settings

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import password_reset_request, password_reset_send, user_password_set
from onedoor.core.models import AuditEvent
from tests.accounts.helpers import ask_by_email

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
NEW = "correct-horse-battery-staple-9"


def _reset_link() -> str:
    [message] = mail.outbox
    match = re.search(r"https?://\S+/account/password-reset/\S+/\S+/", str(message.body))
    assert match, message.body
    return urlsplit(match.group(0)).path


def _ask_for_reset(client: Client, email: str, address: str = "198.51.100.40") -> Any:
    return ask_by_email(client, reverse("accounts:password_reset"), email, address)


def test_reset_journey_sets_a_new_password_and_is_audited(make_user: Callable[..., User], client: Client) -> None:
    user = make_user(Role.REFERRER)
    response = _ask_for_reset(client, user.email.upper())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == [user.email] and message.subject == "Reset your OneDoor password"
    assert message.body.count("http://127.0.0.1:8000/account/password-reset/") == 1  # the public address
    link = _reset_link()
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password" in set_url  # Django moves the token out of the address bar
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW)
    actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert "user.password_reset_requested" in actions and "user.password_reset" in actions
    # The link works once.
    again = client.get(link, follow=True)
    assert "This reset link does not work" in again.content.decode()


def test_reset_page_says_the_same_whether_or_not_an_account_exists(
    make_user: Callable[..., User], client: Client
) -> None:
    user = make_user(Role.REFERRER)
    known = _ask_for_reset(client, user.email)
    sent = len(mail.outbox)
    unknown = _ask_for_reset(client, "nobody-here@example.org")
    assert sent == 1 and mail.outbox == []
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page = client.get(known["Location"]).content.decode()
    assert "If an account with a password uses that email address" in page


def test_no_reset_for_inactive_or_passwordless_accounts(make_user: Callable[..., User]) -> None:
    inactive = make_user(Role.REFERRER)
    inactive.is_active = False
    inactive.save()
    passwordless = make_user(Role.REFERRER)
    passwordless.set_unusable_password()
    passwordless.save()
    assert password_reset_request(email=inactive.email) == 0
    assert password_reset_request(email=passwordless.email) == 0
    assert password_reset_request(email="") == 0


def test_reset_form_errors_say_what_to_fix(client: Client, make_user: Callable[..., User]) -> None:
    page = client.post(reverse("accounts:password_reset"), {"email": "not an email"}).content.decode()
    assert "Enter an email address in the correct format" in page
    user = make_user(Role.REFERRER)
    _ask_for_reset(client, user.email)
    set_url = client.get(_reset_link(), follow=True).redirect_chain[-1][0]
    mismatch = client.post(set_url, {"new_password1": NEW, "new_password2": NEW + "x"}).content.decode()
    assert "The two new passwords do not match" in mismatch
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"}).content.decode()
    assert "too short" in weak or "too common" in weak
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_requests_are_rate_limited(client: Client, make_user: Callable[..., User], settings: Settings) -> None:
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL = "2/h"
    user = make_user(Role.REFERRER)
    for _ in range(2):
        assert _ask_for_reset(client, user.email).status_code == 302
    limited = _ask_for_reset(client, user.email, address="192.0.2.200")  # another address, same email
    assert limited.status_code == 429 and mail.outbox == []
    assert "You have asked for too many password reset emails" in limited.content.decode()
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS = "3/h"
    for n in range(3):
        assert _ask_for_reset(client, f"someone{n}@example.org", address="192.0.2.201").status_code == 302
    assert _ask_for_reset(client, "someone-else@example.org", address="192.0.2.201").status_code == 429


def test_a_reset_lifts_the_accounts_lockout(make_user: Callable[..., User], client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.REFERRER)
    for _ in range(2):
        client.post("/account/sign-in/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR="192.0.2.1")
    locked = Client().post("/account/sign-in/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    _ask_for_reset(client, user.email)
    set_url = client.get(_reset_link(), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    signed_in = Client().post("/account/sign-in/", {"username": user.username, "password": NEW})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action="user.sign_in_unlocked", actor=user).exists()


def test_change_your_own_password(make_user: Callable[..., User], signed_in_client: Callable[[User], Client]) -> None:
    user = make_user(Role.CASEWORKER, "rosa", totp=True)
    client = signed_in_client(user)
    assert (
        f'href="{reverse("accounts:password_change")}">Change password</a>'
        in client.get("/", follow=True).content.decode()
    )
    assert "Change your password" in client.get(reverse("accounts:password_change")).content.decode()
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert "Your current password is not right" in wrong.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:password_change_done")).status_code == 200  # still signed in here
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert AuditEvent.objects.filter(action="user.password_changed", actor=user, object_id=str(user.pk)).exists()


def test_changing_a_password_ends_other_sessions(make_user: Callable[..., User]) -> None:
    user = make_user(Role.REFERRER)
    elsewhere = Client()
    elsewhere.force_login(user)
    assert elsewhere.get("/referrals/mine/").status_code == 200
    user_password_set(user=user, password=NEW, reason="changed")
    assert elsewhere.get("/referrals/mine/").status_code == 302


def test_changing_a_password_needs_two_factor_first(make_user: Callable[..., User], client: Client) -> None:
    user = make_user(Role.CASEWORKER, "rosa", totp=True)
    client.force_login(user)
    assert client.get(reverse("accounts:password_change"))["Location"] == "/account/two-factor/"
    client.logout()
    assert client.get(reverse("accounts:password_change"))["Location"].startswith("/account/sign-in/")


def test_a_referrer_without_a_password_is_told_how_they_sign_in(make_user: Callable[..., User], client: Client) -> None:
    user = make_user(Role.REFERRER)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert ">Change password</a>" not in client.get("/referrals/mine/").content.decode()
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Your account has no password" in page and reverse("accounts:sign_in_link_request") in page


def test_password_set_refuses_an_unknown_reason(make_user: Callable[..., User]) -> None:
    user: User = make_user(Role.REFERRER)
    with pytest.raises(ValueError, match="Unknown reason"):
        user_password_set(user=user, password=NEW, reason="admin")


def test_an_administrator_sends_a_link_to_choose_a_first_password(
    make_user: Callable[..., User], client: Client
) -> None:
    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    new_staff = make_user(Role.CASEWORKER, "rosa")
    new_staff.set_unusable_password()
    new_staff.save()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        password_reset_send(user=new_staff, sent_by=admin_user)
    assert AuditEvent.objects.filter(action="user.password_reset_sent", actor=admin_user).count() == 1
    set_url = client.get(_reset_link(), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    new_staff.refresh_from_db()
    assert new_staff.check_password(NEW)
    new_staff.is_active = False
    new_staff.save()
    with pytest.raises(ValidationError, match="inactive or has no email"):
        password_reset_send(user=new_staff, sent_by=admin_user)
