"""Service cards in the person's language, in Chromium: an Urdu results page shows each service's own
words in Urdu, right to left, marked with its language; the name stays as published, left to right; the
page passes axe. With JavaScript on and off (axe itself needs it on)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from onedoor.directory.models import ServiceTranslation
from tests.browser.conftest import axe_violations


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_an_urdu_results_page_shows_the_service_text_in_urdu(
    new_page: Callable[..., Page], live_server: LiveServer, js: bool
) -> None:
    page = new_page(java_script_enabled=js)
    page.goto(live_server.url + "/ur/find-support/")
    page.locator("input[name=happened][value=break-in]").check()
    page.locator("input[name=age]").fill("40")
    page.locator("input[name=district][value=E07000222]").check()
    page.locator("input[name=told_police][value=yes]").check()
    page.locator("#show-support").click()
    page.locator(".onedoor-results").first.wait_for()
    page.wait_for_load_state()

    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ur", "rtl")
    card = page.locator('.onedoor-service-card[data-service="victim-support"]').first
    urdu = ServiceTranslation.objects.get(service__slug="victim-support", language="ur")

    who = card.locator("dd span", has_text=urdu.eligibility_description)
    assert who.count() == 1
    assert (who.get_attribute("lang"), who.get_attribute("dir")) == ("ur", "rtl")
    # The browser lays it out right to left.
    assert who.evaluate("el => getComputedStyle(el).direction") == "rtl"
    nxt = card.locator("dd span", has_text=urdu.what_happens_next)
    assert (nxt.get_attribute("lang"), nxt.get_attribute("dir")) == ("ur", "rtl")
    note = card.locator(".govuk-hint[lang=ur]").first
    assert note.get_attribute("dir") == "rtl" and note.inner_text().strip("()") in urdu.contact_notes.values()

    title = card.locator(".govuk-summary-card__title")
    assert title.inner_text() == urdu.service.name  # the name stays as published
    assert (title.get_attribute("lang"), title.get_attribute("dir")) == ("en-gb", "ltr")
    # No card on the page keeps its who-it-is-for in English.
    english = page.locator(".onedoor-service-card dd span[lang=en-gb]", has_text="Anyone in Warwickshire")
    assert english.count() == 0

    if js:  # axe runs in the page, and its promises never settle with the page's JavaScript off
        assert not axe_violations(page)
