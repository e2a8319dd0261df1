"""Carrying a person's answers from one public page to the next without putting them in a URL (ADR 0010).

A form is sent by POST; the view keeps the checked answers in a short-lived signed cookie and redirects (303)
to a plain GET page that reads them back. So:
- no URL holds an answer: not the browser's history, nor a server or proxy log;
- no history entry holds a POST body that Back could send again;
- nothing is kept on the server: the answers live only in this browser, for `MAX_AGE` at most;
- "Exit this page" deletes them (and Clear-Site-Data clears every cookie), so Back after exit finds nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_AGE = 30 * 60  # seconds
PREFIX = "onedoor_answers_"
# The salt keeps the module's old name (onedoor.directory.answers), so that answers already set still read.
SALT = "onedoor.directory.answers"


def _name(form: str) -> str:
    return PREFIX + form


def remember(response: HttpResponse, *, form: str, data: dict[str, Any]) -> None:
    response.set_signed_cookie(
        _name(form),
        json.dumps(data, separators=(",", ":")),
        salt=SALT,
        max_age=MAX_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def recall(request: HttpRequest, *, form: str) -> dict[str, Any] | None:
    """The answers this browser gave in the last `MAX_AGE` seconds, or None (none, too old, or tampered)."""
    raw = request.get_signed_cookie(_name(form), default=None, salt=SALT, max_age=MAX_AGE)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def forget_all(request: HttpRequest, response: HttpResponse) -> None:
    for name in request.COOKIES:
        if name.startswith(PREFIX):
            response.delete_cookie(name, path="/", samesite="Strict")
