"""Pages for when something has gone wrong: a friendly 500, and a 503 while the database is unreachable.

Neither page touches the database. They are rendered from a plain template context (no context
processors, so no session or user lookup), and the urgent-help numbers come from the area file on
disk, read once per process, not from the services table. Both keep "Exit this page" and 999.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from onedoor.areas.files import read_area

logger = logging.getLogger("onedoor.outage")

OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


@cache
def urgent_lines(area: str) -> tuple[dict[str, str], ...]:
    """The area's lines that answer at any hour: a static snapshot of its area file, never the database."""
    try:
        data = read_area(area)
    except (OSError, ValueError):
        return ()
    return tuple(
        {"name": str(s.get("short_name") or s["name"]), "phone": str(s["phone"]), "hours": str(s["hours"])}
        for s in data.get("services", [])
        if s.get("phone") and "24 hours" in str(s.get("hours") or "")
    )


def _context() -> dict[str, Any]:
    return {"service_name": "OneDoor", "urgent_lines": urgent_lines(settings.ONEDOOR_AREA)}


def outage_response(request: HttpRequest) -> HttpResponse:
    """503, with a Retry-After. Says plainly that what was being sent was not received."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is briefly unavailable. Nothing was saved: send the same request again."},
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html", _context()), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500. An unhandled database outage anywhere in the stack (middleware included) is a 503."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGE_ERRORS):
        return outage_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Something went wrong on our side. Try again later."}, status=500)
    return HttpResponse(loader.render_to_string(template_name, _context()), status=500)


class DatabaseOutageMiddleware:
    """Turns a lost database connection in a view into the 503 page instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except OUTAGE_ERRORS as exc:  # raised by a middleware below this one, outside any view
            return self._outage(request, exc)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGE_ERRORS):
            return self._outage(request, exception)
        return None

    def _outage(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        # The class and the path only: a driver's message may quote a query's values.
        logger.error("database unavailable: %s on %s %s", type(exc).__name__, request.method, request.path)
        return outage_response(request)
