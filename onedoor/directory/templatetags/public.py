"""Template helpers for the public pages: the language switcher."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_bidi, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """Each language with a link to this same page in it: plain links, so the switcher works without
    JavaScript and sets no cookie."""
    request = context["request"]
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        links.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "current": code == current,
                "bidi": get_language_info(code)["bidi"],
            }
        )
    return links


@register.simple_tag
def text_direction() -> str:
    return "rtl" if get_language_bidi() else "ltr"
