"""The quarterly return with its versioned, audited commentary, and the needs-assessment report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.insights import periods
from onedoor.insights.models import Commentary
from onedoor.insights.services import CommentaryError, commentary_save
from tests.insights.helpers import received_on, table_rows
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]
Q2 = periods.parse("FY2026-27-Q2")


@pytest.fixture
def analyst(make_user: MakeUser) -> User:
    return make_user(Role.COMMISSIONER_ANALYST, "opcc")


def test_every_save_is_a_new_version_and_audited_with_it(analyst: User) -> None:
    first = commentary_save(actor=analyst, period=Q2, text="  Demand rose in August.  ")
    second = commentary_save(actor=analyst, period=Q2, text="Demand rose in August, after the summer campaign.")
    other = commentary_save(actor=analyst, period=periods.parse("FY2025-26"), text="The year.")
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert list(
        Commentary.objects.filter(period_code="FY2026-27-Q2").order_by("version").values_list("text", flat=True)
    ) == [
        "Demand rose in August.",
        "Demand rose in August, after the summer campaign.",
    ]
    events = AuditEvent.objects.filter(action=AuditAction.INSIGHTS_COMMENTARY_SAVED).order_by("id")
    assert [(e.object_id, e.detail) for e in events] == [
        (str(first.pk), {"period": "FY2026-27-Q2", "version": 1}),
        (str(second.pk), {"period": "FY2026-27-Q2", "version": 2}),
        (str(other.pk), {"period": "FY2025-26", "version": 1}),
    ]
    assert all(e.actor_id == analyst.pk for e in events)


@pytest.mark.parametrize(
    ("role", "period", "text", "says"),
    [
        (Role.TEAM_LEAD, "FY2026-27-Q2", "x", "Only the commissioner's analyst"),
        (Role.COMMISSIONER_ANALYST, "2026-08", "x", "a financial quarter or a financial year"),
        (Role.COMMISSIONER_ANALYST, "FY2026-27-Q2", "   ", "Write the commentary"),
        (Role.COMMISSIONER_ANALYST, "FY2026-27-Q2", "x" * 20_001, "keep it to 20,000"),
    ],
)
def test_a_commentary_that_cannot_be_saved_says_why_and_saves_nothing(
    make_user: MakeUser, role: Role, period: str, text: str, says: str
) -> None:
    actor = make_user(role, "rosa" if role == Role.TEAM_LEAD else "opcc")
    with pytest.raises(CommentaryError, match=says):
        commentary_save(actor=actor, period=periods.parse(period), text=text)
    assert not Commentary.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.INSIGHTS_COMMENTARY_SAVED).exists()


def test_the_return_shows_its_sections_figures_and_the_latest_commentary_with_its_history(
    referrer: User, analyst: User, signed_in_client: SignIn
) -> None:
    received_on([make_referral(referrer=referrer) for _ in range(6)], date(2026, 9, 1))
    received_on([make_referral(referrer=None, source="self") for _ in range(5)], date(2026, 9, 2))
    client = signed_in_client(analyst)
    response = client.post("/insights/commentary/", {"period": Q2.code, "text": "First thoughts."})
    assert (
        response.status_code == 302
        and response["Location"] == "/insights/quarterly-return/?period=FY2026-27-Q2#commentary"
    )
    client.post("/insights/commentary/", {"period": Q2.code, "text": "Second thoughts."})
    page = client.get("/insights/quarterly-return/", {"period": Q2.code}).content.decode()
    for title in (
        "Referrals received",
        "People supported",
        "By crime type",
        "Demographics",
        "Needs and outcomes in the 8 categories",
        "Waiting times",
        "Victims&#x27; Code compliance",
    ):
        assert f">{title}</h2>" in page, title
    by_route = table_rows(page, "table-referrals-demandreceived-source")
    assert by_route["Professional referral"] == ["6", "0", "0"] and by_route["Self-referral"] == ["5", "0", "0"]
    assert table_rows(page, "table-crime-demandreceived-offence_group")["Total"] == ["11", "0", "0"]
    assert "Second thoughts." in page and "Version 2, by" in page
    assert "Earlier versions (1)" in page and "First thoughts." in page
    assert '<textarea class="govuk-textarea" id="id_text" name="text" rows="8"' in page


def test_an_empty_commentary_is_refused_with_a_message(analyst: User, signed_in_client: SignIn) -> None:
    client = signed_in_client(analyst)
    response = client.post("/insights/commentary/", {"period": Q2.code, "text": ""}, follow=True)
    assert "Write the commentary before saving it." in response.content.decode()
    assert not Commentary.objects.exists()
    assert client.post("/insights/commentary/", {"period": "FY2031-32-Q1", "text": "x"}).status_code == 400


def test_the_return_is_for_a_quarter_only(analyst: User, signed_in_client: SignIn) -> None:
    response = signed_in_client(analyst).get("/insights/quarterly-return/", {"period": "FY2025-26"})
    assert response.status_code == 400
    assert (
        "The quarterly return is for a financial quarter: write one such as FY2026-27-Q1." in response.content.decode()
    )


def test_the_report_has_the_needs_assessments_sections_for_a_year(
    referrer: User, analyst: User, signed_in_client: SignIn
) -> None:
    received_on([make_referral(referrer=referrer, age=15) for _ in range(5)], date(2025, 6, 1))
    client = signed_in_client(analyst)
    commentary_save(actor=analyst, period=periods.parse("FY2025-26"), text="The year in short.")
    page = client.get("/insights/report/", {"period": "FY2025-26"}).content.decode()
    for n, title in enumerate(("Demand", "Profile", "Flow", "Waiting", "Outcomes", "Equity", "Data quality"), 1):
        assert f">{n}. {title}</h2>" in page, title
    assert table_rows(page, "table-profile-demandreceived-age_band")["Under 16"] == ["5", "0", "0"]
    assert 'id="table-trend-demandreceived"' in page and "The year in short." in page
    response = client.get("/insights/report/", {"period": "FY2026-27-Q1"})
    assert response.status_code == 400 and "The report is for a financial year" in response.content.decode()


def test_the_report_downloads_as_a_pdf_and_is_audited(analyst: User, signed_in_client: SignIn) -> None:
    response = signed_in_client(analyst).get("/insights/report/", {"period": "FY2025-26", "download": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.INSIGHTS_EXPORTED)
    assert event.detail == {"page": "report", "table": "", "period": "FY2025-26", "format": "pdf", "filters": ""}
