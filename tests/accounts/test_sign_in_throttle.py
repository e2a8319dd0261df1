"""Password sign-in resists guessing: django-axes counts failures per account and per client address."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pytest_django import Settings

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import sign_in_unlock
from onedoor.accounts.throttle import KEY_LENGTH, account_key
from onedoor.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/account/sign-in/"
PASSWORD = "a-long-test-password"


def _try(client: Client, username: str, password: str, address: str = "198.51.100.7") -> Any:
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sixty_wrong_passwords_then_the_right_one_does_not_sign_in(referrer: User, client: Client) -> None:
    for _ in range(60):
        assert _try(client, referrer.username, "wrong-guess").status_code in {200, 429}
    response = _try(client, referrer.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/referrals/mine/").status_code == 302  # still signed out


def test_locks_at_the_limit_and_says_how_long_to_wait(referrer: User, client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.ONEDOOR_SIGN_IN_COOLOFF_MINUTES = 20
    assert _try(client, referrer.username, "wrong").status_code == 200
    assert _try(client, referrer.username, "wrong").status_code == 200
    locked = _try(client, referrer.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in is paused" in page and "20 minutes" in page
    assert "/account/password-reset/" in page  # the way out without waiting
    assert _try(client, referrer.username, PASSWORD).status_code == 429


def test_per_account_lock_holds_from_another_address(referrer: User, client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        _try(client, referrer.username, "wrong", address=f"198.51.100.{n + 1}")
    assert _try(Client(), referrer.username, PASSWORD, address="192.0.2.50").status_code == 429
    # The username is counted whatever its case or surrounding spaces.
    assert _try(Client(), f" {referrer.username.upper()} ", PASSWORD, address="192.0.2.51").status_code == 429


def test_per_address_lock_holds_for_other_accounts(
    make_user: Callable[..., User], client: Client, settings: Settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        _try(client, f"guess-{n}", "wrong", address="203.0.113.66")
    other = make_user(Role.REFERRER)
    assert _try(Client(), other.username, PASSWORD, address="203.0.113.66").status_code == 429
    # The same account from another address signs in.
    assert _try(Client(), other.username, PASSWORD, address="203.0.113.67").status_code == 302


def test_lock_ends_after_the_cool_off(referrer: User, client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _try(client, referrer.username, "wrong")
    assert _try(client, referrer.username, PASSWORD).status_code == 429
    settings.ONEDOOR_SIGN_IN_COOLOFF_MINUTES = 0  # the cool-off has now passed
    assert _try(client, referrer.username, PASSWORD).status_code == 302


def test_failures_are_audited_by_keyed_hash_only(referrer: User, client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    typed = "my-password-typed-in-the-wrong-box"
    _try(client, typed, "wrong", address="192.0.2.77")
    _try(client, referrer.username, "wrong")
    _try(client, referrer.username, "wrong")  # locks
    failed = list(AuditEvent.objects.filter(action="user.sign_in_failed").order_by("id"))
    assert [e.detail["account"] for e in failed] == [
        account_key(typed),
        account_key(referrer.username),
        account_key(referrer.username),
    ]
    [lock] = AuditEvent.objects.filter(action="user.sign_in_locked_out")
    assert lock.detail == {"account": account_key(referrer.username), "cool_off_minutes": 15}
    everything = str(list(AuditEvent.objects.values())) + str(list(AccessAttempt.objects.values()))
    assert typed not in everything and referrer.username not in everything
    assert "wrong" not in str(list(AccessAttempt.objects.values_list("post_data", flat=True)))


@hsettings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_account_key_is_short_hex_and_ignores_case_and_spaces(typed: str) -> None:
    key = account_key(typed)
    assert len(key) == KEY_LENGTH and all(c in "0123456789abcdef" for c in key)
    assert account_key(f"  {typed}  ") == account_key(typed) == account_key(typed.casefold())


def test_account_key_depends_on_the_secret_key(settings: Settings) -> None:
    before = account_key("alice")
    settings.SECRET_KEY = "another-deployments-secret-key-0123456789"
    assert account_key("alice") != before


def test_unlock_command_lifts_an_account_lock_and_is_audited(
    referrer: User, client: Client, settings: Settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _try(client, referrer.username, "wrong", address="198.51.100.20")
    assert _try(Client(), referrer.username, PASSWORD, address="192.0.2.9").status_code == 429
    out = StringIO()
    call_command("unlock_sign_in", referrer.username, stdout=out)
    # One record per address the account was tried from: the two wrong passwords, and the refused try.
    assert "Removed 2 failure records" in out.getvalue()
    [event] = AuditEvent.objects.filter(action="user.sign_in_unlocked")
    assert event.detail == {"account": account_key(referrer.username), "records": 2}
    assert event.channel == "cli"
    assert _try(Client(), referrer.username, PASSWORD, address="192.0.2.9").status_code == 302


def test_unlock_by_address(make_user: Callable[..., User], client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for n in range(2):
        _try(client, f"guess-{n}", "wrong", address="203.0.113.80")
    user = make_user(Role.REFERRER)
    assert _try(Client(), user.username, PASSWORD, address="203.0.113.80").status_code == 429
    out = StringIO()
    call_command("unlock_sign_in", "--address", "203.0.113.80", stdout=out)
    assert _try(Client(), user.username, PASSWORD, address="203.0.113.80").status_code == 302


def test_unlock_needs_something_to_unlock() -> None:
    with pytest.raises(ValueError, match="username or an address"):
        sign_in_unlock()
    assert sign_in_unlock(username="nobody-locked") == 0
    assert not AuditEvent.objects.filter(action="user.sign_in_unlocked").exists()


def test_the_admin_sign_in_is_throttled_too(make_user: Callable[..., User], client: Client, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    for _ in range(2):
        client.post("/admin/login/", {"username": admin_user.username, "password": "wrong"}, REMOTE_ADDR="192.0.2.3")
    assert _try(Client(), admin_user.username, PASSWORD, address="192.0.2.4").status_code == 429
