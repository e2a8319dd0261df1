from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from onedoor.accounts.models import Role, User
from onedoor.insights.disclosure import safe_count
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("n", "shown"), [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")]
)
def test_small_counts_are_suppressed(n: int, shown: str) -> None:
    assert safe_count(n) == shown


def test_the_commissioner_sees_counts_and_never_a_person(
    referrer: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    referrals = [make_referral(referrer=referrer, first_name=f"Person{i}") for i in range(6)]
    make_referral(referrer=referrer, offence="rape", first_name="Solo")
    client = signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))
    with django_assert_max_num_queries(12):
        page = client.get("/insights/").content.decode()
    assert "Victim Support" in page and "6" in page
    assert "fewer than 5" in page  # RoSA's single referral
    for r in [*referrals]:
        assert r.reference not in page and r.first_name not in page
    assert "Solo" not in page


def test_providers_and_referrers_cannot_open_insights(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(referrer).get("/insights/").status_code == 404
    assert signed_in_client(make_user(Role.CASEWORKER, "rosa")).get("/insights/").status_code == 404
