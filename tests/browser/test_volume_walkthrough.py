"""Triage and casework at volume, in Chromium, with axe on every page: hundreds of referrals in the queue
and more open cases than "My cases" shows on one page. A triage lead opens the team queue, claims and
accepts a referral; a caseworker finds it in "My cases" (sorted by name, without JavaScript), records a
contact and a PHQ-9, and closes the case, which then offers only re-open.

The queue steps are kept to its heading and the referral page's buttons, by role, so that changes to the
queue's filters and columns do not break this walk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from onedoor.referrals.models import Referral, Status
from onedoor.referrals.services import referral_assign
from tests.browser.test_casework_journey import axe_violations_in_main, record_contact, record_phq9, sign_in
from tests.referrals.factories import accept_by_team, make_referral

QUEUED, CASES = 200, 60  # CASES is more than one page of "My cases"


def _axe_clean(page: Page) -> None:
    assert axe_violations_in_main(page) == [], page.url


def test_triage_and_casework_at_volume(
    live_server: LiveServer, new_page: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    referrer = make_user(Role.REFERRER)
    lead = make_user(Role.TEAM_LEAD, org="victim-support")
    caseworker = make_user(Role.CASEWORKER, org="victim-support")
    for n in range(QUEUED):
        make_referral(referrer=referrer, first_name="Queued", last_name=f"Person {n:03d}")
    for n in range(CASES):
        case = accept_by_team(
            referral=make_referral(referrer=referrer, first_name="Open", last_name=f"Case {n:03d}"), team_of=lead
        )
        referral_assign(referral=case, actor=lead, assignee=caseworker)
    target = make_referral(referrer=referrer, first_name="Ada", last_name="Aardvark", safe_to_leave_voicemail=False)
    assert Referral.objects.count() == QUEUED + CASES + 1

    # The triage lead: the team queue, then the referral: claim and accept.
    triage = sign_in(new_page, live_server, lead)
    triage.goto(live_server.url + reverse("referrals:queue", args=["victim-support"]))
    triage.get_by_role("heading", level=1).wait_for()
    assert "team queue" in triage.get_by_role("heading", level=1).inner_text()
    _axe_clean(triage)
    triage.goto(live_server.url + reverse("referrals:detail", args=[target.reference]))
    _axe_clean(triage)
    triage.get_by_role("button", name="Claim").click()
    triage.get_by_role("button", name="Accept").click()
    triage.get_by_role("link", name="Open the casework for this referral").wait_for()
    target.refresh_from_db()
    assert target.status == Status.ACCEPTED and target.assigned_to == lead
    referral_assign(referral=target, actor=lead, assignee=caseworker)  # the lead hands it to the caseworker

    # The caseworker: "My cases", a page at a time, sorted by name with the form (no JavaScript needed).
    work = sign_in(new_page, live_server, caseworker)
    work.goto(live_server.url + reverse("casework:my_cases"))
    assert "61 open cases" in work.locator("#caseload").inner_text()
    assert work.locator("#cases tbody tr").count() == 50
    assert work.get_by_role("link", name="Next page").is_visible()
    _axe_clean(work)
    work.get_by_label("Sort by").select_option(label="Name")
    work.get_by_role("button", name="Sort").click()
    first_row = work.locator("#cases tbody tr").first
    assert "Ada Aardvark" in first_row.inner_text() and "Make first contact" in first_row.inner_text()
    _axe_clean(work)
    first_row.get_by_role("link").first.click()

    # On the case: a contact, a PHQ-9 with the published questions, then closure.
    work.locator("#case-status").wait_for()
    _axe_clean(work)
    record_contact(work, "Reached the person")
    assert work.locator("#case-status").inner_text() == "Contacted"
    work.get_by_role("link", name="Record PHQ-9").click()
    _axe_clean(work)
    work.go_back()
    record_phq9(work, "Start of support", [1, 1, 1, 1, 1, 1, 1, 1, 1])
    work.get_by_text("PHQ-9 recorded: 9 (Mild). The team lead has been alerted to the risk item.").wait_for()
    _axe_clean(work)

    work.goto(live_server.url + reverse("casework:my_cases"))
    assert "PHQ-9 item 9 answered above 0" in work.locator("#cases tbody tr").first.inner_text()  # alerts lead

    work.goto(live_server.url + reverse("casework:case", args=[target.reference]))
    work.get_by_role("link", name="Close the case").click()
    _axe_clean(work)
    work.get_by_role("group", name="Why is the case closing?").get_by_label("Support completed").check()
    work.get_by_role("group", name="Did the person feel better able to cope and recover?").get_by_label(
        "Yes", exact=True
    ).check()
    work.get_by_role("button", name="Close the case").click()
    work.get_by_text("Case closed").wait_for()
    assert work.locator("#case-status").inner_text() == "Closed"
    assert work.get_by_role("link", name="Re-open the case").is_visible()
    for gone in ("Record PHQ-9", "Add a goal", "Re-assess", "Record a contact attempt"):
        assert work.get_by_role("link", name=gone).count() == 0, gone
    _axe_clean(work)
