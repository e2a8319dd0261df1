"""Whatever a signed-in analyst or team lead puts in a commissioner page's query string, the answer is figures
(200) or a clear error (400, or 404 for a page that does not exist), never a server error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from onedoor.accounts.models import Role, User

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
periods = st.one_of(
    st.from_regex(r"\A(FY)?[0-9]{4}-[0-9]{2}(-Q[0-9])?(\.\.[0-9]{4}-[0-9]{2})?\Z"),
    st.text(max_size=30),
    st.sampled_from(["", "\x00", "FY2026-27-Q2", "2000-01..2000-01", "2999-12", "FY2999-00", "0000-00"]),
)
values = st.one_of(
    st.text(max_size=12), st.sampled_from(["", "not-recorded", "rosa", "victim-support", "total", "csv"])
)
pages = st.sampled_from(
    ["/insights/", "/insights/demand/", "/insights/equity/", "/insights/quarterly-return/", "/insights/report/"]
)


@pytest.mark.parametrize("role", [Role.COMMISSIONER_ANALYST, Role.TEAM_LEAD])
def test_no_query_string_makes_a_server_error(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], role: Role
) -> None:
    client = signed_in_client(make_user(role, "opcc" if role == Role.COMMISSIONER_ANALYST else "rosa"))

    @FUZZ
    @given(
        page=pages,
        period=periods,
        other=st.dictionaries(
            st.sampled_from(["service", "district", "offence_group", "source", "age_band", "by", "download", "table"]),
            values,
            max_size=4,
        ),
    )
    def check(page: str, period: str, other: dict[str, str]) -> None:
        response = client.get(page, {"period": period, **other})
        assert response.status_code in (200, 400), (page, period, other, response.status_code)

    check()
