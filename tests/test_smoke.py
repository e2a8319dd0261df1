from typing import Any

import pytest

from onedoor.accounts.models import Role
from tests.referrals.factories import make_referral


@pytest.mark.django_db
def test_pages_render_for_each_role(make_user: Any, signed_in_client: Any) -> None:
    referrer = make_user(Role.REFERRER)
    referral = make_referral(referrer=referrer)
    client = signed_in_client(referrer)
    for url in ["/", "/referrals/new/", "/referrals/mine/", f"/referrals/mine/{referral.reference}/"]:
        assert client.get(url, follow=True).status_code == 200, url
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    client = signed_in_client(triage)
    for url in ["/queue/", "/queue/victim-support/", f"/cases/{referral.reference}/"]:
        assert client.get(url, follow=True).status_code == 200, url
