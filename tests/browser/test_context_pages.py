"""The commissioner's context pages in Chromium: no serious accessibility problems (axe-core), and the
district map drawn and read without JavaScript, with its table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Organisation, Role
from onedoor.accounts.services import user_create
from onedoor.insights.context.area_files import load_area_context
from onedoor.insights.context.police_uk import police_uk_import
from tests.browser.test_casework_journey import axe_violations_in_main, sign_in
from tests.insights.context.helpers import NORTH_LSOA, public_file, street_row

PAGES = ("reach", "equity", "deprivation", "police-profile")


@pytest.fixture
def analyst_page(new_page: Callable[..., Any], live_server: LiveServer) -> Callable[..., Page]:
    load_area_context(actor=None)
    rows = [street_row(Month="2026-01") for _ in range(12)] + [street_row(Month="2026-01", **{"LSOA code": NORTH_LSOA})]
    police_uk_import(files=[("street.csv", public_file(rows))], area_forces=frozenset({"E23000017"}), actor=None)
    user = user_create(
        username="analyst-browser",
        role=Role.COMMISSIONER_ANALYST,
        organisation=Organisation.objects.get(slug="opcc"),
        email="analyst@example.org",
        password="a-long-test-password",
    )

    def make(**kwargs: Any) -> Page:
        page: Page = sign_in(lambda: new_page(**kwargs), live_server, user)
        return page

    return make


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(
    analyst_page: Callable[..., Page], live_server: LiveServer, name: str
) -> None:
    page = analyst_page()
    page.goto(f"{live_server.url}/insights/context/{name}/?period=2026-01")
    assert page.locator("h1").count() == 1
    assert axe_violations_in_main(page) == []


def test_the_map_works_without_javascript_and_has_its_table(
    analyst_page: Callable[..., Page], live_server: LiveServer
) -> None:
    page = analyst_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/insights/context/reach/?period=2026-01")
    svg = page.locator("svg.od-map")
    assert svg.count() == 1 and svg.get_attribute("role") == "img"
    assert svg.locator("path").count() == 5
    assert svg.bounding_box()["height"] > 100  # type: ignore[index]
    # Warwick's 12 would give away North Warwickshire's 1 beside the total, so both are withheld (secondary
    # suppression), on the map as in its table.
    assert "Withheld to protect confidentiality: North Warwickshire, Warwick." in (
        svg.locator("desc").text_content() or ""
    )
    page.get_by_role("link", name="Reach by district").click()
    table = page.locator("#reach-district table")
    assert table.locator("caption").inner_text().startswith("Reach by district")
    warwick = table.locator("tr").filter(has=page.get_by_role("rowheader", name="Warwick", exact=True))
    assert warwick.locator("td").first.inner_text() == "[c]"
    north = table.locator("tr").filter(has=page.get_by_role("rowheader", name="North Warwickshire", exact=True))
    assert north.locator("td").first.inner_text() == "[c]"  # 1 recorded crime: withheld
