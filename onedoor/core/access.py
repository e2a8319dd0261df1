"""Deny by default.

Every view declares who may use it with one of the decorators below. A view that declares nothing
cannot be reached by anyone: `DenyByDefaultMiddleware` refuses it. Objects named in a URL are fetched
through access helpers (selectors) that answer 404 to anyone who may not see them; a view whose role
list excludes the user answers 404 too, so a URL never reveals whether a thing exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from onedoor.core.roles import Role, role_set

ACCESS_ATTR = "onedoor_access"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[Role] = frozenset()
    any_signed_in: bool = False

    def allows(self, user: Any) -> bool:
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return self.any_signed_in or getattr(user, "role", None) in self.roles


def _mark(view: F, access: Access) -> F:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: F) -> F:
    """Anyone, signed in or not (the public front door, sign-in pages)."""
    return _mark(view, Access(public=True))


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their role (their own account pages)."""
    return _mark(view, Access(any_signed_in=True))


def roles(*allowed: Role | Iterable[Role]) -> Callable[[F], F]:
    """Only signed-in users with one of these roles. Takes `Role` members, or frozensets of them; a plain
    string, even one that spells a role, raises TypeError when the module is imported."""
    allowed_roles = role_set(*allowed)

    def decorator(view: F) -> F:
        return _mark(view, Access(roles=allowed_roles))

    return decorator


# URL namespaces owned by libraries that enforce their own access:
#  - "admin": OneDoor's admin site admits verified administrators only (onedoor/urls.py);
#  - "api": django-ninja, whose default authentication admits nobody, so every operation declares its
#    roles (checked by tests/test_access.py); the OpenAPI schema and docs are public by design.
SELF_GUARDED_NAMESPACES = frozenset({"admin", "api"})


def view_access(view_func: Callable[..., Any]) -> Access | None:
    access = getattr(view_func, ACCESS_ATTR, None)
    if access is None:
        wrapped = getattr(view_func, "view_class", None)
        access = getattr(wrapped, ACCESS_ATTR, None) if wrapped else None
    return access


def is_self_guarded(view_func: Callable[..., Any], namespace: str | None) -> bool:
    if namespace in SELF_GUARDED_NAMESPACES:
        return True
    # Static files are served by Django only in development (DEBUG); they are public assets.
    return getattr(view_func, "__module__", "") == "django.contrib.staticfiles.views"


class DenyByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        top_namespace = match.namespaces[0] if match and match.namespaces else None
        if is_self_guarded(view_func, top_namespace):
            return None
        access = view_access(view_func)
        if access is None:
            raise Http404("This page has no access rule, so nobody may use it.")
        if access.allows(request.user):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
