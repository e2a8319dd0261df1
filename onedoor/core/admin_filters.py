"""Admin list filters whose choices come from the code or a small table, not from the listed table.

A plain `list_filter = ["action"]` on a field without choices makes Django's admin find its choices with
`SELECT DISTINCT action` over the whole table on every page of the list: at a million audit events or
messages, that read is most of the page (ADR 0034). The values such a field can hold are known (the audit's
action registry, the channels, the message templates), so the filter lists those instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


def known_values_filter(field: str, title: str, values: Callable[[], Iterable[str]]) -> type[admin.SimpleListFilter]:
    """A list filter on `field` offering `values()` (read when the list is shown), sorted."""

    class KnownValues(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            return [(v, v) for v in sorted(set(values()))]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            chosen = self.value()
            return queryset.filter(**{field: chosen}) if chosen else queryset

    KnownValues.title = title
    KnownValues.__name__ = f"KnownValues_{field}"
    return KnownValues
