"""The password reset journey in Chromium, from "Forgotten your password?" to signing in with the new one."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from tests.browser.conftest import axe_violations
from tests.browser.test_referral_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "correct-horse-battery-staple-9"


def test_forgotten_password_to_signed_in(
    live_server: LiveServer, new_page: Callable[..., Page], make_user: Callable[..., User]
) -> None:
    base = live_server.url
    user = make_user(Role.REFERRER, username="pc.reset")
    mail.outbox.clear()
    page = new_page()
    page.goto(f"{base}/account/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send the link").click()
    assert "Enter an email address in the correct format" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert axe_violations(page) == []

    [message] = mail.outbox
    link = re.search(r"https?://\S+/account/password-reset/\S+/\S+/", str(message.body))
    assert link
    page.goto(base + urlsplit(link.group(0)).path)
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    assert "set-password" in page.url  # the token is no longer in the address bar
    assert axe_violations(page) == []
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Type the new password again").fill(NEW)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Sign in with your new password").click()
    sign_in(page, base, user.username, NEW)
    page.wait_for_load_state()
    assert "/account/sign-in/" not in page.url


def test_the_lockout_page_is_accessible(
    live_server: LiveServer, new_page: Callable[..., Page], make_user: Callable[..., User], settings: Settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user(Role.REFERRER, username="pc.locked")
    page = new_page()
    for _ in range(2):
        sign_in(page, live_server.url, user.username, "wrong-password")
    assert page.get_by_role("heading", name=re.compile("Sign-in is paused")).is_visible()
    assert "15 minutes" in page.locator("main").inner_text()
    assert axe_violations(page) == []
