"""The bundled translations of service cards (onedoor/directory/translations/<language>.json), written into
each service's ServiceTranslation rows by `load_directory`.

Each file is a translation memory: the English of a card's text (who it is for, what happens when you get
in touch, the words beside a phone number), and its translation. Keying by the English means one
translation serves every service, in every area, that says the same thing, and a text an administrator
has reworded in English is never given a translation of the old words. Like the public pages'
catalogues, the bundled translations were written by the developers and wait for a native speaker's
review, so every row they write is marked `needs_native_review`.

A load fills what is missing and replaces translations of English that has since changed; an
administrator's own current translation is left alone unless `reset=True`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from onedoor.directory.models import TRANSLATED_FIELDS, Service, ServiceTranslation

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


class TranslationFileError(ValueError):
    pass


@dataclass(frozen=True)
class Memory:
    language: str
    texts: dict[str, str]


def read_memory(path: Path) -> Memory:
    """One bundled file, checked: its language is one OneDoor offers, and every entry is text to text."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TranslationFileError(f"{path.name}: not readable as JSON ({exc})") from exc
    offered = {code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE}
    language = data.get("language") if isinstance(data, dict) else None
    if language not in offered:
        raise TranslationFileError(
            f"{path.name}: 'language' must be one of {', '.join(sorted(offered))}, not {language!r}"
        )
    texts = data.get("texts")
    if not isinstance(texts, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip() for k, v in texts.items()
    ):
        raise TranslationFileError(f"{path.name}: 'texts' must map each English text to its non-empty translation")
    return Memory(language=language, texts=texts)


def bundled_memories(directory: Path = TRANSLATIONS_DIR) -> list[Memory]:
    return [read_memory(path) for path in sorted(directory.glob("*.json"))]


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


def translations_load(*, reset: bool = False, memories: list[Memory] | None = None) -> int:
    """Write the bundled translations into every service's rows. Returns how many rows were written."""
    written = 0
    for memory in memories if memories is not None else bundled_memories():
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
