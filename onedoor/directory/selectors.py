"""Reads that decide what the public (and the open API) can see of the directory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from onedoor.core.models import District
from onedoor.directory.models import (
    DirectoryOrganisation,
    Location,
    Postcode,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)
from onedoor.directory.postcodes import miles_between, postcode_find, postcode_normalise, postcodes_coordinates
from onedoor.directory.texts import translated_language


def services_public() -> QuerySet[Service]:
    """Services anyone may see: active ones. Inactive and defunct services stay out of public view."""
    return Service.objects.filter(active=True, status__in=[ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED])


def services_with_details(qs: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services with everything a card shows. On a page in another language, each service's translation
    into it comes too (as `current_translations`: onedoor/directory/texts.py), so that a page of cards
    costs a fixed number of queries whatever its language."""
    language = translated_language()
    lookups: list[str | Prefetch[Any]] = [
        "phones",
        "schedules",
        "languages",
        "service_areas",
        "districts",
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
        Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent")),
    ]
    if language is not None:
        translations = ServiceTranslation.objects.filter(language=language)
        lookups.append(Prefetch("translations", queryset=translations, to_attr="current_translations"))
    return (qs if qs is not None else services_public()).select_related("provider").prefetch_related(*lookups)


def services_search(
    *,
    search: str = "",
    taxonomy_term: UUID | None = None,
    taxonomy: UUID | None = None,
    organisation: UUID | None = None,
    modified_after: datetime | None = None,
) -> QuerySet[Service]:
    """Public services, filtered as the Open Referral UK API's /services parameters say. `modified_after` is
    inclusive ("modified on or after", as HSDS 3.0 words it)."""
    qs = services_public()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search) | Q(description__icontains=search))
    if taxonomy_term:
        qs = qs.filter(taxonomy_terms__uuid=taxonomy_term)
    if taxonomy:
        qs = qs.filter(taxonomy_terms__taxonomy__uuid=taxonomy)
    if organisation:
        qs = qs.filter(provider__uuid=organisation)
    if modified_after:
        qs = qs.filter(modified_at__gte=modified_after)
    return qs.distinct().order_by("name", "id")


def service_public_get(service_id: UUID) -> Service | None:
    return services_with_details().filter(uuid=service_id).first()


def service_at_locations_public(
    *,
    search: str = "",
    taxonomy_term: UUID | None = None,
    taxonomy: UUID | None = None,
    organisation: UUID | None = None,
    modified_after: datetime | None = None,
) -> QuerySet[ServiceAtLocation]:
    """Where public services are delivered. A link counts as modified when its service or its location was."""
    services = services_search(search=search, taxonomy_term=taxonomy_term, taxonomy=taxonomy, organisation=organisation)
    qs = ServiceAtLocation.objects.filter(service__in=services)
    if modified_after:
        qs = qs.filter(Q(service__modified_at__gte=modified_after) | Q(location__modified_at__gte=modified_after))
    return (
        qs.select_related("location")
        .prefetch_related(Prefetch("service", queryset=services_with_details(services_public())))
        .order_by("service__name", "location__name", "id")
    )


def services_matching(*, terms: Iterable[str], age: int | None, district: str | None) -> list[Service]:
    """Public services tagged with any of the given taxonomy term codes, that fit the age and serve the
    district (or everywhere)."""
    codes = set(terms)
    if not codes:
        return []
    qs = services_with_details(services_public().filter(taxonomy_terms__code__in=codes).distinct())
    out = []
    for s in qs:
        if not s.fits_age(age):
            continue
        served = {d.gss_code for d in s.districts.all()}
        if served and district and district not in served:
            continue
        out.append(s)
    return out


def organisation_public_get(organisation_id: UUID) -> DirectoryOrganisation | None:
    return organisations_public().filter(uuid=organisation_id).first()


def services_of(organisations: Iterable[DirectoryOrganisation]) -> dict[int, list[Service]]:
    """The public services of each organisation, in one set of queries however many organisations."""
    orgs = list(organisations)
    out: dict[int, list[Service]] = {o.pk: [] for o in orgs}
    for s in services_with_details(services_public().filter(provider__in=orgs)).order_by("name", "id"):
        if s.provider_id is not None:
            out[s.provider_id].append(s)
    return out


def organisations_public(*, search: str = "") -> QuerySet[DirectoryOrganisation]:
    qs = DirectoryOrganisation.objects.filter(services__in=services_public()).distinct()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return qs.order_by("name", "id")


def taxonomies_public() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "id")


def taxonomies_search(*, search: str = "") -> QuerySet[Taxonomy]:
    qs = taxonomies_public()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return qs


def taxonomy_terms_public(
    *, search: str = "", taxonomy: UUID | None = None, parent: UUID | None = None, top_only: bool = False
) -> QuerySet[TaxonomyTerm]:
    qs = TaxonomyTerm.objects.select_related("taxonomy", "parent")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if taxonomy:
        qs = qs.filter(taxonomy__uuid=taxonomy)
    if parent:
        qs = qs.filter(parent__uuid=parent)
    if top_only:
        qs = qs.filter(parent__isnull=True)
    return qs.order_by("taxonomy__slug", "code", "id")


@dataclass(frozen=True)
class DerivedDistrict:
    district: District | None  # the postcode's district, when it is one of the area's
    outside_area: bool  # the postcode is known, and its district is not one of the area's
    looked_up: bool  # there was a postcode, and postcode data to look it up in


def district_for_postcode(postcode: str) -> DerivedDistrict:
    """The area district a full postcode is in, from ONSPD (decided by the full postcode, because a
    postcode district such as CV23 can cross a boundary)."""
    if not postcode:
        return DerivedDistrict(None, outside_area=False, looked_up=False)
    found = postcode_find(postcode)
    if found is None:
        return DerivedDistrict(None, outside_area=False, looked_up=Postcode.objects.exists())
    district = District.objects.filter(gss_code=found.district_code).first()
    return DerivedDistrict(district, outside_area=district is None, looked_up=True)


def places_near(
    sals: Iterable[ServiceAtLocation], *, origin: Postcode, within_miles: float | None = None
) -> list[tuple[ServiceAtLocation, float | None]]:
    """The places whose service covers the postcode's district (or everywhere), nearest first, each with its
    straight-line distance in miles (None where the location's own postcode is not known: those come last).
    With `within_miles`, only places known to be that close. `sals` need `location` and `service.districts`."""
    sals = list(sals)
    coords = postcodes_coordinates(sal.location.postal_code for sal in sals)
    here = (origin.latitude, origin.longitude)
    out: list[tuple[ServiceAtLocation, float | None]] = []
    for sal in sals:
        served = {d.gss_code for d in sal.service.districts.all()}
        if served and origin.district_code not in served:
            continue
        point = coords.get(postcode_normalise(sal.location.postal_code) or "")
        miles = miles_between(here, point) if point else None
        if within_miles is not None and (miles is None or miles > within_miles):
            continue
        out.append((sal, miles))
    out.sort(key=lambda pair: (pair[1] is None, pair[1] or 0.0, pair[0].service.name))
    return out


def nearest_place_by_service(services: Iterable[Service], *, origin: Postcode) -> dict[int, tuple[Location, float]]:
    """For each service with a known location, its nearest place to the postcode and how far, in miles."""
    sals = [sal for s in services for sal in s.service_at_locations.all()]
    nearest: dict[int, tuple[Location, float]] = {}
    for sal, miles in places_near(sals, origin=origin):
        if miles is not None and sal.service_id not in nearest:
            nearest[sal.service_id] = (sal.location, miles)
    return nearest
