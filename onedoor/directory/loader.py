"""Load an area's services directory from the seed file its area file names (`directory.seed`, beside it).

Then each service's card is translated from the seed's `translations` (onedoor/directory/service_translations.py).

Idempotent: organisations, taxonomies and terms are upserted; a service's directory details (phones,
schedules, languages, locations, terms, areas) are written only the first time it is seen, or with
`reset=True`, so that administrators' edits and their `last_checked` dates survive a reload. Identifiers
of seeded records are derived from their slugs, so a reset keeps the identifiers the API published.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from onedoor.accounts.models import Organisation
from onedoor.areas.files import read_area_file
from onedoor.core.models import District, Flag, NeedCategory, OffenceGroup
from onedoor.directory.models import (
    DirectoryOrganisation,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceKind,
    Taxonomy,
    TaxonomyTerm,
    TranslationReview,
)
from onedoor.directory.service_translations import read_memories, translations_load

# A fixed namespace so that seeded records get the same identifiers on every machine.
NAMESPACE = uuid.UUID("6f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11")
TERM_PREFIXES = {"crime": "crime-types", "need": "needs", "audience": "audience", "help": "help-types"}


class DirectoryConfigError(ValueError):
    pass


def stable_uuid(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(parts))


def _time(value: str) -> time:
    return time.fromisoformat(value)


def _taxonomies(rows: list[dict[str, Any]]) -> dict[str, TaxonomyTerm]:
    terms: dict[str, TaxonomyTerm] = {}
    for row in rows:
        tax, _ = Taxonomy.objects.update_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "description": row["description"], "version": row.get("version", "")},
            create_defaults={
                "uuid": stable_uuid("taxonomy", row["slug"]),
                "name": row["name"],
                "description": row["description"],
                "version": row.get("version", ""),
            },
        )
        entries: list[tuple[str, str, str]]
        if tax.slug == "crime-types":
            entries = [(o.slug, o.name, o.category) for o in OffenceGroup.objects.all()]
            entries += [(f.slug, f.name, f.description) for f in Flag.objects.all()]
        elif tax.slug == "needs":
            entries = [(n.slug, n.name, n.plain_name) for n in NeedCategory.objects.all()]
        else:
            entries = [(code, name, desc) for code, name, desc in row.get("terms", [])]
        for code, name, desc in entries:
            term, _ = TaxonomyTerm.objects.update_or_create(
                taxonomy=tax,
                code=code,
                defaults={"name": name, "description": desc},
                create_defaults={
                    "uuid": stable_uuid("term", tax.slug, code),
                    "name": name,
                    "description": desc,
                },
            )
            terms[f"{tax.slug}:{code}"] = term
    return terms


def _term(terms: dict[str, TaxonomyTerm], ref: str, service: str) -> TaxonomyTerm:
    prefix, _, code = ref.partition(":")
    key = f"{TERM_PREFIXES.get(prefix, prefix)}:{code}"
    if key not in terms:
        raise DirectoryConfigError(f"Service {service!r}: unknown taxonomy term {ref!r}")
    return terms[key]


def _write_details(
    service: Service, row: dict[str, Any], terms: dict[str, TaxonomyTerm], local: dict[str, str]
) -> None:
    slug = service.slug
    service.phones.all().delete()
    service.schedules.all().delete()
    service.languages.all().delete()
    service.service_areas.all().delete()
    service.service_at_locations.all().delete()
    phones = row.get("phones") or ([[service.phone, "voice", ""]] if service.phone else [])
    for i, (number, kind, description) in enumerate(phones):
        Phone.objects.create(
            uuid=stable_uuid("phone", slug, str(i)),
            service=service,
            number=number,
            kind=kind,
            description=description,
            order=i,
        )
    for i, (byday, opens, closes, description) in enumerate(row.get("schedules", [])):
        Schedule.objects.create(
            uuid=stable_uuid("schedule", slug, str(i)),
            service=service,
            byday=byday,
            opens_at=_time(opens),
            closes_at=_time(closes),
            description=description,
        )
    for i, (name, code) in enumerate(row.get("languages", [["English", "en"]])):
        Language.objects.create(uuid=stable_uuid("language", slug, str(i)), service=service, name=name, code=code)
    national = bool(row.get("national"))
    ServiceArea.objects.create(
        uuid=stable_uuid("service-area", slug),
        service=service,
        name="England" if national else local["service_area"],
        description="Available across England"
        if national
        else f"Available to people who live in {local['service_area']}",
        extent="" if national else local["extent"],
    )
    for loc_slug, name, address, city, postcode in row.get("locations", []):
        location, _ = Location.objects.update_or_create(
            uuid=stable_uuid("location", loc_slug),
            defaults={"name": name, "address_1": address, "city": city, "postal_code": postcode},
        )
        ServiceAtLocation.objects.create(
            uuid=stable_uuid("service-at-location", slug, loc_slug), service=service, location=location
        )
    service.taxonomy_terms.set([_term(terms, ref, slug) for ref in row.get("terms", [])])
    districts = row.get("districts", [])
    service.districts.set(District.objects.filter(gss_code__in=districts))


@transaction.atomic
def load_directory(area_name: str | Path, *, reset: bool = False) -> dict[str, int]:
    area = read_area_file(area_name)
    path = area.seed_path
    if path is None:
        return {"organisations": 0, "services": 0, "detailed": 0}
    if not path.is_file():
        raise DirectoryConfigError(f"The area file names a directory seed that is not there: {path}")
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    checked = date.fromisoformat(data["last_checked"])
    # Checked before anything is written, so that a bad entry changes nothing.
    memories = read_memories(data.get("translations"), path.name)
    terms = _taxonomies(data["taxonomies"])

    orgs: dict[str, DirectoryOrganisation] = {}
    for slug, name, description, account_slug in data["organisations"]:
        account = Organisation.objects.filter(slug=account_slug).first() if account_slug else None
        org, _ = DirectoryOrganisation.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "account": account},
            create_defaults={
                "uuid": stable_uuid("organisation", slug),
                "name": name,
                "description": description,
                "account": account,
            },
        )
        orgs[slug] = org

    # Every translated language starts as "needs review by a native speaker" until an administrator
    # records a review.
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            TranslationReview.objects.get_or_create(language=code)

    detailed = 0
    for row in data["services"]:
        slug = row["slug"]
        if row["org"] not in orgs:
            raise DirectoryConfigError(f"Service {slug!r}: unknown organisation {row['org']!r}")
        service = Service.objects.filter(slug=slug).first()
        new = service is None
        if service is None:
            service = Service(
                uuid=stable_uuid("service", slug),
                slug=slug,
                name=row["name"],
                short_name=row.get("short_name", row["name"])[:60],
                kind=ServiceKind.SIGNPOST,
                description=row.get("description", ""),
                last_checked=checked,
            )
        if not (new or reset or service.provider_id is None):
            continue  # already in the directory: administrators own it now
        service.provider = orgs[row["org"]]
        service.national = bool(row.get("national"))
        service.eligibility_description = row.get("eligibility", service.eligibility_description)
        service.is_free = row.get("is_free", True)
        service.fees_description = row.get("fees", "")
        service.email = row.get("email", service.email)
        service.data_notes = row.get("verify", "")
        for field in ("min_age", "max_age"):
            if field in row:
                setattr(service, field, row[field])
        if not service.last_checked:
            service.last_checked = checked
        if not service.phone and row.get("phones"):
            service.phone = row["phones"][0][0]
        if not service.what_happens_next:
            service.what_happens_next = (
                "You call or message them yourself. You do not have to give your name to start with, and you "
                "choose what to tell them."
            )
        service.save()
        _write_details(service, row, terms, area.data["directory"])
        detailed += 1
    # Every service's card in each bundled language, the commissioned ones from the area file included.
    translated = translations_load(memories=memories, reset=reset)
    return {
        "organisations": len(orgs),
        "services": len(data["services"]),
        "detailed": detailed,
        "translated": translated,
    }
