"""Who may use the OneDoor API (/api/v1/, onedoor/api.py). Deny by default: the API's default
authentication admits nobody, so every operation must name the roles it serves with `auth=api_auth(...)`.
The apps' routers import these; onedoor/api.py, above every app, imports the routers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from onedoor.accounts.middleware import is_two_factor_complete
from onedoor.accounts.services import api_token_authenticate
from onedoor.core.roles import Role, role_set


class _RoleCheck:
    roles: frozenset[Role]

    def _admit(self, request: HttpRequest, user: Any) -> Any:
        if user is None or not user.is_active or user.role not in self.roles:
            return None
        request.user = user
        return user


class TokenAuth(_RoleCheck, HttpBearer):
    """`Authorization: Bearer od_…` from `manage.py create_api_token`."""

    def __init__(self, roles: frozenset[Role]) -> None:
        super().__init__()
        self.roles = roles

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self._admit(request, api_token_authenticate(token))


class SessionAuth(_RoleCheck, APIKeyCookie):
    """A signed-in browser session, with CSRF, and two-factor sign-in completed where the role needs it."""

    param_name = "sessionid"

    def __init__(self, roles: frozenset[Role]) -> None:
        super().__init__(csrf=True)
        self.roles = roles

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_two_factor_complete(user):
            return None
        return self._admit(request, user)


def api_auth(*roles: Role | Iterable[Role]) -> list[Any]:
    """Only these roles (`Role` members, or frozensets of them; a plain string raises TypeError)."""
    allowed = role_set(*roles)
    return [TokenAuth(allowed), SessionAuth(allowed)]


class PublicAccess:
    """Admits anyone, on purpose: for public information only (the Open Referral UK directory feed).
    Declared explicitly, so that every operation still names who may use it."""

    def __call__(self, request: HttpRequest) -> Any:
        return "public"


public_auth = [PublicAccess()]
