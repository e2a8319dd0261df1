"""The commissioner's pages: a chosen period with its comparisons, the filters, "not recorded" as a row, clear
errors for bad periods and filters, and downloads that are audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent, District
from onedoor.insights import periods
from tests.insights.helpers import received_on, table_rows
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]
Q2 = "FY2026-27-Q2"


@pytest.fixture
def analyst(make_user: MakeUser, signed_in_client: SignIn) -> Client:
    return signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))


def _make(referrer: User, n: int, day: date, **overrides: Any) -> None:
    received_on([make_referral(referrer=referrer, **overrides) for _ in range(n)], day)


def test_the_overview_shows_each_groups_headline_with_its_comparisons(referrer: User, analyst: Client) -> None:
    _make(referrer, 7, date(2026, 8, 3))  # this quarter
    _make(referrer, 5, date(2026, 5, 20))  # the previous quarter
    _make(referrer, 6, date(2025, 9, 30))  # the same quarter last year
    _make(referrer, 9, date(2026, 10, 1))  # after it: never counted in it
    response = analyst.get(f"/insights/?period={Q2}")
    assert response.status_code == 200
    page = response.content.decode()
    assert table_rows(page, "headlines")["Demand"] == ["Referrals received", "7", "5", "6"]
    assert "2026-27 Q2 (July 2026 to September 2026)" in page


def test_without_a_period_the_page_shows_the_last_complete_quarter(analyst: Client) -> None:
    page = analyst.get("/insights/").content.decode()
    expected = periods.last_complete_quarter(today=timezone.localdate())
    assert f'value="{expected.code}"' in page and f"<strong>{expected.label}</strong>" in page


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2026-13", "has no month 13"),
        ("FY2031-32", "is in the future"),
        ("next year", "is not a period"),
        ("2001-01..2009-12", "choose at most 60 months"),
    ],
)
def test_a_bad_period_is_a_clear_error_not_figures(analyst: Client, period: str, says: str) -> None:
    response = analyst.get("/insights/", {"period": period})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and says in page
    assert 'id="headlines"' not in page


def test_the_running_month_has_not_ended(analyst: Client) -> None:
    running = timezone.localdate().strftime("%Y-%m")
    response = analyst.get("/demand/".join(["/insights", ""]), {"period": running})
    assert response.status_code == 400 and "has not ended yet" in response.content.decode()


def test_a_group_page_breaks_down_and_keeps_not_recorded_as_a_row(referrer: User, analyst: Client) -> None:
    _make(referrer, 6, date(2026, 7, 10))
    _make(referrer, 5, date(2026, 9, 10), district=None)
    page = analyst.get("/insights/demand/", {"period": Q2, "by": "district"}).content.decode()
    rows = table_rows(page, "table-demandreceived-district")
    warwick = District.objects.get(gss_code="E07000222").name
    assert rows[warwick] == ["6", "0", "0"]
    assert rows["Not recorded"] == ["5", "0", "0"]
    assert rows["Total"] == ["11", "0", "0"]
    assert rows["Rugby"] == ["0", "0", "0"]
    # Its definition beside it, and its chart with a title and description.
    assert "A referral counts once, on the day it was received" in page
    assert "<title" in page and "<desc" in page
    assert 'id="table-trend-demandreceived"' in page  # the 13 months to September 2026


def test_filters_narrow_every_figure(referrer: User, analyst: Client) -> None:
    _make(referrer, 6, date(2026, 8, 1))
    _make(referrer, 5, date(2026, 8, 1), age=15)
    _make(referrer, 7, date(2026, 8, 1), offence="criminal-damage-arson")
    received_on([make_referral(referrer=None, source="self") for _ in range(8)], date(2026, 8, 2))

    def total(**filters: str) -> list[str]:
        page = analyst.get("/insights/demand/", {"period": Q2, "by": "total", **filters}).content.decode()
        return table_rows(page, "table-demandreceived")["Total"]

    assert total() == ["26", "0", "0"]
    assert total(age_band="under-16") == ["5", "0", "0"]
    assert total(offence_group="criminal-damage-arson") == ["7", "0", "0"]
    assert total(source="self") == ["8", "0", "0"]
    assert total(district="E07000220") == ["0", "0", "0"]


def test_a_filter_outside_the_list_is_a_clear_error(analyst: Client) -> None:
    response = analyst.get("/insights/demand/", {"period": Q2, "district": "E99999999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_an_unknown_group_is_not_found(analyst: Client) -> None:
    assert analyst.get("/insights/no-such-group/").status_code == 404


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.INSIGHTS_EXPORTED).order_by("id"))


def test_a_table_downloads_as_csv_and_the_download_is_audited(referrer: User, analyst: Client) -> None:
    _make(referrer, 6, date(2026, 8, 1))
    response = analyst.get(
        "/insights/demand/",
        {"period": Q2, "by": "total", "source": "professional", "download": "csv", "table": "demand.received"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="onedoor-demand-FY2026-27-Q2-demand.received.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Total", "6", "0", "0"] in rows
    (event,) = _exports()
    assert event.detail == {
        "page": "demand",
        "table": "demand.received",
        "period": Q2,
        "format": "csv",
        "filters": "source=professional",
    }


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_a_whole_page_downloads_as_a_spreadsheet(analyst: Client, fmt: str, content_type: str) -> None:
    response = analyst.get("/insights/", {"period": Q2, "download": fmt})
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="onedoor-overview-FY2026-27-Q2.{fmt}"'
    assert [e.detail["format"] for e in _exports()] == [fmt]


def test_a_download_of_nothing_on_the_page_is_refused_and_not_audited(analyst: Client) -> None:
    assert analyst.get("/insights/", {"period": Q2, "download": "pdf"}).status_code == 400
    assert analyst.get("/insights/", {"period": Q2, "download": "csv", "table": "nope"}).status_code == 400
    assert analyst.get("/insights/", {"period": "FY2031-32", "download": "csv"}).status_code == 400
    assert _exports() == []


@pytest.mark.parametrize(
    ("period", "counts"),
    [
        ("2026-08", ["8", "6", "5"]),  # August 2026; July 2026; August 2025
        ("FY2025-26", ["12", "0", "0"]),  # April 2025 to March 2026; the year before (twice: it is a year)
        ("2026-07..2026-08", ["14", "0", "5"]),  # two months; May and June 2026; July and August 2025
    ],
)
def test_month_year_and_custom_periods_each_with_their_comparisons(
    referrer: User, analyst: Client, period: str, counts: list[str]
) -> None:
    _make(referrer, 6, date(2026, 7, 15))
    _make(referrer, 8, date(2026, 8, 15))
    _make(referrer, 5, date(2025, 8, 15))
    _make(referrer, 7, date(2025, 5, 15))
    page = analyst.get("/insights/demand/", {"period": period, "by": "total"}).content.decode()
    assert table_rows(page, "table-demandreceived")["Total"] == counts
