""" "My referrals" pages by keyset with a capped count (ADR 0034): every referral once, newest first."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from onedoor.accounts.models import User
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]


def test_older_and_newer_links_show_every_referral_once(referrer: User, signed_in_client: SignIn) -> None:
    made = [make_referral(referrer=referrer).reference for _ in range(27)]
    client = signed_in_client(referrer)

    first = client.get("/referrals/mine/").content.decode()
    assert "You have made 27 referrals." in first
    older = re.search(r'href="\?older=([0-9-]+)"', first)
    assert older and "?newer=" not in first
    second = client.get(f"/referrals/mine/?older={older.group(1)}").content.decode()

    def shown(html: str) -> list[str]:
        return re.findall(r"/referrals/mine/([A-Z0-9-]+)/", html)

    assert len(shown(first)) == 25 and len(shown(second)) == 2
    assert sorted(shown(first) + shown(second)) == sorted(made)
    newer = re.search(r'href="\?newer=([0-9-]+)"', second)
    assert newer and "?older=" not in second
    assert shown(client.get(f"/referrals/mine/?newer={newer.group(1)}").content.decode()) == shown(first)


def test_a_mangled_cursor_shows_the_first_page(referrer: User, signed_in_client: SignIn) -> None:
    reference = make_referral(referrer=referrer).reference
    response = signed_in_client(referrer).get("/referrals/mine/?older=not-a-cursor")
    assert response.status_code == 200 and reference in response.content.decode()
