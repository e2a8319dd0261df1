from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.selectors import referrals_visible_to
from tests.referrals.factories import make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db


@pytest.fixture
def barnardos_referral(referrer: User) -> Any:
    referral = make_referral(referrer=referrer, offence=None, age=14, flag_slugs=["child-criminal-exploitation"])
    assert referral.current_service is not None
    assert referral.current_service.slug == "barnardos"
    return referral


def test_rosa_gets_404_for_a_barnardos_referral_by_page_and_by_api(
    barnardos_referral: Any, make_user: Callable[..., User], signed_in_client: Callable[[User], Client], client: Client
) -> None:
    rosa = make_user(Role.PROVIDER_TRIAGE, "rosa")
    web = signed_in_client(rosa)
    assert web.get(f"/cases/{barnardos_referral.reference}/").status_code == 404
    assert web.post(f"/cases/{barnardos_referral.reference}/accept/").status_code == 404
    web.logout()
    token = api_token_create(user=rosa)
    response = client.get(f"/api/v1/referrals/{barnardos_referral.reference}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404
    missing = client.get("/api/v1/referrals/OD-0000-0000", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert missing.status_code == 404
    assert response.content == missing.content


def test_the_commissioner_analyst_gets_404_for_every_referral(
    barnardos_referral: Any,
    referrer: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    client: Client,
) -> None:
    analyst = make_user(Role.COMMISSIONER_ANALYST, "opcc")
    referrals = [barnardos_referral, make_referral(referrer=referrer), make_referral(referrer=referrer, offence="rape")]
    web = signed_in_client(analyst)
    for r in referrals:
        for url in (f"/cases/{r.reference}/", f"/referrals/mine/{r.reference}/"):
            assert web.get(url).status_code == 404, url
    web.logout()
    token = api_token_create(user=analyst)
    for r in referrals:
        assert client.get(f"/api/v1/referrals/{r.reference}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    assert not referrals_visible_to(user=analyst).exists()


def test_a_referrer_sees_only_their_own(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    other = make_user(Role.REFERRER)
    theirs = make_referral(referrer=other)
    mine = make_referral(referrer=referrer)
    web = signed_in_client(referrer)
    assert web.get(f"/referrals/mine/{theirs.reference}/").status_code == 404
    page = web.get("/referrals/mine/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert list(referrals_visible_to(user=referrer)) == [mine]


def test_a_provider_that_handed_a_referral_on_no_longer_sees_it(referrer: User, make_user: Callable[..., User]) -> None:
    vs = make_user(Role.CASEWORKER, "victim-support")
    vs_triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    rosa = make_user(Role.CASEWORKER, "rosa")
    cgl = make_user(Role.CASEWORKER, "cgl")
    referral = make_referral(referrer=referrer)
    assert referral not in referrals_visible_to(user=rosa)
    services.referral_reroute(
        override_reason=TEST_OVERRIDE, referral=referral, actor=vs_triage, to_service=Service.objects.get(slug="rosa")
    )
    assert referral not in referrals_visible_to(user=vs)
    assert referral in referrals_visible_to(user=rosa)
    assert referral not in referrals_visible_to(user=cgl)


def test_opening_a_referral_writes_an_audit_row(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    web = signed_in_client(triage)
    response = web.get(f"/cases/{referral.reference}/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="referral.viewed.case", object_id=str(referral.pk)).get()
    assert (event.actor, event.channel, event.origin) == (triage, "web", "198.51.100.7")
    web.logout()
    web = signed_in_client(referrer)
    web.get(f"/referrals/mine/{referral.reference}/")
    assert AuditEvent.objects.filter(action="referral.viewed.timeline", actor=referrer).count() == 1


def test_the_referrer_timeline_never_shows_case_detail(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer, risks_to_staff="Known to carry a knife", reason="Burgled twice")
    services.referral_accept(referral=referral, actor=triage)
    page = signed_in_client(referrer).get(f"/referrals/mine/{referral.reference}/").content.decode()
    assert "Accepted" in page
    assert "knife" not in page


def test_the_referrer_sees_reasons_in_words(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    services.referral_decline(referral=referral, actor=triage, reason_code="out_of_remit")
    page = signed_in_client(referrer).get(f"/referrals/mine/{referral.reference}/").content.decode()
    assert "Not within this service&#x27;s remit" in page
    assert "out_of_remit" not in page and "outofremit" not in page
