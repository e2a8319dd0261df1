"""Load an area's configuration (districts, organisations, services, routing rules, message template
overrides) from its area file: a bundled name (onedoor/areas/<area>.json) or a path (docs/areas.md).

Another Police and Crime Commissioner's area adopts OneDoor by writing its own file, not by changing
code. The file is validated first (onedoor/areas/files.py); nothing is written from an invalid file.
Loading creates what is missing and leaves what exists alone, so it can run on every start without
undoing administrators' edits in the admin. `reset=True` (`load_area --reset`) puts the file's
organisations, services and rules back exactly as the file says, field by field. Districts and
their Census figures are the file's alone, so they are always brought into line with it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import Organisation
from onedoor.areas.files import AREAS_DIR, AreaConfigError, read_area
from onedoor.core.models import District, Flag, NeedCategory, OffenceGroup, ReferenceDataVersion
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageTemplate
from onedoor.referrals.models import RoutingRule

__all__ = ["AREAS_DIR", "AreaConfigError", "load_area", "read_area"]

_M2M_SLUG_FIELDS = {
    "offence_groups": OffenceGroup,
    "excluded_offence_groups": OffenceGroup,
    "flags_any": Flag,
    "flags_all": Flag,
    "flags_none": Flag,
    "needs_any": NeedCategory,
    "signpost": Service,
}


def _lookup(model: Any, field: str, values: list[str], rule_key: str, name: str) -> list[Any]:
    objs = list(model.objects.filter(**{f"{field}__in": values}))
    missing = sorted(set(values) - {getattr(o, field) for o in objs})
    if missing:
        raise AreaConfigError(f"Rule {rule_key!r}: unknown {name} {', '.join(missing)}")
    return objs


def _field_defaults(model: Any, skip: set[str]) -> dict[str, Any]:
    """Every editable column's default, so that a reset leaves nothing from an earlier edit behind."""
    return {
        f.name: f.get_default()
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in skip and not f.is_relation
    }


def _upsert(model: Any, key: dict[str, Any], values: dict[str, Any], *, reset: bool) -> tuple[Any, bool]:
    """Create the row if missing; overwrite it only on reset. Returns (row, written)."""
    existing = model.objects.filter(**key).first()
    if existing is not None and not reset:
        return existing, False
    if existing is None:
        return model.objects.create(**key, **values), True
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save()
    return existing, True


def _load_districts(data: dict[str, Any]) -> int:
    written = 0
    for i, row in enumerate(data["districts"], start=1):
        census = row["census"]
        values = {
            "name": row["name"],
            "population": census["population"],
            "census": census,
            "order": row.get("order", i),
        }
        district = District.objects.filter(gss_code=row["gss_code"]).first()
        if district is None:
            District.objects.create(gss_code=row["gss_code"], **values)
        elif any(getattr(district, k) != v for k, v in values.items()):
            District.objects.filter(pk=district.pk).update(**values)
        else:
            continue
        written += 1
    tables = sorted({f"{d['census']['table']} ({d['census']['year']})" for d in data["districts"]})
    ReferenceDataVersion.objects.update_or_create(
        dataset="districts",
        defaults={
            "version": f"{data['area']}: {', '.join(tables)}",
            "source": f"the {data['name']} area file: ONS GSS codes; Census {', '.join(tables)}",
            "loaded_at": timezone.now(),
        },
    )
    return written


def _load_message_templates(data: dict[str, Any]) -> int:
    """The area's own wordings replace the national ones for the same kind, channel and language, on every
    load: an override in the file is the area's decision, as its districts are."""
    written = 0
    for row in data.get("message_templates", []):
        key = {"key": row["key"], "channel": row["channel"], "language": row["language"]}
        values = {"body": row["body"], "subject": row.get("subject", "")}
        existing = MessageTemplate.objects.filter(**key).first()
        if existing is None:
            MessageTemplate.objects.create(**key, **values, language_name=row.get("language_name", row["language"]))
        elif any(getattr(existing, k) != v for k, v in values.items()):
            existing.body, existing.subject = values["body"], values["subject"]
            existing.save()
        else:
            continue
        written += 1
    return written


@transaction.atomic
def load_area(area: str | Path, *, reset: bool = False) -> dict[str, int]:
    data = read_area(area)
    districts_written = _load_districts(data)
    orgs = {}
    for row in data["organisations"]:
        org, _ = _upsert(Organisation, {"slug": row["slug"]}, {"name": row["name"], "kind": row["kind"]}, reset=reset)
        orgs[org.slug] = org
    services_written = 0
    for row in data["services"]:
        values = _field_defaults(Service, {"slug"})
        values.update({k: v for k, v in row.items() if k not in {"slug", "organisation"}})
        values["organisation"] = orgs[row["organisation"]] if row.get("organisation") else None
        if values.get("last_checked") and isinstance(values["last_checked"], str):
            values["last_checked"] = date.fromisoformat(values["last_checked"])
        services_written += _upsert(Service, {"slug": row["slug"]}, values, reset=reset)[1]

    rules_loaded = 0
    for row in data["routing_rules"]:
        key = row["key"]
        if RoutingRule.objects.filter(key=key).exists() and not reset:
            continue
        scalar = _field_defaults(RoutingRule, {"key"})
        scalar.update(
            {k: v for k, v in row.items() if k not in _M2M_SLUG_FIELDS and k not in {"key", "service", "districts"}}
        )
        scalar["effective_from"] = date.fromisoformat(row["effective_from"])
        scalar["effective_to"] = date.fromisoformat(row["effective_to"]) if row.get("effective_to") else None
        service = None
        if row.get("service"):
            service = Service.objects.filter(slug=row["service"]).first()
            if service is None:
                raise AreaConfigError(f"Rule {key!r}: unknown service {row['service']}")
        rule, _ = RoutingRule.objects.update_or_create(key=key, defaults={**scalar, "service": service})
        for field, model in _M2M_SLUG_FIELDS.items():
            getattr(rule, field).set(_lookup(model, "slug", row.get(field, []), key, field))
        rule.districts.set(_lookup(District, "gss_code", row.get("districts", []), key, "districts"))
        rules_loaded += 1
    if reset:
        # The file is the whole truth after a reset: rules it no longer has are removed.
        RoutingRule.objects.exclude(key__in=[r["key"] for r in data["routing_rules"]]).delete()
    return {
        "districts_written": districts_written,
        "services_written": services_written,
        "routing_rules_written": rules_loaded,
        "message_templates_written": _load_message_templates(data),
    }
