"""Sign-in throttling: how django-axes and the rate limits see a request (ADR 0005).

An account is known to the throttle, and to the audit log, only by `account_key`: a keyed hash of what
was typed in the username or email box. What was typed is never stored or logged, because people type
passwords into the username box, and because an audit row must not carry personal details.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import is_ratelimited

from onedoor.core.middleware import client_address

_KEY_SALT = "onedoor.accounts.throttle.account_key"
KEY_LENGTH = 20  # hex characters: 80 bits, plenty to tell accounts apart and too few to matter if leaked


def account_key(typed: str) -> str:
    """A keyed, truncated hash of a username or email address as typed, ignoring case and spaces around
    it (so that "Alice " and "alice" count against the same account). The key comes from SECRET_KEY."""
    return salted_hmac(_KEY_SALT, typed.strip().casefold(), algorithm="sha256").hexdigest()[:KEY_LENGTH]


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: axes counts failures against the account's key, not the typed text."""
    typed: Any = None
    if credentials:
        typed = credentials.get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return None
    return account_key(str(typed))


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: how long a lockout lasts after the last failed attempt."""
    return timedelta(minutes=cool_off_minutes())


def cool_off_minutes() -> int:
    return int(settings.ONEDOOR_SIGN_IN_COOLOFF_MINUTES)


def _address_key(group: str, request: HttpRequest) -> str:
    return client_address(request)


def email_request_limited(request: HttpRequest, *, group: str, email: str) -> bool:
    """True if this address, or this email address, has asked for account emails (sign-in links, password
    resets) too often. Each call counts one request against both."""
    by_address = is_ratelimited(
        request,
        group=f"{group}.address",
        key=_address_key,
        rate=settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS,
        increment=True,
    )
    by_email = is_ratelimited(
        request,
        group=f"{group}.email",
        key=lambda _group, _request: account_key(email),
        rate=settings.ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL,
        increment=True,
    )
    return bool(by_address or by_email)
