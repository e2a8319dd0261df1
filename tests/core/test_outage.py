"""The 500 and 503 pages: friendly, and still with "Exit this page" and the urgent-help numbers."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client, RequestFactory

from onedoor.core import outage

pytestmark = pytest.mark.django_db
DB = type(connections["default"])


def assert_still_helps(page: str) -> None:
    assert "Exit this page" in page and 'href="/exit/"' in page
    assert 'href="tel:999"' in page
    # The area's lines that answer at any hour, from the area file, not from the database.
    assert "0808 16 89 111" in page and "08000 121 700" in page
    assert "build/onedoor.css" in page


@pytest.fixture
def database_down() -> Any:
    with mock.patch.object(DB, "cursor", side_effect=OperationalError("connection refused")) as down:
        yield down


@pytest.mark.parametrize("path", ["/services/", "/your-rights/", "/find-support/?happened=burglary&age=30"])
def test_every_page_answers_503_with_urgent_help_while_the_database_is_down(database_down: Any, path: str) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page and "send it again" in page
    assert_still_helps(page)


def test_pages_that_need_no_database_still_work_during_an_outage(database_down: Any) -> None:
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 200 and 'href="tel:999"' in response.content.decode()


def test_a_form_sent_during_an_outage_is_told_to_send_again(database_down: Any) -> None:
    response = Client(raise_request_exception=False, enforce_csrf_checks=False).post("/refer-yourself/", {})
    assert response.status_code == 503 and "it may not have been received" in response.content.decode()


def test_the_api_answers_503_in_json(database_down: Any) -> None:
    response = Client(raise_request_exception=False).post(
        "/api/v1/referrals", data="{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer od_abcd_secret"
    )
    assert response.status_code == 503 and "send the same request again" in response.json()["detail"]


def test_an_outage_raised_outside_any_view_is_a_503_too(rf: RequestFactory) -> None:
    request = rf.get("/")
    for error in (OperationalError("gone"), InterfaceError("connection already closed")):
        try:
            raise error
        except type(error):
            response = outage.server_error(request)
        assert response.status_code == 503


def test_a_bug_shows_the_friendly_500_page_without_the_database(rf: RequestFactory) -> None:
    with mock.patch("onedoor.public.views.selectors.services_search", side_effect=RuntimeError("bug")):
        response = Client(raise_request_exception=False).get("/services/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert_still_helps(page)
    # Rendering the page itself needs no database at all.
    with mock.patch.object(DB, "cursor", side_effect=OperationalError("down")):
        try:
            raise RuntimeError("bug")
        except RuntimeError:
            assert outage.server_error(rf.get("/")).status_code == 500


def test_the_outage_log_line_names_no_values(database_down: Any, caplog: Any) -> None:
    with mock.patch.object(DB, "cursor", side_effect=OperationalError("secret value 07700900123")):
        Client(raise_request_exception=False).get("/services/?q=07700900123")
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "onedoor.outage")
    assert "database unavailable: OperationalError on GET /services/" in logged
    assert "07700900123" not in logged


def test_urgent_lines_come_from_the_area_file() -> None:
    lines = outage.urgent_lines("warwickshire")
    assert {line["name"] for line in lines} >= {"Victim Support", "Modern Slavery Helpline"}
    assert outage.urgent_lines("no-such-area") == ()
