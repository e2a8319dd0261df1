"""Reads that decide what the public (and the open API) can see of the directory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from onedoor.directory.models import (
    DirectoryOrganisation,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)


def services_public() -> QuerySet[Service]:
    """Services anyone may see: active ones. Inactive and defunct services stay out of public view."""
    return Service.objects.filter(active=True, status__in=[ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED])


def services_with_details(qs: QuerySet[Service] | None = None) -> QuerySet[Service]:
    return (
        (qs if qs is not None else services_public())
        .select_related("provider")
        .prefetch_related(
            "phones",
            "schedules",
            "languages",
            "service_areas",
            "districts",
            Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
            Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent")),
        )
    )


def services_search(
    *,
    search: str = "",
    taxonomy_term: str | None = None,
    modified_after: datetime | None = None,
) -> QuerySet[Service]:
    qs = services_public()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search) | Q(description__icontains=search))
    if taxonomy_term:
        qs = qs.filter(taxonomy_terms__uuid=taxonomy_term)
    if modified_after:
        qs = qs.filter(modified_at__gt=modified_after)
    return qs.distinct().order_by("name", "id")


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


def organisations_public(*, search: str = "") -> QuerySet[DirectoryOrganisation]:
    qs = DirectoryOrganisation.objects.filter(services__in=services_public()).distinct()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return qs.order_by("name", "id")


def taxonomies_public() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "id")


def taxonomy_terms_public(*, search: str = "", taxonomy: str | None = None) -> QuerySet[TaxonomyTerm]:
    qs = TaxonomyTerm.objects.select_related("taxonomy", "parent")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if taxonomy:
        qs = qs.filter(taxonomy__uuid=taxonomy)
    return qs.order_by("taxonomy__slug", "code", "id")
