"""The commissioner's analyst in Chromium: chooses a period on the overview, sees its figures, downloads them;
opens the quarterly return, writes its commentary, downloads it. No axe violations on either page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from tests.browser.conftest import axe_violations
from tests.browser.test_casework_journey import sign_in
from tests.insights.helpers import received_on
from tests.referrals.factories import make_referral

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def test_the_analyst_chooses_a_period_sees_figures_and_downloads_them(
    live_server: LiveServer, new_page: Callable[..., Any], make_user: Callable[..., User], referrer: User
) -> None:
    received_on([make_referral(referrer=referrer) for _ in range(7)], date(2026, 8, 3))
    received_on([make_referral(referrer=referrer) for _ in range(6)], date(2025, 8, 3))
    page = sign_in(new_page, live_server, make_user(Role.COMMISSIONER_ANALYST, "opcc"))

    page.goto(f"{live_server.url}/insights/")
    page.get_by_label("Period").fill("FY2026-27-Q2")
    page.get_by_role("button", name="Show figures").click()
    row = page.locator("#headlines tr", has=page.get_by_role("rowheader", name="Demand"))
    assert row.locator("td").all_inner_texts() == ["Referrals received", "7", "0", "6"]
    assert axe_violations(page, ALL_IMPACTS) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename == "onedoor-overview-FY2026-27-Q2.csv"

    page.get_by_label("Period").fill("FY2026-27-Q7")
    page.get_by_role("button", name="Show figures").click()
    assert "has no quarter 7" in page.locator(".govuk-error-summary").inner_text()

    page.get_by_role("link", name="Quarterly return").click()
    page.get_by_label("Financial quarter").fill("FY2026-27-Q2")
    page.get_by_role("button", name="Show figures").click()
    page.get_by_role("heading", name="Quarterly return: 2026-27 Q2 (July 2026 to September 2026)").wait_for()
    page.get_by_role("textbox", name="Commentary").fill("Demand was steady over the summer.")
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Commentary saved as version 1.").wait_for()
    assert "Demand was steady over the summer." in page.locator("#commentary").inner_text()
    assert axe_violations(page, ALL_IMPACTS) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="OpenDocument (ODS)").first.click()
    assert download.value.suggested_filename == "onedoor-quarterly-return-FY2026-27-Q2.ods"
    formats = sorted(
        AuditEvent.objects.filter(action=AuditAction.INSIGHTS_EXPORTED).values_list("detail__format", flat=True)
    )
    assert formats == ["csv", "ods"]
