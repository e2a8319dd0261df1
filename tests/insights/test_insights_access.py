"""Who sees the commissioner's pages: the analyst sees everything; a provider's team lead the same pages scoped
to their own organisation's services, never another provider's figures by any filter or URL; everyone else
is answered 404."""

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
from onedoor.insights.services import commentary_save
from tests.insights.helpers import received_on, table_rows
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]
Q2 = "FY2026-27-Q2"
PAGES = [
    f"/insights/?period={Q2}",
    f"/insights/demand/?period={Q2}",
    f"/insights/timeliness/?period={Q2}",
    f"/insights/quarterly-return/?period={Q2}",
    "/insights/report/?period=FY2025-26",
    f"/insights/?period={Q2}&download=csv",
]


@pytest.fixture
def both_providers(referrer: User) -> None:
    """Six referrals to Victim Support and seven to RoSA in July 2026."""
    received_on([make_referral(referrer=referrer) for _ in range(6)], date(2026, 7, 1))
    received_on([make_referral(referrer=referrer, offence="rape") for _ in range(7)], date(2026, 7, 1))


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (Role.REFERRER, None),
        (Role.CASEWORKER, "rosa"),
        (Role.PROVIDER_TRIAGE, "rosa"),
        (Role.POLICE_DATA_OFFICER, "warwickshire-police"),
        (Role.ADMINISTRATOR, None),
        (Role.TEAM_LEAD, "warwickshire-police"),  # a team lead whose organisation runs no commissioned service
    ],
)
def test_everyone_else_is_answered_404(
    make_user: MakeUser, signed_in_client: SignIn, role: Role, org: str | None
) -> None:
    client = signed_in_client(make_user(role, org))
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    assert client.post("/insights/commentary/", {"period": Q2, "text": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.INSIGHTS_EXPORTED).exists()


def test_signed_out_people_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/insights/")
    assert (response.status_code, response["Location"]) == (302, "/account/sign-in/?next=/insights/")


def test_the_analyst_sees_every_service(both_providers: None, make_user: MakeUser, signed_in_client: SignIn) -> None:
    client = signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))
    page = client.get("/insights/demand/", {"period": Q2, "by": "service"}).content.decode()
    rows = table_rows(page, "table-demandreceived-service")
    assert rows["General victim recovery service"][0] == "6"
    assert rows["Sexual abuse and violence support service"][0] == "7"
    assert rows["Total"][0] == "13"


def test_a_team_lead_sees_only_their_own_services(
    both_providers: None, make_user: MakeUser, signed_in_client: SignIn
) -> None:
    client = signed_in_client(make_user(Role.TEAM_LEAD, "rosa"))
    for url in PAGES[:-1]:
        assert client.get(url).status_code == 200, url
    page = client.get("/insights/demand/", {"period": Q2, "by": "service"}).content.decode()
    rows = table_rows(page, "table-demandreceived-service")
    # RoSA's own service, "not recorded", and the total: no row for any other provider's service, not even a 0.
    assert rows == {
        "Sexual abuse and violence support service": ["7", "0", "0"],
        "Not recorded": ["0", "0", "0"],
        "Total": ["7", "0", "0"],
    }
    assert "General victim recovery service" not in page
    assert table_rows(client.get(f"/insights/?period={Q2}").content.decode(), "headlines")["Demand"][1] == "7"


@pytest.mark.parametrize("url", ["/insights/", "/insights/demand/", "/insights/quarterly-return/"])
def test_another_providers_service_in_the_filter_is_an_error_never_figures(
    both_providers: None, make_user: MakeUser, signed_in_client: SignIn, url: str
) -> None:
    client = signed_in_client(make_user(Role.TEAM_LEAD, "rosa"))
    for extra in ({}, {"download": "csv"}, {"download": "xlsx", "table": "demand.received"}):
        response = client.get(url, {"period": Q2, "service": "victim-support", **extra})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Select a valid choice" in page
        assert "<table" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.INSIGHTS_EXPORTED).exists()


def test_a_team_lead_does_not_see_or_write_the_commissioners_commentary(
    make_user: MakeUser, signed_in_client: SignIn
) -> None:
    analyst = make_user(Role.COMMISSIONER_ANALYST, "opcc")
    commentary_save(actor=analyst, period=periods.parse(Q2), text="Board note on every service")
    client = signed_in_client(make_user(Role.TEAM_LEAD, "rosa"))
    page = client.get("/insights/quarterly-return/", {"period": Q2}).content.decode()
    assert "Board note on every service" not in page and 'action="/insights/commentary/"' not in page
    assert client.post("/insights/commentary/", {"period": Q2, "text": "mine"}).status_code == 404
    assert Commentary.objects.count() == 1
