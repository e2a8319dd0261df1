from collections.abc import Callable

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from tests.referrals.factories import make_referral


@pytest.mark.django_db
def test_pages_render_for_each_role(make_user: Callable[..., User], signed_in_client: Callable[[User], Client]) -> None:
    referrer = make_user(Role.REFERRER)
    referral = make_referral(referrer=referrer)
    client = signed_in_client(referrer)
    for url in ["/", "/referrals/new/", "/referrals/mine/", f"/referrals/mine/{referral.reference}/"]:
        assert client.get(url, follow=True).status_code == 200, url
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    client = signed_in_client(triage)
    for url in ["/queue/", "/queue/victim-support/", f"/cases/{referral.reference}/"]:
        assert client.get(url, follow=True).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "org", "lands_on", "link"),
    [
        (Role.REFERRER, None, "/referrals/mine/", "Make a referral"),
        (Role.PROVIDER_TRIAGE, "rosa", "/queue/rosa/", "My cases"),
        (Role.COMMISSIONER_ANALYST, "opcc", "/insights/", "Commissioner figures"),
        (Role.POLICE_DATA_OFFICER, "warwickshire-police", "/police/transfers/", "Overnight transfers"),
    ],
)
def test_every_role_lands_on_a_page_of_its_own(
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    role: str,
    org: str | None,
    lands_on: str,
    link: str,
) -> None:
    response = signed_in_client(make_user(role, org)).get("/", follow=True)
    assert response.redirect_chain[-1][0] == lands_on
    assert link in response.content.decode()
