"""Directory records as Open Referral UK (HSDS 3.0) JSON: what /api/v1/oruk/ publishes. The shapes are the
compiled schemas' in the specification (tests/directory/hsds/, checked by tests/directory/test_oruk_schemas.py).

`Coordinates` maps a location's postcode to its (latitude, longitude), from the ONSPD table, so that a
location is published with its position where OneDoor knows it; the handler reads them in one query.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from onedoor.areas.current import area_data
from onedoor.directory.models import (
    DirectoryOrganisation,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from onedoor.directory.postcodes import postcode_normalise

Coordinates = dict[str, tuple[float, float]]


def organization_json(org: DirectoryOrganisation | None, service: Service | None = None) -> dict[str, Any]:
    if org is None:
        # A listed service always has a provider; this covers one an administrator has not linked yet.
        if service is None:
            raise ValueError("an organisation or a service is needed")
        return {"id": str(service.uuid), "name": service.name, "description": service.description or service.name}
    data: dict[str, Any] = {"id": str(org.uuid), "name": org.name, "description": org.description or org.name}
    if org.email:
        data["email"] = org.email
    if org.website:
        data["website"] = org.website
    return data


def taxonomy_json(tax: Taxonomy) -> dict[str, Any]:
    return {"id": str(tax.uuid), "name": tax.name, "description": tax.description, "version": tax.version}


def taxonomy_term_json(term: TaxonomyTerm) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(term.uuid),
        "code": term.code,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": str(term.taxonomy.uuid),
        "taxonomy_detail": taxonomy_json(term.taxonomy),
        "language": "en",
    }
    if term.parent:
        data["parent_id"] = str(term.parent.uuid)
    return data


def _phone_json(p: Phone) -> dict[str, Any]:
    return {"id": str(p.uuid), "number": p.number, "type": p.kind, "description": p.description, "languages": []}


def _offset() -> tuple[str, float]:
    """The area's UTC offset today: schedules are local wall-clock times, and ORUK times carry an offset."""
    delta = timezone.localtime().utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}", minutes / 60


def _schedule_json(s: Schedule, service: Service) -> dict[str, Any]:
    offset, hours = _offset()
    return {
        "id": str(s.uuid),
        "service_id": str(service.uuid),
        "freq": "WEEKLY",
        "byday": s.byday,
        "opens_at": s.opens_at.strftime("%H:%M:%S") + offset,
        "closes_at": s.closes_at.strftime("%H:%M:%S") + offset,
        "description": s.description,
        "timezone": hours,
    }


def location_json(loc: Location, coords: Coordinates) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(loc.uuid),
        "location_type": "physical",
        "name": loc.name,
        "description": loc.description,
        "transportation": loc.transport,
        "addresses": [
            {
                "id": str(loc.uuid),
                "location_id": str(loc.uuid),
                "address_1": loc.address_1,
                "city": loc.city,
                "region": "",
                "state_province": area_data()["directory"]["service_area"],
                "postal_code": loc.postal_code,
                "country": "GB",
                "address_type": "physical",
            }
        ]
        if loc.address_1
        else [],
        "accessibility": [{"id": str(loc.uuid), "location_id": str(loc.uuid), "description": loc.accessibility}]
        if loc.accessibility
        else [],
    }
    point = coords.get(postcode_normalise(loc.postal_code) or "")
    if point:
        data["latitude"], data["longitude"] = point
    return data


def sal_json(sal: ServiceAtLocation, service: Service, coords: Coordinates) -> dict[str, Any]:
    """A service at a location, as a service's `service_at_locations` and the list endpoint give it."""
    return {
        "id": str(sal.uuid),
        "service_id": str(service.uuid),
        "location_id": str(sal.location.uuid),
        "description": sal.description,
        "location": location_json(sal.location, coords),
    }


def sal_list_json(sal: ServiceAtLocation, coords: Coordinates, miles: float | None = None) -> dict[str, Any]:
    """One item of /service_at_locations: the link, its location and its service's own fields. Where the
    request gave a postcode, `distance_miles` (a OneDoor addition the UK profile allows) is the straight-line
    distance from the postcode's centre to the location's, in miles."""
    data = sal_json(sal, sal.service, coords)
    data["service"] = service_basic_json(sal.service)
    if miles is not None:
        data["distance_miles"] = round(miles, 1)
    return data


