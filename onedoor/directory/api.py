"""The read-only Open Referral UK API, /api/v1/oruk/: the eleven endpoints of the HSDS 3.0 OpenAPI, with the
UK profile's conventions. Shapes are in onedoor/directory/oruk_json.py; what may be seen is decided by
onedoor/directory/selectors.py.

Public on purpose: the directory is public information. It publishes nothing about people.

Every parameter's rules are in the schema (ranges, UUID formats, the one format offered), and every error is
JSON with the status the schema declares: 404 for an unknown id or postcode, 409 when postcode search is asked
for and no postcode data is loaded, 422 for a parameter that breaks the schema, 400 for one the schema
cannot judge alone (`proximity` without `postcode`).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from onedoor.accounts.api_auth import public_auth
from onedoor.core.api_schema import pattern_explained, responses
from onedoor.directory import oruk_json, selectors
from onedoor.directory.models import Service, ServiceAtLocation
from onedoor.directory.postcodes import (
    METRES_PER_MILE,
    postcode_find,
    postcodes_coordinates,
    postcodes_loaded,
)

router = Router(tags=["open referral uk"])

ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org"
MAX_PER_PAGE = 200
MAX_PROXIMITY_METRES = 100_000
NO_NUL = pattern_explained(r"^[^\x00]*$", "Remove the NUL character (%00).")
POSTCODE_PATTERN = pattern_explained(
    r"^ *[A-Za-z]{1,2}[0-9][A-Za-z0-9]? *[0-9][A-Za-z]{2} *$", "Give a full UK postcode, like CV34 4RL."
)

Json = dict[str, Any]
PUBLIC: dict[str, Any] = {"security": []}  # declared per operation: no credentials needed, on purpose

# The schema states these rules, so a client can see them; the handlers never see a value outside them.
Page = Annotated[int, Query(ge=1, description="Page number, from 1. A page after the last is empty.")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, from 1 to {MAX_PER_PAGE}.")]
Search = Annotated[
    str, Query(max_length=200, pattern=NO_NUL, description="Words to look for in names and descriptions.")
]
Format = Annotated[
    Literal["json"],
    Query(description="Only `json` is offered. HSDS 3.0's optional `ndjson` is not: ask for pages instead."),
]
ModifiedAfter = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "format": "date-time"}),
    Query(
        None,
        description="Only what changed on or after this date and time, in RFC 3339 with its offset (for example "
        "2024-04-01T09:00:00Z or 2024-04-01T10:00:00+01:00). For change feeds: send the time of your last pull.",
    ),
]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
TaxonomyTermId = Annotated[uuid.UUID | None, Query(description="Only services tagged with this taxonomy term.")]
TaxonomyId = Annotated[uuid.UUID | None, Query(description="Only services with a term from this taxonomy.")]
OrganizationId = Annotated[uuid.UUID | None, Query(description="Only services this organization delivers.")]
Full = Annotated[bool, Query(description="Give each item fully nested, as the single-item endpoint does.")]
Postcode = Annotated[
    str | None,
    Query(
        pattern=POSTCODE_PATTERN,
        description="A full UK postcode in the area, like CV34 4RL. Gives only places whose service covers "
        "the postcode's district, nearest first, each with `distance_miles`: the straight-line distance from "
        "the postcode's centre, in miles (not a travel distance). 404 if the postcode is not known; 409 if "
        "this OneDoor has no postcode data loaded.",
    ),
]
Proximity = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_PROXIMITY_METRES,
        description="With `postcode` (400 without it): only places within this many metres, in a straight "
        f"line, of the postcode's centre (HSDS 3.0 measures proximity in metres; 1 mile is {METRES_PER_MILE} m).",
    ),
]


ServiceId = Annotated[uuid.UUID, Path(description="The service's id (a UUID).")]
OrganizationPathId = Annotated[uuid.UUID, Path(description="The organization's id (a UUID).")]
TaxonomyPathId = Annotated[uuid.UUID, Path(description="The taxonomy's id (a UUID).")]
TermPathId = Annotated[uuid.UUID, Path(description="The taxonomy term's id (a UUID).")]
SalPathId = Annotated[uuid.UUID, Path(description="The service at location's id (a UUID).")]


class PageOut(Schema):
    """HSDS 3.0's page: `contents` holds the endpoint's items (their schemas are HSDS 3.0's compiled ones)."""

    total_items: int = Field(ge=0)
    total_pages: int = Field(ge=1)
    page_number: int = Field(ge=1)
    size: int = Field(ge=0, le=MAX_PER_PAGE)
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class RootOut(Schema):
    version: str
    profile: str
    openapi_url: str


def _page(items: QuerySet[Any] | Sequence[Any], *, page: int, per_page: int, render: Callable[[Any], Json]) -> Json:
    total = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, math.ceil(total / per_page))
    # A page past the last is empty, without asking the database for an offset it cannot represent.
    chosen = list(items[(page - 1) * per_page : page * per_page]) if page <= pages else []
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(chosen),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not chosen,
        "contents": [render(i) for i in chosen],
    }


