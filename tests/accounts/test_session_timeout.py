"""Signed-in sessions end after the idle timeout and at the absolute limit, and the user is told why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import Settings

from onedoor.accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY, session_end_reason
from onedoor.accounts.models import Role, User
from onedoor.core.models import AuditEvent

pytestmark = pytest.mark.django_db

QUEUE = "/queue/rosa/"


def _age(client: Client, *, idle: int = 0, since_sign_in: int = 0) -> None:
    """Move the session's clocks back by these many seconds, as if that much time had passed."""
    session = client.session
    session[SESSION_SEEN_KEY] -= idle
    session[SESSION_STARTED_KEY] -= since_sign_in
    session.save()


@pytest.fixture
def triage_client(make_user: Callable[..., User], signed_in_client: Callable[[User], Client]) -> Client:
    client: Client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "rosa", totp=True))
    assert client.get(QUEUE).status_code == 200
    return client


def test_idle_session_ends_and_the_sign_in_page_says_why(triage_client: Client) -> None:
    _age(triage_client, idle=30 * 60 + 1)
    response = triage_client.get(QUEUE)
    assert response.status_code == 302 and response["Location"] == f"/account/sign-in/?next={QUEUE}"
    assert "_auth_user_id" not in triage_client.session
    page = triage_client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for 30 minutes" in page
    # Said once: the next visit to the sign-in page is a plain one.
    assert "You were signed out" not in triage_client.get(response["Location"]).content.decode()
    [event] = AuditEvent.objects.filter(action="user.session_ended")
    assert event.detail == {"reason": "idle"}


def test_activity_keeps_the_session_alive(triage_client: Client) -> None:
    _age(triage_client, idle=29 * 60)
    assert triage_client.get(QUEUE).status_code == 200  # this request counts as activity
    _age(triage_client, idle=29 * 60)
    assert triage_client.get(QUEUE).status_code == 200


def test_busy_session_still_ends_at_the_absolute_limit(triage_client: Client, settings: Settings) -> None:
    _age(triage_client, since_sign_in=settings.SESSION_COOKIE_AGE)
    response = triage_client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    page = triage_client.get(response["Location"]).content.decode()
    assert "you had been signed in for 8 hours" in page
    assert AuditEvent.objects.get(action="user.session_ended").detail == {"reason": "expired"}


def test_idle_timeout_is_configurable(triage_client: Client, settings: Settings) -> None:
    settings.ONEDOOR_IDLE_TIMEOUT_MINUTES = 5
    _age(triage_client, idle=5 * 60 + 1)
    assert triage_client.get(QUEUE).status_code == 302


def test_a_post_after_the_timeout_is_refused_and_changes_nothing(triage_client: Client) -> None:
    _age(triage_client, idle=31 * 60)
    response = triage_client.post("/account/password/", {"old_password": "x", "new_password1": "y"})
    assert response.status_code == 302 and response["Location"] == "/account/sign-in/?next=/account/password/"
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


def test_signing_in_again_restarts_both_clocks(make_user: Callable[..., User], client: Client) -> None:
    user = make_user(Role.REFERRER)
    client.post("/account/sign-in/", {"username": user.username, "password": "a-long-test-password"})
    _age(client, idle=31 * 60, since_sign_in=31 * 60)
    assert client.get("/referrals/mine/").status_code == 302
    client.post("/account/sign-in/", {"username": user.username, "password": "a-long-test-password"})
    assert client.get("/referrals/mine/").status_code == 200


def test_the_api_refuses_an_ended_session_without_a_redirect(triage_client: Client) -> None:
    _age(triage_client, idle=31 * 60)
    assert triage_client.get("/api/v1/referrals/OD-NOPE").status_code == 401


def test_end_reason_rules() -> None:
    session = {SESSION_STARTED_KEY: 1000, SESSION_SEEN_KEY: 1000}
    assert session_end_reason(session, 1000 + 30 * 60 - 1) is None
    assert session_end_reason(session, 1000 + 30 * 60) == "idle"
    assert session_end_reason({**session, SESSION_SEEN_KEY: 1000 + 8 * 3600 - 10}, 1000 + 8 * 3600) == "expired"
    assert session_end_reason({}, 10**10) is None  # not signed in through OneDoor's clocks
