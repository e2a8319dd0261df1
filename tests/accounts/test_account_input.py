"""No input to the sign-in and account pages gives a server error, on either database."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pytest_django import Settings

pytestmark = pytest.mark.django_db

PAGES = ["/account/sign-in/", "/account/sign-in/link/", "/account/password-reset/"]
awkward = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\x00", "a\x00b@example.org", "x" * 5000, "' OR 1=1 --", "user@example.org\r\nBcc: x@y.z"]),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from(PAGES), value=awkward, other=awkward)
def test_account_forms_never_fail_with_a_server_error(page: str, value: str, other: str, settings: Settings) -> None:
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS = "1000/h"
    settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL = "1000/h"
    response = Client().post(page, {"username": value, "password": other, "email": value, "next": other})
    assert response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/account/password-reset/%00/x-y/",
        "/account/password-reset/MQ/%00/",
        "/account/password-reset/99999999999999999999999/set-password/",
        "/account/sign-in/link/%00/",
    ],
)
def test_broken_links_never_fail_with_a_server_error(client: Client, path: str) -> None:
    assert client.get(path).status_code < 500
    assert client.post(path).status_code < 500
