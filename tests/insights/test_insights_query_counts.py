"""Every commissioner page answers in the same number of queries however many referrals there are: the count
is measured on a small area and must be exactly the same on one with many more referrals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onedoor.accounts.models import Role, User
from onedoor.referrals.models import Referral
from tests.insights.helpers import received_on
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PAGES = [
    "/insights/?period=FY2026-27-Q2",
    "/insights/demand/?period=FY2026-27-Q2&by=district",
    "/insights/demand/?period=FY2026-27-Q2&by=service&source=professional",
    "/insights/flow/?period=FY2026-27-Q2",
    "/insights/quarterly-return/?period=FY2026-27-Q2",
    "/insights/report/?period=FY2025-26",
    "/insights/?period=FY2026-27-Q2&download=csv",
]


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm the session, as a second visit would be
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def _grow(referrer: User, n: int) -> None:
    days = [date(2025, 6, 3), date(2026, 5, 3), date(2026, 8, 3), date(2026, 9, 30)]
    made: dict[date, list[Referral]] = {day: [] for day in days}
    for i in range(n):
        r = make_referral(referrer=referrer, offence="rape" if i % 3 else "burglary-residential", age=15 + i % 50)
        made[days[i % len(days)]].append(r)
    for day, referrals in made.items():
        received_on(referrals, day)


@pytest.mark.parametrize("role", [Role.COMMISSIONER_ANALYST, Role.TEAM_LEAD])
def test_each_page_takes_the_same_queries_at_any_size(
    referrer: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
    role: Role,
) -> None:
    client = signed_in_client(make_user(role, "opcc" if role == Role.COMMISSIONER_ANALYST else "rosa"))
    _grow(referrer, 3)
    small = {url: _queries(client, url) for url in PAGES}
    _grow(referrer, 30)
    big = {url: _queries(client, url) for url in PAGES}
    assert big == small
    # A ceiling, so a page that starts to query per row is noticed even when it is constant. Today every
    # count reads its rollup in its own query, for each of the three periods a figure is shown for (the
    # period, the one before, the same one a year before): the busiest group pages take a few hundred
    # queries, the same at any number of referrals. Reading a page's counts together is left for later.
    assert max(small.values()) <= 450, small
