"""Issue 2's journey in Chromium: a referrer refers, the routed team accepts with 2FA, the referrer sees it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from onedoor.accounts.totp import current_code
from onedoor.referrals.models import Referral
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base: str, username: str, password: str = "a-long-test-password") -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_refer_accept_and_see_the_closed_loop(
    live_server: LiveServer, new_page: Callable[..., Page], make_user: Callable[..., User]
) -> None:
    base = live_server.url
    referrer = make_user(Role.REFERRER, username="pc.jones")
    triage = make_user(Role.PROVIDER_TRIAGE, "barnardos", username="barnardos.t", totp=True)

    # 1. The referrer signs in and submits the standard form.
    page = new_page()
    sign_in(page, base, referrer.username)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Make a referral").click()
    assert axe_violations(page) == []
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Last name").fill("Test")
    page.get_by_label("Date of birth", exact=True).fill("3/5/2011")
    page.check("#id_interpreter_needed-1")
    page.get_by_label("Phone number").fill("07700 900 555")
    page.get_by_label("I have checked this is the person's own number").check()
    page.get_by_label("Send a text message").check()
    page.get_by_label("District where the person lives").select_option(label="Rugby")
    page.check("#id_reported_to_police")  # yes
    page.get_by_label("Crime reference number").fill("23/77777/26")
    page.get_by_label("What kind of offence?").select_option(label="Other sexual offences")
    page.get_by_label("Child sexual exploitation", exact=True).check()
    page.get_by_label("Why are you referring now?").fill("Disclosed at school; wants support.")
    page.check("#id_consent")  # yes
    page.get_by_label("A parent or guardian", exact=True).check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.count() == 0, summary.inner_text()
    page.wait_for_url("**/referrals/mine/OD-**")
    referral = Referral.objects.get(first_name="Maya")
    assert referral.current_service is not None and referral.current_service.slug == "barnardos"
    assert page.get_by_role("heading", name="Received").is_visible()

    # 2. The routed team's triage user signs in with 2FA, finds it in the queue and accepts it.
    staff = new_page()
    sign_in(staff, base, triage.username)
    staff.wait_for_url("**/account/two-factor/**")
    staff.get_by_label("Code from your authenticator app").fill(current_code(TOTPDevice.objects.get(user=triage)))
    staff.get_by_role("button", name="Continue").click()
    staff.wait_for_url("**/queue/barnardos/")
    assert axe_violations(staff) == []
    staff.get_by_role("link", name=referral.reference).click()
    assert axe_violations(staff) == []
    staff.get_by_role("button", name="Accept").click()
    expect(staff.get_by_text(f"Referral {referral.reference} accepted")).to_be_visible()

    # 3. The referrer sees "Accepted" in "My referrals".
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My referrals").click()
    row = page.locator("tr", has_text=referral.reference)
    assert row.locator("[data-status]").inner_text() == "Accepted"
    assert axe_violations(page) == []