def _since(raw: str | None) -> datetime | None:
    """`modified_after` in UTC, for the database. A time at the calendar's very edge
    (0001-01-01T00:00:00+01:00) cannot be converted; it is before or after every record, so it becomes the
    calendar's own edge."""
    if raw is None:
        return None
    try:
        if not RFC3339.match(raw):
            raise ValueError(raw)
        value = datetime.fromisoformat(raw.upper().replace(" ", "T"))
    except ValueError as exc:
        message = "modified_after must be an RFC 3339 date and time with its offset, like 2024-04-01T09:00:00Z"
        raise HttpError(422, message) from exc
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if value.year == 1 else datetime.max.replace(tzinfo=UTC)


def _coords_for_services(services: Sequence[Service]) -> oruk_json.Coordinates:
    return postcodes_coordinates(oruk_json.locations_of(list(services)))


@router.get(
    "/",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, RootOut),
    summary="About this Open Referral UK feed",
    operation_id="getAPIMetaInformation",
)
def oruk_root(request: HttpRequest) -> Json:
    return {"version": ORUK_VERSION, "profile": ORUK_PROFILE, "openapi_url": request.build_absolute_uri("../docs")}


@router.get(
    "/services",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, PageOut, 422),
    summary="Services, a page at a time",
    operation_id="getPaginatedListOfServices",
)
def oruk_services(
    request: HttpRequest,
    page: Page = 1,
    per_page: PerPage = 50,
    search: Search = "",
    taxonomy_term_id: TaxonomyTermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    minimal: Annotated[bool, Query(description="Only each service's id, name, status and last_modified.")] = False,
    full: Full = False,
    format: Format = "json",
) -> Json:
    qs = selectors.services_search(
        search=search.strip(),
        taxonomy_term=taxonomy_term_id,
        taxonomy=taxonomy_id,
        organisation=organization_id,
        modified_after=_since(modified_after),
    )
    if minimal:
        return _page(qs, page=page, per_page=per_page, render=oruk_json.service_minimal_json)
    if not full:
        return _page(qs.select_related("provider"), page=page, per_page=per_page, render=_service_listed)
    body = _page(selectors.services_with_details(qs), page=page, per_page=per_page, render=lambda s: s)
    coords = _coords_for_services(body["contents"])
    body["contents"] = [oruk_json.service_json(s, coords) for s in body["contents"]]
    return body


def _service_listed(s: Service) -> Json:
    data = oruk_json.service_basic_json(s)
    data["organization"] = oruk_json.organization_json(s.provider, s)
    return data


@router.get(
    "/services/{service_id}",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, Json, 404, 422),
    summary="One service, in full",
    operation_id="getFullyNestedServiceById",
)
def oruk_service(request: HttpRequest, service_id: ServiceId) -> Json:
    service = selectors.service_public_get(service_id)
    if service is None:
        raise HttpError(404, "No such service")
    return oruk_json.service_json(service, _coords_for_services([service]))


@router.get(
    "/organizations",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, PageOut, 422),
    summary="Organizations that deliver services",
    operation_id="getPaginatedListOfOrganizations",
)
def oruk_organizations(
    request: HttpRequest,
    search: Search = "",
    full_service: Annotated[bool, Query(description="With `full`: each service fully nested.")] = False,
    full: Annotated[bool, Query(description="Each organization with its services.")] = False,
    page: Page = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Json:
    qs = selectors.organisations_public(search=search.strip())
    if not full:
        return _page(qs, page=page, per_page=per_page, render=oruk_json.organization_json)
    body = _page(qs, page=page, per_page=per_page, render=lambda o: o)
    services = selectors.services_of(body["contents"])
    coords = _coords_for_services([s for group in services.values() for s in group]) if full_service else {}
    body["contents"] = [
        oruk_json.organization_full_json(o, services[o.pk], full_service=full_service, coords=coords)
        for o in body["contents"]
    ]
    return body


@router.get(
    "/organizations/{organization_id}",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, Json, 404, 422),
    summary="One organization, with its services",
    operation_id="getOrganizationById",
)
def oruk_organization(
    request: HttpRequest,
    organization_id: OrganizationPathId,
    full_service: Annotated[bool, Query(description="Each service fully nested.")] = False,
) -> Json:
    org = selectors.organisation_public_get(organization_id)
    if org is None:
        raise HttpError(404, "No such organization")
    services = selectors.services_of([org])[org.pk]
    coords = _coords_for_services(services) if full_service else {}
    return oruk_json.organization_full_json(org, services, full_service=full_service, coords=coords)


@router.get(
    "/taxonomies",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, PageOut, 422),
    summary="The taxonomies OneDoor classifies services by",
    operation_id="getPaginatedListOfTaxonomies",
)
def oruk_taxonomies(
    request: HttpRequest, search: Search = "", page: Page = 1, per_page: PerPage = 50, format: Format = "json"
) -> Json:
    qs = selectors.taxonomies_search(search=search.strip())
    return _page(qs, page=page, per_page=per_page, render=oruk_json.taxonomy_json)


