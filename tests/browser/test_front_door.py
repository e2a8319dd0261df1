"""The public front door in Chromium: the find-support journey, self-referral, quick exit, accessibility
(axe-core) and narrow screens, with JavaScript on and off."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from onedoor.directory.views import DEFAULT_EXIT_URL
from onedoor.referrals import selectors as referral_selectors
from onedoor.referrals.models import Referral
from tests.browser.conftest import axe_violations

NEUTRAL_HOST = urlsplit(DEFAULT_EXIT_URL).netloc
PUBLIC_PAGES = [
    "",
    "find-support/",
    "find-support/?happened=sexual-exploitation&age=15&district=E07000220&told_police=no",
    "services/?q=helpline",
    "your-rights/",
    "your-rights/?reported=yes&court=yes",
    "refer-yourself/",
    "feedback/",
    "privacy/",
    "staying-safe-online/",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def guard(page: Any, live_server: Any) -> list[str]:
    """Record every request; answer the neutral exit site locally and refuse any other host."""
    own = urlsplit(live_server.url).netloc
    seen: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        seen.append(url)
        host = urlsplit(url).netloc
        if host == own or url.startswith(("data:", "blob:")):
            route.continue_()
        elif host == NEUTRAL_HOST:
            route.fulfill(status=200, content_type="text/html", body="<html><title>Weather</title></html>")
        else:
            route.abort()

    page.route("**/*", handle)
    return seen


def third_party(seen: list[str], live_server: Any) -> list[str]:
    own = urlsplit(live_server.url).netloc
    return [u for u in seen if urlsplit(u).netloc not in (own, NEUTRAL_HOST) and not u.startswith("data:")]


def run_journey(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Find support that fits you").click()
    page.get_by_label("Someone pressured or tricked me into sexual things").check()
    page.get_by_label("How old are you?").fill("15")
    page.get_by_label("Rugby").check()
    page.locator("input[name=told_police][value=no]").check()
    page.get_by_label("Feeling well in your mind and body").check()
    page.get_by_role("button", name="Show support").click()
    page.wait_for_url(re.compile(r"happened=sexual-exploitation"))


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_find_support_for_a_sexually_exploited_15_year_old_in_rugby(new_page, live_server, js):
    page = new_page(java_script_enabled=js)
    seen = guard(page, live_server)
    run_journey(page, live_server)
    first = page.locator(".onedoor-results--first .onedoor-service-card").first
    assert first.get_attribute("data-service") == "barnardos"
    assert "Why this service" in first.inner_text()
    assert "Barnardo's" in first.inner_text()
    cards = page.locator(".onedoor-service-card")
    assert cards.count() > 3
    assert cards.nth(1).get_attribute("data-service") == "rosa"
    assert not third_party(seen, live_server)


def refer_yourself(page: Any, live_server: Any) -> str:
    page.goto(live_server.url + "/refer-yourself/?happened=sexual-exploitation&age=15&district=E07000220")
    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Phone number", exact=True).fill("07700900123")
    page.get_by_label("Text message").check()
    page.get_by_label("Which language do you want to use?").select_option("Polish")
    page.get_by_label("I agree that OneDoor can pass these details").check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/refer-yourself/sent/"))
    return page.locator("#reference").inner_text().strip()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_self_referral_gives_a_reference_and_reaches_the_right_queue(
    new_page, live_server, js, make_user, signed_in_client
):
    from onedoor.accounts.models import Role

    page = new_page(java_script_enabled=js)
    seen = guard(page, live_server)
    reference = refer_yourself(page, live_server)
    assert re.fullmatch(r"OD-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert "What happens next" in page.content()
    referral = Referral.objects.get(reference=reference)
    assert referral.source == "self" and referral.current_service.slug == "barnardos"
    assert referral.preferred_language == "Polish" and referral.safe_to_text
    assert referral in referral_selectors.queue(service=referral.current_service)
    triage = make_user(Role.PROVIDER_TRIAGE, org="barnardos")
    assert reference in signed_in_client(triage).get("/queue/barnardos/").content.decode()
    assert not third_party(seen, live_server)


def left_for_the_neutral_site(page: Any, live_server: Any, act: Any) -> None:
    """Chromium follows the /exit/ redirect itself, past Playwright's routing, and the machine has no
    network: so check that the browser navigated to the neutral site and is no longer on ours."""
    with page.expect_request(lambda r: urlsplit(r.url).netloc == NEUTRAL_HOST and r.is_navigation_request()) as request:
        act()
    assert request.value.redirected_from is None or request.value.redirected_from.url.endswith("/exit/")
    own = urlsplit(live_server.url).netloc
    for _ in range(50):
        if urlsplit(page.url).netloc != own:
            break
        page.wait_for_timeout(100)
    assert urlsplit(page.url).netloc != own, page.url


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_quick_exit_leaves_the_page(new_page, live_server, js):
    page = new_page(java_script_enabled=js)
    guard(page, live_server)
    page.goto(live_server.url + "/find-support/")
    left_for_the_neutral_site(page, live_server, lambda: page.get_by_role("button", name="Exit this page").click())


def test_quick_exit_keyboard_shortcut(page, live_server):
    guard(page, live_server)
    page.goto(live_server.url + "/your-rights/")
    page.locator("h1").click()

    def press_shift_three_times() -> None:
        for _ in range(3):
            page.keyboard.press("Shift")

    left_for_the_neutral_site(page, live_server, press_shift_three_times)


@pytest.mark.parametrize("lang", ["", "ur/"], ids=["english", "urdu-rtl"])
def test_no_serious_accessibility_violations(new_page, live_server, lang):
    page = new_page()
    guard(page, live_server)
    failures = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}/{lang}{path}")
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
    # The confirmation page after a self-referral, and a form showing its errors.
    if lang == "":
        refer_yourself(page, live_server)
        if v := axe_violations(page):
            failures["refer-yourself/sent/"] = v
    page.goto(f"{live_server.url}/{lang}refer-yourself/")
    page.locator("#send-referral").click()
    page.wait_for_load_state()
    if v := axe_violations(page):
        failures["refer-yourself/ (errors)"] = v
    assert not failures, failures


def test_every_page_in_every_language_works_without_javascript_at_320px(new_page, live_server):
    from django.conf import settings

    page = new_page(java_script_enabled=False, viewport={"width": 320, "height": 640})
    seen = guard(page, live_server)
    for code, _ in settings.LANGUAGES:
        prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
        for path in PUBLIC_PAGES:
            response = page.goto(f"{live_server.url}/{prefix}{path}")
            assert response.status == 200, (code, path)
            assert page.get_attribute("html", "lang") == code
            assert page.get_attribute("html", "dir") == ("rtl" if code == "ur" else "ltr")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (code, path, width)
            assert page.locator("#exit-this-page").is_visible()
    assert not third_party(seen, live_server)
