from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from onedoor.core.audit import refusals_kept
from onedoor.core.context import origin


def client_address(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (for example with a trusted proxy middleware);
    # X-Forwarded-For is never trusted here because a client can write anything in it.
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with origin(channel, client_address(request)), refusals_kept():
            return self.get_response(request)
