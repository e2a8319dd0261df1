"""Refuse input that no part of OneDoor can store, before any view sees it.

A NUL character (`%00`, `\\x00`, or `\\u0000` in JSON) cannot be stored in a PostgreSQL text column, and a
lone UTF-16 surrogate (`\\ud800` in JSON) cannot be encoded as UTF-8 at all. Either, reaching a query, is a
server error. No field in OneDoor has a use for them, so one middleware answers 400, with a message that
says what to remove, wherever they appear: the path, the query string, a header (cookies included), a
URL-encoded form body or a JSON body. Uploaded files are left alone: their bytes are the file's, and the
parsers that read them report bad content row by row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

NUL_MESSAGE = (
    "Something you sent contains a character that cannot be used: a NUL character (%00) or a broken "
    "character code. Remove it from the address or the form and try again."
)

_PERCENT_NUL = re.compile(rb"%00")
_JSON_ESCAPE = re.compile(rb"\\u")


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def _bad_json(value: Any) -> bool:
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_json(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_json(v) for v in value)
    return False


def _bad_body(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        body = request.body
        return b"\x00" in body or _PERCENT_NUL.search(body) is not None
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        if b"\x00" in body:
            return True
        if _JSON_ESCAPE.search(body) is None:
            return False
        try:
            return _bad_json(json.loads(body))
        except ValueError:
            return False  # not JSON at all: the API's own parsing says so
    return False


def request_has_unstorable_input(request: HttpRequest) -> bool:
    query = str(request.META.get("QUERY_STRING", ""))
    if _bad_text(request.path) or _bad_text(query) or "%00" in query:
        return True
    if any(_bad_text(v) for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str)):
        return True
    # A quoted cookie can spell a NUL as an escape ("\\000") that only parsing turns into one.
    if any(_bad_text(k) or _bad_text(v) for k, v in request.COOKIES.items()):
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") and _bad_body(request)


class RefuseUnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_unstorable_input(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return render(request, "core/bad_input.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)
