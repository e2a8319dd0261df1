"""Load an area's configuration (organisations, services, routing rules) from onedoor/areas/<area>.json.

Another Police and Crime Commissioner's area adopts OneDoor by writing its own file, not by changing
code. Loading is an idempotent upsert, so it can run on every start. After the first load,
administrators edit the rules in the admin; `--reset-rules` puts the file's rules back.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from onedoor.accounts.models import Organisation
from onedoor.core.models import District, Flag, NeedCategory, OffenceGroup
from onedoor.directory.models import Service
from onedoor.referrals.models import RoutingRule

AREAS_DIR = Path(__file__).resolve().parent

_M2M_SLUG_FIELDS = {
    "offence_groups": OffenceGroup,
    "excluded_offence_groups": OffenceGroup,
    "flags_any": Flag,
    "flags_all": Flag,
    "flags_none": Flag,
    "needs_any": NeedCategory,
    "signpost": Service,
}


class AreaConfigError(ValueError):
    pass


def read_area(area: str) -> dict[str, Any]:
    path = AREAS_DIR / f"{area}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in AREAS_DIR.glob("*.json")))
        raise AreaConfigError(f"No area called {area!r}. Known areas: {known}")
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def _lookup(model: Any, field: str, values: list[str], rule_key: str, name: str) -> list[Any]:
    objs = list(model.objects.filter(**{f"{field}__in": values}))
    missing = sorted(set(values) - {getattr(o, field) for o in objs})
    if missing:
        raise AreaConfigError(f"Rule {rule_key!r}: unknown {name} {', '.join(missing)}")
    return objs


@transaction.atomic
def load_area(area: str, *, reset_rules: bool = False) -> dict[str, int]:
    data = read_area(area)
    orgs = {}
    for row in data["organisations"]:
        org, _ = Organisation.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "kind": row["kind"]}
        )
        orgs[org.slug] = org
    for row in data["services"]:
        defaults = {k: v for k, v in row.items() if k not in {"slug", "organisation"}}
        defaults["organisation"] = orgs[row["organisation"]] if row.get("organisation") else None
        defaults.setdefault("last_checked", date(2022, 2, 1))
        Service.objects.update_or_create(slug=row["slug"], defaults=defaults)

    rules_loaded = 0
    for row in data["routing_rules"]:
        key = row["key"]
        exists = RoutingRule.objects.filter(key=key).exists()
        if exists and not reset_rules:
            continue
        scalar = {
            k: v for k, v in row.items() if k not in _M2M_SLUG_FIELDS and k not in {"key", "service", "districts"}
        }
        scalar["effective_from"] = date.fromisoformat(row["effective_from"])
        if row.get("effective_to"):
            scalar["effective_to"] = date.fromisoformat(row["effective_to"])
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
    return {
        "organisations": len(data["organisations"]),
        "services": len(data["services"]),
        "routing_rules": rules_loaded,
    }
