"""Service cards' translations, from the area's directory seed (its `translations`: a language code to
`{"language_name", "texts"}`), written into each service's ServiceTranslation rows by `load_directory`.

Each language's `texts` is a translation memory: the English of a card's text (who it is for, what
happens when you get in touch, the words beside a phone number), and its translation. Keying by the
English means one translation serves every service that says the same thing, and a text an administrator
has reworded in English is never given a translation of the old words. The translations are the area's
data, beside its services (ADR 0018). Like the public pages' catalogues, the bundled ones were written
by the developers and wait for a native speaker's review, so every row they write is marked
`needs_native_review`.

A load fills what is missing and replaces translations of English that has since changed; an
administrator's own current translation is left alone unless `reset=True`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from onedoor.directory.models import TRANSLATED_FIELDS, Service, ServiceTranslation


class TranslationFileError(ValueError):
    pass


@dataclass(frozen=True)
class Memory:
    language: str
    texts: dict[str, str]


def read_memories(data: object, source: str) -> list[Memory]:
    """The seed's `translations`, checked: each language is one OneDoor offers, and every entry maps
    English text to its non-empty translation. `source` names the file in any error."""
    if data is None:
        return []
    if not isinstance(data, dict):
        raise TranslationFileError(f"{source}: 'translations' must map a language code to its texts")
    offered = {code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    memories = []
    for language, entry in data.items():
        if language not in offered:
            raise TranslationFileError(
                f"{source}: translations for {language!r}: use one of {', '.join(sorted(offered))}"
            )
        texts = entry.get("texts") if isinstance(entry, dict) else None
        if not isinstance(texts, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip() for k, v in texts.items()
        ):
            raise TranslationFileError(
                f"{source}: translations for {language!r}: 'texts' must map each English text to its "
                "non-empty translation"
            )
        memories.append(Memory(language=language, texts=texts))
    return memories


def _apply(row: ServiceTranslation, service: Service, memory: Memory, *, reset: bool) -> bool:
    changed = False
    for field in TRANSLATED_FIELDS:
        english: str = getattr(service, field)
        bundled = memory.texts.get(english)
        if bundled and (reset or not row.text(field)) and getattr(row, field) != bundled:
            setattr(row, field, bundled)
            row.translated_from = {**row.translated_from, field: english}
            changed = True
    notes = dict(row.contact_notes) if isinstance(row.contact_notes, dict) else {}
    for phone in service.phones.all():
        bundled = memory.texts.get(phone.description)
        if bundled and (reset or not notes.get(phone.description)) and notes.get(phone.description) != bundled:
            notes[phone.description] = bundled
            changed = True
    row.contact_notes = notes
    return changed


def translations_load(*, memories: list[Memory], reset: bool = False) -> int:
    """Write the translations into every service's rows. Returns how many rows were written."""
    written = 0
    for memory in memories:
        existing = {t.service_id: t for t in ServiceTranslation.objects.filter(language=memory.language)}
        for service in Service.objects.prefetch_related("phones"):
            row = existing.get(service.pk) or ServiceTranslation(service=service, language=memory.language)
            row.service = service
            if _apply(row, service, memory, reset=reset):
                row.needs_native_review = True
                row.reviewed_by = ""
                row.save()
                written += 1
    return written
