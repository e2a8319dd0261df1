"""Start-up checks: OneDoor refuses to start for an area it cannot serve.

The file check runs with every management command and at `runserver` start: the area file must be
valid (which includes a commissioned offer service with a phone number) and its message template
overrides may use only the placeholders the support offer fills. The database check
(`manage.py check --database default`, run by `make run` and `make serve` after `load_area`) finds what
the loaded database lacks: a district, the offer service, the offer's English templates.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError, connections

from onedoor.areas.files import AreaConfigError, read_area
from onedoor.core.models import District
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageTemplate

OFFER_TEMPLATE_KEY = "support-offer"
# What the police support offer fills in (onedoor/police: the offer's personalisation).
OFFER_PLACEHOLDERS = frozenset({"area_name", "service_name", "service_phone", "website"})
PLACEHOLDER_RE = re.compile(r"\(\((\w+)\)\)")
HINT = "Run `manage.py check_area` on the area file, fix what it lists, then `manage.py load_area`."


def _area() -> tuple[dict[str, Any] | None, list[CheckMessage]]:
    try:
        return read_area(settings.ONEDOOR_AREA), []
    except AreaConfigError as exc:
        return None, [Error(str(exc), hint=HINT, id="onedoor.areas.E001")]


@register()
def area_file_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    data, errors = _area()
    if data is None:
        return errors
    for i, row in enumerate(data.get("message_templates", [])):
        unknown = sorted(set(PLACEHOLDER_RE.findall(row["body"])) - OFFER_PLACEHOLDERS)
        if row["key"] == OFFER_TEMPLATE_KEY and unknown:
            errors.append(
                Error(
                    f"message_templates[{i}].body: (({unknown[0]})) is not filled in by the support offer",
                    hint=f"Use only {', '.join(f'(({p}))' for p in sorted(OFFER_PLACEHOLDERS))}.",
                    id="onedoor.areas.E002",
                )
            )
    return errors


def _tables_ready(alias: str) -> bool:
    try:
        tables = set(connections[alias].introspection.table_names())
    except DatabaseError:
        return False
    return {m._meta.db_table for m in (District, Service, MessageTemplate)} <= tables


@register(Tags.database)
def area_database_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Skipped before the first migration: the tables do not exist yet, and `load_area` comes after it."""
    data, errors = _area()
    if data is None or not databases or "default" not in databases or not _tables_ready("default"):
        return errors
    if not District.objects.exists():
        errors.append(
            Error("The database has no district: the area is not loaded.", hint=HINT, id="onedoor.areas.E003")
        )
    slug = data["police_offer"]["service"]
    service = Service.objects.filter(slug=slug).first()
    if service is None or not service.phone or not service.name:
        errors.append(
            Error(
                f"The offer service {slug!r} is not in the database, or has no name or phone number: "
                "support offers would go out blank.",
                hint=HINT,
                id="onedoor.areas.E004",
            )
        )
    channels = set(
        MessageTemplate.objects.filter(key=OFFER_TEMPLATE_KEY, language="en").values_list("channel", flat=True)
    )
    if not {"sms", "email"} <= channels:
        errors.append(
            Error(
                "The support offer's English SMS and email templates are not both in the database.",
                hint="Run `manage.py migrate`, then `manage.py load_area`.",
                id="onedoor.areas.E005",
            )
        )
    return errors
