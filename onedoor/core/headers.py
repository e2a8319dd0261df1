"""Response headers that keep what a person typed, and anyone's record, out of caches (ADR 0010).

Every page OneDoor renders either holds what someone at risk answered (the public journey pages) or shows a
person (staff pages: queues, referrals, cases). Neither may be kept by the browser's disk cache, its
back-forward cache, or a proxy, where the next person at the same computer could read it with Back. So
`no-store` is the default for every response, rather than a decorator each new view must remember; only
static files (which hold nothing personal and are served with a long cache) are left alone.

The Referrer-Policy (`same-origin`) is Django's own `SECURE_REFERRER_POLICY`, set in settings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


def is_no_store(response: HttpResponseBase) -> bool:
    directives = {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


class NoStoreMiddleware:
    """Adds `Cache-Control: no-store` to every response except static files, keeping any directives a view
    set itself (Django's `never_cache` already includes no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = str(settings.STATIC_URL or "/static/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix) and not is_no_store(response):
            patch_cache_control(response, no_store=True)
        return response
