import re
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from onedoor.accounts.models import Role, User
from onedoor.insights.disclosure import safe_count
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def _row(page: str, caption: str, label: str) -> list[str]:
    """The data cells of the row headed `label` in the table captioned `caption`."""
    table = page.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    found = [r for r in rows if re.search(rf"<th scope=\"row\"[^>]*>\s*{re.escape(label)}\s*</th>", r)]
    assert len(found) == 1, f"one row for {label} in {caption}"
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found[0], re.S)]


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
    # Victim Support's row: 6 received in the last 30 days, 6 open now, none overdue.
    assert _row(page, "Referrals by service", "Victim Support") == ["6", "6", "0"]
    assert "fewer than 5" in page  # RoSA's single referral
    for r in [*referrals]:
        assert r.reference not in page and r.first_name not in page
    assert "Solo" not in page


def test_providers_and_referrers_cannot_open_insights(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(referrer).get("/insights/").status_code == 404
    assert signed_in_client(make_user(Role.CASEWORKER, "rosa")).get("/insights/").status_code == 404