@router.get(
    "/taxonomies/{taxonomy_id}",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, Json, 404, 422),
    summary="One taxonomy",
    operation_id="getTaxonomyById",
)
def oruk_taxonomy(request: HttpRequest, taxonomy_id: TaxonomyPathId) -> Json:
    taxonomy = selectors.taxonomies_public().filter(uuid=taxonomy_id).first()
    if taxonomy is None:
        raise HttpError(404, "No such taxonomy")
    return oruk_json.taxonomy_json(taxonomy)


@router.get(
    "/taxonomy_terms",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, PageOut, 422),
    summary="Terms in those taxonomies",
    operation_id="getPaginatedListOfTaxonomyTerms",
)
def oruk_taxonomy_terms(
    request: HttpRequest,
    search: Search = "",
    page: Page = 1,
    per_page: PerPage = 50,
    format: Format = "json",
    taxonomy_id: Annotated[uuid.UUID | None, Query(description="Only terms in this taxonomy.")] = None,
    top_only: Annotated[bool, Query(description="Only top-level terms: those with no parent.")] = False,
    parent_id: Annotated[uuid.UUID | None, Query(description="Only the children of this term.")] = None,
) -> Json:
    qs = selectors.taxonomy_terms_public(
        search=search.strip(), taxonomy=taxonomy_id, parent=parent_id, top_only=top_only
    )
    return _page(qs, page=page, per_page=per_page, render=oruk_json.taxonomy_term_json)


@router.get(
    "/taxonomy_terms/{taxonomy_term_id}",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, Json, 404, 422),
    summary="One taxonomy term",
    operation_id="getTaxonomyTermById",
)
def oruk_taxonomy_term(request: HttpRequest, taxonomy_term_id: TermPathId) -> Json:
    term = selectors.taxonomy_terms_public().filter(uuid=taxonomy_term_id).first()
    if term is None:
        raise HttpError(404, "No such taxonomy term")
    return oruk_json.taxonomy_term_json(term)


def _near(
    sals: list[ServiceAtLocation], *, postcode: str, proximity: int | None
) -> list[tuple[ServiceAtLocation, float | None]]:
    if not postcodes_loaded():
        raise HttpError(409, "Postcode search is not available: no postcode data is loaded here. Leave out postcode.")
    origin = postcode_find(postcode)
    if origin is None:
        raise HttpError(404, f"No postcode {postcode.strip().upper()} in this area's postcode data.")
    within = proximity / METRES_PER_MILE if proximity is not None else None
    return selectors.places_near(sals, origin=origin, within_miles=within)


@router.get(
    "/service_at_locations",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, PageOut, 404, 409, 422),
    summary="Where services are delivered; near a postcode",
    operation_id="getPaginatedListOfServiceAtLocation",
)
def oruk_service_at_locations(
    request: HttpRequest,
    search: Search = "",
    taxonomy_term_id: TaxonomyTermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    full: Full = False,
    page: Page = 1,
    per_page: PerPage = 50,
    format: Format = "json",
    postcode: Postcode = None,
    proximity: Proximity = None,
) -> Json:
    if proximity is not None and postcode is None:
        raise HttpError(400, "proximity needs a postcode to measure from: add postcode, or leave out proximity.")
    qs = selectors.service_at_locations_public(
        search=search.strip(),
        taxonomy_term=taxonomy_term_id,
        taxonomy=taxonomy_id,
        organisation=organization_id,
        modified_after=_since(modified_after),
    )
    render = oruk_json.sal_full_json if full else oruk_json.sal_list_json
    if postcode is None:
        body = _page(qs, page=page, per_page=per_page, render=lambda sal: sal)
        sals = body["contents"]
        coords = postcodes_coordinates(sal.location.postal_code for sal in sals)
        body["contents"] = [render(sal, coords) for sal in sals]
        return body
    near = _near(list(qs), postcode=postcode, proximity=proximity)
    coords = postcodes_coordinates(sal.location.postal_code for sal, _ in near)
    return _page(near, page=page, per_page=per_page, render=lambda pair: render(pair[0], coords, pair[1]))


@router.get(
    "/service_at_locations/{service_at_location_id}",
    auth=public_auth,
    openapi_extra=PUBLIC,
    response=responses(200, Json, 404, 422),
    summary="One service at one location, in full",
    operation_id="getServiceAtLocationWithNestedDataById",
)
def oruk_service_at_location(request: HttpRequest, service_at_location_id: SalPathId) -> Json:
    sal = selectors.service_at_locations_public().filter(uuid=service_at_location_id).first()
    if sal is None:
        raise HttpError(404, "No such service at location")
    return oruk_json.sal_full_json(sal, postcodes_coordinates([sal.location.postal_code]))
