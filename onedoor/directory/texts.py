"""A service card's words in the reader's language, field by field, with English wherever a field has no
current translation. Each text carries its own `lang` and `dir`, so a page can mark an English fallback
inside an Urdu page (and the other way round) for screen readers and for right-to-left layout."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language, get_language_info

from onedoor.directory.models import TRANSLATED_FIELDS, Service, ServiceTranslation

ENGLISH = "en-gb"


@dataclass(frozen=True)
class LocalText:
    text: str
    lang: str

    @property
    def dir(self) -> str:
        return "rtl" if self.lang != ENGLISH and get_language_info(self.lang)["bidi"] else "ltr"


def translated_language(language: str | None = None) -> str | None:
    """The language to look translations up in, or None when the page is in English."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if code == settings.LANGUAGE_CODE.lower() or code.split("-")[0] == "en":
        return None
    return code


def service_translation(service: Service, language: str | None = None) -> ServiceTranslation | None:
    """The service's translation into `language` (the page's language by default). Uses the rows
    `services_with_details` prefetched, so a list of cards costs one query, not one a card."""
    code = translated_language(language)
    if code is None:
        return None
    prefetched: list[ServiceTranslation] | None = getattr(service, "current_translations", None)
    if prefetched is not None:
        return next((t for t in prefetched if t.language == code), None)
    return service.translations.filter(language=code).first()


def service_text(service: Service, field: str, language: str | None = None) -> LocalText:
    """`field` of the service card in the page's language, else in English. Who-it-is-for falls back to the
    service's remit when it has no plain-words eligibility."""
    if field not in TRANSLATED_FIELDS:
        raise ValueError(f"{field!r} is not a translated service field: use one of {', '.join(TRANSLATED_FIELDS)}")
    translation = service_translation(service, language)
    if translation is not None and (text := translation.text(field)):
        return LocalText(text, translation.language)
    english: str = getattr(service, field)
    if field == "eligibility_description" and not english:
        english = service.remit
    return LocalText(english, ENGLISH)


def contact_note(service: Service, english: str, language: str | None = None) -> LocalText:
    """The words beside a phone number (its description) in the page's language, else in English."""
    translation = service_translation(service, language)
    notes = translation.contact_notes if translation is not None else {}
    text = notes.get(english) if isinstance(notes, dict) else None
    if translation is not None and isinstance(text, str) and text.strip():
        return LocalText(text, translation.language)
    return LocalText(english, ENGLISH)
