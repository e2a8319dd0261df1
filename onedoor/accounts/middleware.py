from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from onedoor.accounts.services import session_end_record

ALLOW_UNVERIFIED_ATTR = "onedoor_allow_unverified"


def allow_unverified(view: Any) -> Any:
    """Mark a view that a signed-in user may use before completing two-factor sign-in."""
    setattr(view, ALLOW_UNVERIFIED_ATTR, True)
    return view


def is_two_factor_complete(user: Any) -> bool:
    if not getattr(settings, "ONEDOOR_REQUIRE_2FA", True):
        return True
    if not user.is_authenticated or not user.needs_two_factor:
        return True
    verified = getattr(user, "is_verified", None)  # added by django-otp's middleware to request.user
    return bool(verified and verified())


class RequireTwoFactorMiddleware:
    """Staff roles must finish two-factor sign-in before any other page. The API's session
    authentication applies the same rule (onedoor.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith("/api/") or getattr(view_func, ALLOW_UNVERIFIED_ATTR, False):
            return None
        if is_two_factor_complete(request.user):
            return None
        return redirect("accounts:two_factor")


# -- session limits (ADR 0005) ------------------------------------------------------------------------
SESSION_STARTED_KEY = "onedoor_signed_in_at"
SESSION_SEEN_KEY = "onedoor_last_seen_at"
SESSION_ENDED_KEY = "onedoor_session_ended"
# The last-seen time is written at most this often, so that browsing does not write the session on every
# request; an idle session may therefore end up to this many seconds early.
SEEN_GRANULARITY_SECONDS = 30


def session_started(request: HttpRequest) -> None:
    """Start both clocks when someone signs in (connected to `user_logged_in` in signals.py)."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SESSION_STARTED_KEY] = now
        session[SESSION_SEEN_KEY] = now


def session_end_reason(session: Any, now: float) -> str | None:
    """`idle` if nothing was asked for within the idle timeout, `expired` once SESSION_COOKIE_AGE has
    passed since sign-in, otherwise None."""
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if started is None or seen is None:
        return None
    if now - started >= settings.SESSION_COOKIE_AGE:
        return "expired"
    if now - seen >= settings.ONEDOOR_IDLE_TIMEOUT_MINUTES * 60:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """End a signed-in session after ONEDOOR_IDLE_TIMEOUT_MINUTES without a request, and at
    SESSION_COOKIE_AGE after sign-in however busy it is. Django alone cannot hold the absolute limit: a
    session that is written to has its expiry pushed back each time. The next request after the end is
    sent to the sign-in page, which says why; API requests carry on unauthenticated and are refused by the
    API's own authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            if session.get(SESSION_STARTED_KEY) is None:  # signed in before this middleware was deployed
                session_started(request)
            reason = session_end_reason(session, now)
            if reason is not None:
                return self._end(request, user, reason)
            if now - session[SESSION_SEEN_KEY] >= SEEN_GRANULARITY_SECONDS:
                session[SESSION_SEEN_KEY] = int(now)
        return self.get_response(request)

    def _end(self, request: HttpRequest, user: Any, reason: str) -> HttpResponse:
        session_end_record(user=user, reason=reason)
        logout(request)
        request.session[SESSION_ENDED_KEY] = reason
        if request.path.startswith("/api/"):
            return self.get_response(request)
        next_path = request.get_full_path() if request.method == "GET" else request.path
        return redirect_to_login(next_path)