def sal_full_json(sal: ServiceAtLocation, coords: Coordinates, miles: float | None = None) -> dict[str, Any]:
    """/service_at_locations/{id}, and the list with `full=true`: the service's phones, schedules and
    attributes belong to the service in OneDoor, so they are given under `service`, in full."""
    data = sal_list_json(sal, coords, miles)
    data.update(
        {"contacts": [], "phones": [], "schedules": [], "attributes": [], "service": service_json(sal.service, coords)}
    )
    return data


def service_minimal_json(s: Service) -> dict[str, Any]:
    """`minimal=true`: the id and when the service last changed, for an aggregator to compare."""
    data: dict[str, Any] = {"id": str(s.uuid), "name": s.name, "status": s.status}
    if s.modified_at:
        data["last_modified"] = s.modified_at.isoformat()
    return data


def service_basic_json(s: Service) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(s.uuid),
        "name": s.name,
        "alternate_name": s.short_name,
        "description": s.description,
        "status": s.status,
        "organization_id": str(s.provider.uuid) if s.provider else str(s.uuid),
        "eligibility_description": s.eligibility_description or s.remit,
        "fees_description": s.fees_description or ("Free" if s.is_free else ""),
        "application_process": s.what_happens_next,
        "interpretation_services": s.interpretation_services,
    }
    if s.last_checked:
        data["assured_date"] = s.last_checked.isoformat()
    if s.url:
        data["url"] = s.url
    if s.email:
        data["email"] = s.email
    if s.min_age is not None:
        data["minimum_age"] = s.min_age
    if s.max_age is not None:
        data["maximum_age"] = s.max_age
    if s.modified_at:
        data["last_modified"] = s.modified_at.isoformat()
    return data


def service_json(s: Service, coords: Coordinates) -> dict[str, Any]:
    data = service_basic_json(s)
    data.update(
        {
            "organization": organization_json(s.provider, s),
            "phones": [_phone_json(p) for p in s.phones.all()],
            "schedules": [_schedule_json(x, s) for x in s.schedules.all()],
            "service_areas": [
                {
                    "id": str(a.uuid),
                    "service_id": str(s.uuid),
                    "name": a.name,
                    "description": a.description,
                    "extent": a.extent,
                    "extent_type": "other" if a.extent else "",
                }
                for a in s.service_areas.all()
            ],
            "service_at_locations": [sal_json(x, s, coords) for x in s.service_at_locations.all()],
            "languages": [
                {
                    "id": str(lang.uuid),
                    "service_id": str(s.uuid),
                    "name": lang.name,
                    "code": lang.code,
                    "note": lang.note,
                }
                for lang in s.languages.all()
            ],
            "attributes": [
                {
                    "id": str(uuid.uuid5(t.uuid, str(s.uuid))),
                    "link_id": str(s.uuid),
                    "link_type": t.taxonomy.slug,
                    "link_entity": "service",
                    "taxonomy_term_id": str(t.uuid),
                    "taxonomy_term": taxonomy_term_json(t),
                }
                for t in s.taxonomy_terms.all()
            ],
            "contacts": [],
        }
    )
    return data


def organization_full_json(
    org: DirectoryOrganisation, services: list[Service], *, full_service: bool, coords: Coordinates
) -> dict[str, Any]:
    """/organizations/{id} (and the list with `full=true`): the organisation with its services, each with
    its own fields, or in full with `full_service=true`."""
    data = organization_json(org)
    data.update(
        {
            "funding": [],
            "contacts": [],
            "phones": [],
            "locations": [],
            "programs": [],
            "organization_identifiers": [],
            "attributes": [],
            "services": [service_json(x, coords) if full_service else service_basic_json(x) for x in services],
        }
    )
    return data


def locations_of(services: list[Service]) -> list[str]:
    """The postcodes of the services' locations (prefetched), for one coordinates query."""
    return [sal.location.postal_code for s in services for sal in s.service_at_locations.all()]
