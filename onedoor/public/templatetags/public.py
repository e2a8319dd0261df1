"""Template helpers for the public pages: the language switcher, and service cards' words in the page's
language."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language, get_language_info

from onedoor.areas.current import area_data
from onedoor.directory import texts
from onedoor.directory.models import Service

register = template.Library()

# The English home page is also served, unprefixed, by the project's own "home" route.
_SAME_PAGE = {"home": "home_i18n"}


def _same_page_in(request: Any, code: str) -> str:
    try:
        match = resolve(request.path_info)
        name = _SAME_PAGE.get(match.view_name, match.view_name)
        with translation.override(code):
            url = reverse(name, args=match.args, kwargs=match.kwargs)
    except (Resolver404, NoReverseMatch):
        with translation.override(code):
            url = reverse("home_i18n")
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """Each language with a link to this same page in it: plain links, so the switcher works without
    JavaScript and sets no cookie."""
    request = context["request"]
    current = get_language()
    offered = set(area_data()["languages"])  # the area's own choice, of the languages OneDoor has
    return [
        {
            "code": code,
            "name": name,
            "url": _same_page_in(request, code),
            "current": code == current,
            "bidi": get_language_info(code)["bidi"],
        }
        for code, name in settings.LANGUAGES
        if code in offered
    ]


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """`mapping[key]`, or None: for per-item values a view computed, such as each service's nearest place."""
    return (mapping or {}).get(key)


@register.simple_tag
def service_text(service: Service, field: str) -> texts.LocalText:
    """`{% service_text service "what_happens_next" as t %}`: the text in the page's language, else English,
    with its own `t.lang` and `t.dir`."""
    return texts.service_text(service, field)


@register.simple_tag
def contact_note(service: Service, english: str) -> texts.LocalText:
    """`{% contact_note service phone.description as t %}`: a phone's description in the page's language."""
    return texts.contact_note(service, english)
