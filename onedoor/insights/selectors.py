"""Who may see which figures. The commissioner's analyst sees every service; a provider's team lead sees the
same pages scoped to the services their own organisation runs. The scope always comes from the signed-in
user, never from anything in the URL, and everyone else is answered 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from onedoor.accounts.models import Role
from onedoor.directory.models import Service, ServiceKind
from onedoor.insights.cells import Category
from onedoor.insights.models_commentary import Commentary
from onedoor.insights.periods import Period
from onedoor.insights.query import EVERYTHING, Scope


@dataclass(frozen=True)
class Viewer:
    """The scope of a viewer's figures, and the service categories (slug, name) it covers."""

    scope: Scope
    services: tuple[Category, ...]
    is_commissioner: bool


def insights_viewer(*, user: Any) -> Viewer:
    """The figures `user` may see: everything for the commissioner's analyst, their organisation's
    commissioned services for a provider's team lead, and a 404 for anyone else (a team lead whose
    organisation runs no commissioned service included: there is nothing of theirs to show)."""
    role = getattr(user, "role", None)
    services = Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name")
    if role == Role.COMMISSIONER_ANALYST:
        return Viewer(
            scope=EVERYTHING, services=tuple(Category(s.slug, s.name) for s in services), is_commissioner=True
        )
    if role == Role.TEAM_LEAD and getattr(user, "organisation_id", None) is not None:
        own = list(services.filter(organisation_id=user.organisation_id).select_related("organisation"))
        if own:
            name = own[0].organisation.name if own[0].organisation else "your organisation"
            return Viewer(
                scope=Scope(services=frozenset(s.pk for s in own), label=f"{name}'s services"),
                services=tuple(Category(s.slug, s.name) for s in own),
                is_commissioner=False,
            )
    raise Http404


def commentary_history(*, period: Period) -> list[Commentary]:
    """Every version of a period's commentary, the latest first, with who wrote it."""
    return list(Commentary.objects.filter(period_code=period.code).select_related("author").order_by("-version"))
