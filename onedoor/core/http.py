"""Request types for views.

`AuthedHttpRequest` is the request a view sees once `DenyByDefaultMiddleware` has admitted it through
`@signed_in` or `@roles(...)`: its `user` is a signed-in OneDoor `User`, never `AnonymousUser`. Annotate such
a view's `request` with it, and `request.user.role` or `request.user.organisation` type-check without a cast.
Public views keep `HttpRequest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:  # for the type only, so core does not import accounts at run time
    from onedoor.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User


def public_url(path: str) -> str:
    """The absolute address of a OneDoor page (a path from `reverse`), for links in messages that leave the site."""
    base: str = settings.ONEDOOR_PUBLIC_URL
    return base.rstrip("/") + path
