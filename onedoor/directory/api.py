"""The read-only Open Referral UK API, /api/v1/oruk/, shaped like the ORUK profile of HSDS 3.0.

Public on purpose: the directory is public information. It publishes nothing about people.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja import Path, Query, Router
from ninja.errors import HttpError

from onedoor.accounts.api_auth import public_auth
from onedoor.areas.current import area_data
from onedoor.directory import selectors
from onedoor.directory.models import (
    DirectoryOrganisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

router = Router(tags=["open referral uk"])

ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org"
MAX_PER_PAGE = 200


# The schema states these bounds, so a client can see them; the handlers never see a value outside them.
Page = Annotated[int, Query(ge=1, description="Page number, from 1. A page after the last is empty.")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, from 1 to {MAX_PER_PAGE}.")]


def _page(qs: QuerySet[Any], *, page: int, per_page: int, render: Any) -> dict[str, Any]:
    total = qs.count()
    pages = max(1, math.ceil(total / per_page))
    # A page past the last is empty, without asking the database for an offset it cannot represent.
    items = list(qs[(page - 1) * per_page : page * per_page]) if page <= pages else []
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not items,
        "contents": [render(i) for i in items],
    }


def _datetime(value: str) -> datetime:
    try:
        parsed = parse_datetime(value) or datetime.fromisoformat(value)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        # The database compares in UTC: a time at the very edge of the calendar cannot be converted.
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise HttpError(400, "modified_after must be an ISO 8601 date and time, like 2024-04-01T09:00:00Z") from exc


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


def _sal_json(sal: ServiceAtLocation, service: Service) -> dict[str, Any]:
    loc = sal.location
    location: dict[str, Any] = {
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
    return {"id": str(sal.uuid), "service_id": str(service.uuid), "description": sal.description, "location": location}


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
    return data


def service_json(s: Service) -> dict[str, Any]:
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
            "service_at_locations": [_sal_json(x, s) for x in s.service_at_locations.all()],
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


@router.get("/", auth=public_auth, summary="About this Open Referral UK feed")
def oruk_root(request: HttpRequest) -> dict[str, Any]:
    return {"version": ORUK_VERSION, "profile": ORUK_PROFILE, "openapi_url": request.build_absolute_uri("../docs")}


@router.get("/services", auth=public_auth, summary="Services, a page at a time")
def oruk_services(
    request: HttpRequest,
    page: Page = 1,
    per_page: PerPage = 50,
    search: str = "",
    taxonomy_term_id: uuid.UUID | None = None,
    modified_after: str = "",
) -> dict[str, Any]:
    qs = selectors.services_search(
        search=search.strip(),
        taxonomy_term=str(taxonomy_term_id) if taxonomy_term_id else None,
        modified_after=_datetime(modified_after) if modified_after else None,
    )
    return _page(selectors.services_with_details(qs), page=page, per_page=per_page, render=service_json)


@router.get("/services/{service_id}", auth=public_auth, summary="One service, in full")
def oruk_service(request: HttpRequest, service_id: Annotated[uuid.UUID, Path()]) -> dict[str, Any]:
    service = selectors.services_with_details().filter(uuid=service_id).first()
    if service is None:
        raise HttpError(404, "No such service")
    return service_json(service)


@router.get("/organizations", auth=public_auth, summary="Organisations that deliver services")
def oruk_organizations(
    request: HttpRequest, page: Page = 1, per_page: PerPage = 50, search: str = ""
) -> dict[str, Any]:
    return _page(
        selectors.organisations_public(search=search.strip()), page=page, per_page=per_page, render=organization_json
    )


@router.get("/taxonomies", auth=public_auth, summary="The taxonomies OneDoor classifies services by")
def oruk_taxonomies(request: HttpRequest, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    return _page(selectors.taxonomies_public(), page=page, per_page=per_page, render=taxonomy_json)


@router.get("/taxonomy_terms", auth=public_auth, summary="Terms in those taxonomies")
def oruk_taxonomy_terms(
    request: HttpRequest,
    page: Page = 1,
    per_page: PerPage = 50,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    qs = selectors.taxonomy_terms_public(search=search.strip(), taxonomy=str(taxonomy_id) if taxonomy_id else None)
    return _page(qs, page=page, per_page=per_page, render=taxonomy_term_json)
