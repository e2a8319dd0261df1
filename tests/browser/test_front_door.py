"""The public front door in Chromium: the find-support journey, self-referral, quick exit (which stays on
screen to the bottom of every page, and leaves nothing behind for Back), accessibility (axe-core) and narrow
screens, with JavaScript on and off."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import User
from onedoor.public.views import DEFAULT_EXIT_URL
from onedoor.referrals import selectors as referral_selectors
from onedoor.referrals.models import Referral
from tests.browser.conftest import axe_violations

NEUTRAL_HOST = urlsplit(DEFAULT_EXIT_URL).netloc
PUBLIC_PAGES = [
    "",
    "find-support/",
    "services/?q=helpline",
    "services/",
    "your-rights/",
    "refer-yourself/",
    "feedback/",
    "privacy/",
    "staying-safe-online/",
]
# Pages that show someone's answers are reached by answering, as a person would (the answers go by POST).
ANSWERED_PAGES = ["find-support/ (results)", "your-rights/ (answered)", "find-support/ (ask for contact)"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def guard(page: Page, live_server: LiveServer) -> list[str]:
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


def third_party(seen: list[str], live_server: LiveServer) -> list[str]:
    own = urlsplit(live_server.url).netloc
    return [u for u in seen if urlsplit(u).netloc not in (own, NEUTRAL_HOST) and not u.startswith("data:")]


def run_journey(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Find support that fits you").click()
    page.get_by_label("Someone pressured or tricked me into sexual things").check()
    page.get_by_label("How old are you?").fill("15")
    page.get_by_label("Rugby").check()
    page.locator("input[name=told_police][value=no]").check()
    page.get_by_label("Feeling well in your mind and body").check()
    page.get_by_role("button", name="Show support").click()
    page.locator(".onedoor-results").first.wait_for()


def answer(page: Page, base: str, which: str) -> None:
    """Reach an answered page by answering, in any language (by value, not by label)."""
    if which.startswith("find-support/"):
        page.goto(base + "find-support/")
        page.locator("input[name=happened][value=sexual-exploitation]").check()
        page.locator("input[name=age]").fill("15")
        page.locator("input[name=district][value=E07000220]").check()
        page.locator("input[name=told_police][value=no]").check()
        page.locator("#show-support").click()
        page.locator(".onedoor-results").first.wait_for()
        if which.endswith("(ask for contact)"):
            page.locator("#ask-for-contact").click()
            page.locator("#send-referral").wait_for()
        # The layout is measured next: wait for the stylesheet as well as the markup.
        page.wait_for_load_state()
    else:
        page.goto(base + "your-rights/")
        page.locator("input[name=reported][value=yes]").check()
        page.locator("input[name=court][value=convicted]").check()
        page.locator("#show-rights").click()
        page.wait_for_load_state()


def open_page(page: Page, base: str, path: str) -> Any:
    if path in ANSWERED_PAGES:
        answer(page, base, path)
        return None
    return page.goto(base + path)


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_find_support_for_a_sexually_exploited_15_year_old_in_rugby(
    new_page: Callable[..., Page], live_server: LiveServer, js: bool
) -> None:
    page = new_page(java_script_enabled=js)
    seen = guard(page, live_server)
    run_journey(page, live_server)
    first = page.locator(".onedoor-results--first .onedoor-service-card").first
    assert first.get_attribute("data-service") == "barnardos"
    assert "Why this service" in first.inner_text()
    assert "Barnardo's" in first.inner_text()
    # Children's help comes next for anyone under 18, then the rules' secondary service.
    cards = page.locator(".onedoor-service-card")
    slugs = [cards.nth(i).get_attribute("data-service") for i in range(5)]
    assert slugs == ["barnardos", "childline", "nspcc", "childrens-front-door", "rosa"]
    assert "keep children safe" in page.locator(".onedoor-sharing-note").inner_text()
    assert not third_party(seen, live_server)


def refer_yourself(page: Page, live_server: LiveServer) -> str:
    page.goto(live_server.url + "/refer-yourself/")
    for name, value in (("happened", "sexual-exploitation"), ("district", "E07000220")):
        field = page.locator(f"[name={name}]")
        if field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            page.locator(f"input[name={name}][value={value}]").check()
    page.locator("input[name=age]").fill("15")
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
    new_page: Callable[..., Page],
    live_server: LiveServer,
    js: bool,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
) -> None:
    from onedoor.accounts.models import Role

    page = new_page(java_script_enabled=js)
    seen = guard(page, live_server)
    reference = refer_yourself(page, live_server)
    assert re.fullmatch(r"OD-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert "What happens next" in page.content()
    referral = Referral.objects.get(reference=reference)
    assert referral.current_service is not None
    assert referral.source == "self" and referral.current_service.slug == "barnardos"
    assert referral.preferred_language == "Polish" and referral.safe_to_text
    assert referral in referral_selectors.queue(service=referral.current_service)
    triage = make_user(Role.PROVIDER_TRIAGE, org="barnardos")
    assert reference in signed_in_client(triage).get("/queue/barnardos/").content.decode()
    assert not third_party(seen, live_server)


def left_for_the_neutral_site(page: Page, live_server: LiveServer, act: Any) -> None:
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
def test_quick_exit_leaves_the_page(new_page: Callable[..., Page], live_server: LiveServer, js: bool) -> None:
    page = new_page(java_script_enabled=js)
    guard(page, live_server)
    page.goto(live_server.url + "/find-support/")
    left_for_the_neutral_site(page, live_server, lambda: page.get_by_role("button", name="Exit this page").click())


def test_quick_exit_keyboard_shortcut(page: Page, live_server: LiveServer) -> None:
    guard(page, live_server)
    page.goto(live_server.url + "/your-rights/")
    page.locator("h1").click()

    def press_shift_three_times() -> None:
        for _ in range(3):
            page.keyboard.press("Shift")

    left_for_the_neutral_site(page, live_server, press_shift_three_times)


@pytest.mark.parametrize("lang", ["", "ur/"], ids=["english", "urdu-rtl"])
def test_no_serious_accessibility_violations(new_page: Callable[..., Page], live_server: LiveServer, lang: str) -> None:
    page = new_page()
    guard(page, live_server)
    failures = {}
    for path in PUBLIC_PAGES + ANSWERED_PAGES:
        open_page(page, f"{live_server.url}/{lang}", path)
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


def test_every_page_in_every_language_works_without_javascript_at_320px(
    new_page: Callable[..., Page], live_server: LiveServer
) -> None:
    from django.conf import settings

    page = new_page(java_script_enabled=False, viewport={"width": 320, "height": 640})
    seen = guard(page, live_server)
    for code, _ in settings.LANGUAGES:
        prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
        for path in PUBLIC_PAGES + ANSWERED_PAGES:
            response = open_page(page, f"{live_server.url}/{prefix}", path)
            assert response is None or response.status == 200, (code, path)
            assert page.get_attribute("html", "lang") == code
            assert page.get_attribute("html", "dir") == ("rtl" if code == "ur" else "ltr")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (code, path, width)
            assert page.locator("#exit-this-page").is_visible()
    assert not third_party(seen, live_server)


EXIT_BOX = """() => {
  const b = document.querySelector('#exit-this-page');
  const r = b.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, x: x, y: y,
          width: innerWidth, height: innerHeight, uncovered: !!hit && b.contains(hit),
          scrollY: scrollY, scrollHeight: document.documentElement.scrollHeight};
}"""


def exit_in_view(page: Page) -> dict[str, Any]:
    box: dict[str, Any] = page.evaluate(EXIT_BOX)
    where = {k: box[k] for k in ("top", "bottom", "scrollY", "scrollHeight")} | {"url": page.url}
    assert box["top"] >= 0 and box["bottom"] <= box["height"], f"{page.url} {where}"
    assert box["left"] >= 0 and box["right"] <= box["width"], box
    assert box["uncovered"], where  # nothing is drawn over it
    return box


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_exit_this_page_stays_in_view_to_the_bottom_of_every_page_and_works_there(
    new_page: Callable[..., Page], live_server: LiveServer, viewport: str, js: bool
) -> None:
    """Scroll each public page from top to bottom, a screen at a time: the button is on screen, uncovered, at
    every step. At the bottom, a click where the button is drawn (not a scripted click, which would scroll
    to it first) leaves for the neutral site."""
    size = VIEWPORTS[viewport]
    page = new_page(viewport=size, java_script_enabled=js)
    guard(page, live_server)
    screens = {}
    for path in PUBLIC_PAGES + ANSWERED_PAGES:
        open_page(page, live_server.url + "/", path)
        height = page.evaluate("document.documentElement.scrollHeight")
        screens[path] = height / size["height"]
        for y in range(0, height, size["height"] // 2):
            page.evaluate(f"window.scrollTo(0, {y})")
            exit_in_view(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        box = exit_in_view(page)
        assert box["scrollY"] + size["height"] >= box["scrollHeight"] - 1  # really at the bottom
        left_for_the_neutral_site(page, live_server, lambda b=box: page.mouse.click(b["x"], b["y"]))
    # The test really scrolled: the self-referral form is several screens long on a phone.
    if viewport == "phone":
        assert screens["refer-yourself/"] > 5, screens
    assert screens["services/"] > 10, screens


def _no_answers_on(page: Page) -> None:
    html = page.content()
    assert "onedoor-results" not in html and 'data-service="barnardos"' not in html
    assert page.locator("input[name=happened]:checked").count() == 0
    assert page.locator("input[name=district]:checked").count() == 0
    ages = page.locator("input[name=age]")
    assert all(ages.nth(i).input_value() == "" for i in range(ages.count()))


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_back_after_exit_shows_no_answers_and_no_url_ever_held_them(
    new_page: Callable[..., Page], live_server: LiveServer, js: bool
) -> None:
    page = new_page(java_script_enabled=js)
    seen = guard(page, live_server)
    run_journey(page, live_server)
    assert page.locator('.onedoor-service-card[data-service="barnardos"]').count() == 1
    left_for_the_neutral_site(page, live_server, lambda: page.get_by_role("button", name="Exit this page").click())
    # Back, and Back again: neither the results nor the filled-in questions come back.
    for _ in range(2):
        page.go_back()
        page.wait_for_load_state()
        _no_answers_on(page)
    assert "age=" not in page.url and "happened=" not in page.url
    for url in seen:
        query = urlsplit(url).query
        assert not any(k in query for k in ("happened", "age=", "district", "told_police", "needs")), url


def test_change_answers_and_ask_for_contact_carry_the_answers_without_a_url(
    page: Page, live_server: LiveServer
) -> None:
    guard(page, live_server)
    run_journey(page, live_server)
    page.locator("#change-answers").click()
    page.locator("#show-support").wait_for()
    assert page.locator("input[name=happened][value=sexual-exploitation]").is_checked()
    assert page.locator("input[name=age]").input_value() == "15"
    page.locator("#show-support").click()
    page.locator("#ask-for-contact").click()
    assert page.locator("input[name=happened][value=sexual-exploitation]").is_checked()
    assert page.locator("input[name=age]").input_value() == "15"
    assert urlsplit(page.url).query == ""
    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Phone number", exact=True).fill("07700900123")
    page.get_by_label("Text message").check()
    page.get_by_label("I agree that OneDoor can pass these details").check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/refer-yourself/sent/"))
    referral = Referral.objects.get(reference=page.locator("#reference").inner_text().strip())
    assert referral.current_service is not None
    assert referral.age_at_referral == 15 and referral.current_service.slug == "barnardos"
