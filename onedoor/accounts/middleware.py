from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

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
