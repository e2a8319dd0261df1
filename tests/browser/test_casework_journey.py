"""A case walked end to end in Chromium: accept; two failed contact attempts and one successful; needs
assessment; a plan with two goals; PHQ-9 at start and closure showing reliable improvement; closure with
outcome. The referrer's page then shows "closed"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import totp_device_create
from onedoor.casework import measures
from onedoor.casework.models import ClosureOutcome
from onedoor.core.models import NeedCategory
from onedoor.referrals.models import Status
from tests.browser.conftest import axe_violations
from tests.referrals.factories import make_referral


def sign_in(new_page: Callable[..., Any], live_server: LiveServer, user: User) -> Any:
    """A page signed in as `user` (two-factor sign-in completed for staff), by its session cookie."""
    client = Client()
    client.force_login(user)
    if user.needs_two_factor:
        from django_otp import DEVICE_ID_SESSION_KEY

        device = totp_device_create(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def axe_violations_in_main(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations, leaving out the shared site header's colour contrast (a
    base-template matter, reported separately), so that this page's own content is held to the standard."""
    found = []
    for v in axe_violations(page):
        nodes = v["nodes"]
        if v["id"] == "color-contrast":
            nodes = [n for n in nodes if not page.locator(n[0]).first.evaluate("e => !!e.closest('.govuk-header')")]
        if nodes:
            found.append({**v, "nodes": nodes})
    return found


def record_contact(page: Page, outcome: str) -> None:
    page.get_by_role("link", name="Record a contact attempt").click()
    page.get_by_role("group", name="How did you try to make contact?").get_by_label("Phone call").check()
    page.get_by_role("group", name="What happened?").get_by_label(outcome).check()
    page.get_by_role("button", name="Record attempt").click()
    page.get_by_text("Contact attempt recorded").wait_for()


def record_phq9(page: Page, stage: str, answers: list[int]) -> None:
    """PHQ-9 by its published questions and answer options (onedoor/casework/data/measures.json)."""
    spec = measures.spec("phq9")
    page.get_by_role("link", name="Record PHQ-9").click()
    page.get_by_role("group", name="When is this being given?").get_by_label(stage).check()
    for question, value in zip(spec.questions, answers, strict=True):
        group = page.get_by_role("group", name=f"{question.number}. {question.text}", exact=True)
        group.get_by_label(spec.published.options[value], exact=True).check()
    page.get_by_role("button", name="Score and save").click()


def test_a_case_from_acceptance_to_closure(
    live_server: LiveServer, new_page: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    referrer = make_user(Role.REFERRER)
    worker = make_user(Role.TEAM_LEAD, org="victim-support")  # triages and holds cases
    referral = make_referral(referrer=referrer, safe_to_leave_voicemail=False)
    page = sign_in(new_page, live_server, worker)

    # 1. Accept
    page.goto(live_server.url + reverse("referrals:detail", args=[referral.reference]))
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("link", name="Open the casework for this referral").click()
    expect(page.locator("#first-contact-due")).to_be_visible()

    # 2. Two failed contact attempts, then a successful one
    record_contact(page, "No answer")
    record_contact(page, "Wrong number")
    assert page.locator("#case-status").inner_text() == "Contact attempted"
    record_contact(page, "Reached the person")
    assert page.locator("#case-status").inner_text() == "Contacted"

    # 3. Needs assessment
    page.get_by_role("link", name="Assess needs and risk").click()
    for need in NeedCategory.objects.all():
        level = "High" if need.slug == "shelter-accommodation" else "Low"
        page.get_by_role("group", name=need.name, exact=True).get_by_label(level, exact=True).check()
    for risk in ("Risk to self", "Risk from others", "Risk to others"):
        page.get_by_role("group", name=risk, exact=True).get_by_label("Low", exact=True).check()
    page.get_by_role("button", name="Save assessment").click()
    page.get_by_text("Assessment saved").wait_for()
    assert "High" in page.locator("#needs").inner_text()

    # 4. A plan with two goals
    page.get_by_role("link", name="Write the plan").click()
    page.get_by_label("Plan headline").fill("Feel safe at home again")
    page.get_by_label("Review date").fill((timezone.localdate() + timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Save").click()
    for need_label, goal, intervention in (
        ("Shelter and accommodation", "Door and window locks fitted", "Practical help"),
        ("Mental and physical health", "Sleeping better", "Emotional support"),
    ):
        page.get_by_role("link", name="Add a goal").click()
        page.get_by_label("Need this goal addresses").select_option(label=need_label)
        page.get_by_label("Goal", exact=True).fill(goal)
        page.get_by_role("group", name="Intervention").get_by_label(intervention, exact=True).check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Goal added").wait_for()
    assert page.locator("#goals li").count() == 2

    # 5. PHQ-9 at start and at closure
    record_phq9(page, "Start of support", [2, 2, 2, 2, 2, 2, 2, 2, 0])
    page.get_by_text("PHQ-9 recorded: 16 (Moderately severe).").wait_for()
    record_phq9(page, "Closure", [1, 1, 1, 1, 1, 1, 1, 1, 0])
    page.get_by_text("PHQ-9 recorded: 8 (Mild).").wait_for()
    change = page.locator("#change-phq9").inner_text()
    assert "From 16 to 8" in change and "reliable improvement" in change
    assert page.locator("#table-phq9 tbody tr").count() == 2
    assert (page.locator("svg[role=img] title").first.text_content() or "").startswith("PHQ-9 scores")
    assert page.get_by_text("never a diagnosis").first.is_visible()
    assert axe_violations_in_main(page) == []

    # 6. Closure with outcome
    page.get_by_role("link", name="Close the case").click()
    page.get_by_role("group", name="Why is the case closing?").get_by_label("Support completed").check()
    page.get_by_role("group", name="Did the person feel better able to cope and recover?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Which needs improved?").get_by_label("Shelter and accommodation").check()
    page.get_by_role("button", name="Close the case").click()
    page.get_by_text("Case closed").wait_for()
    assert page.locator("#case-status").inner_text() == "Closed"
    closure = ClosureOutcome.objects.get(referral=referral)
    assert closure.better_able_to_cope == "yes" and closure.final_scores["phq9"]["total"] == 8

    # The referrer's page shows closed, and nothing of the casework.
    referrer_page = sign_in(new_page, live_server, referrer)
    referrer_page.goto(live_server.url + reverse("referrals:mine_detail", args=[referral.reference]))
    assert referrer_page.get_by_role("heading", level=1).inner_text() == Status.CLOSED.label
    assert "Closed" in referrer_page.locator("#timeline").inner_text()
    body = referrer_page.content()
    assert "PHQ-9" not in body and "Door and window locks" not in body
