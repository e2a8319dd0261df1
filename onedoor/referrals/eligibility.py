"""Whether a service fits a referral: the guard on re-routing, and the order of the services a team can
suggest when it declines. Two sources say who a service is for, and both are checked:

- the routing table (the rules in force today): would it send a referral like this one to the service, as
  the main service or an also-relevant one?
- the directory's eligibility: the service's ages, the crimes it lists (its "crime-types" taxonomy terms),
  and the districts it covers (none listed means everywhere).

A re-route to a service that does not fit needs an explicit override with a reason (`referral_reroute`).
Nothing here reads anything personal beyond the referral's age, offence, flags and district.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from django.db.models import Prefetch, Q, QuerySet

from onedoor.directory.models import Service, ServiceKind, ServiceStatus, TaxonomyTerm
from onedoor.referrals.models import Referral
from onedoor.referrals.routing import ADULT_AGE, RouteInput, RoutingTable

CRIME_TAXONOMY = "crime-types"


class MismatchCode(StrEnum):
    CHILDREN = "children"  # a children's service for an adult
    AGE = "age"
    OFFENCE = "offence"
    DISTRICT = "district"
    ROUTING = "routing"


@dataclass(frozen=True)
class Mismatch:
    code: MismatchCode
    message: str


@dataclass(frozen=True)
class ReferralFacts:
    """What eligibility looks at: a referral's routing input, with names for the messages."""

    route: RouteInput
    offence_name: str = ""
    district_name: str = ""


def facts_of(referral: Referral) -> ReferralFacts:
    """The referral's routing input as it stands (age at referral, offence, flags, district, needs)."""
    route = RouteInput(
        age=referral.age_at_referral,
        offence_group=referral.offence_group.slug if referral.offence_group else None,
        flags=frozenset(f.slug for f in referral.flags.all()),
        district=referral.district.gss_code if referral.district else None,
        consent=True,  # a referral exists only with consent or a lawful basis
        source=referral.source,
        needs=frozenset(n.slug for n in referral.needs.all()),
        urgent=referral.urgent,
        risk_to_life=referral.risk_to_life,
    )
    return ReferralFacts(
        route=route,
        offence_name=referral.offence_group.name if referral.offence_group else "",
        district_name=referral.district.name if referral.district else "",
    )


def services_for_eligibility(qs: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services with what eligibility reads prefetched: the crimes they list and the districts they cover."""
    return (qs if qs is not None else Service.objects.all()).prefetch_related(
        "districts",
        Prefetch(
            "taxonomy_terms",
            queryset=TaxonomyTerm.objects.filter(taxonomy__slug=CRIME_TAXONOMY).only("code", "taxonomy_id"),
            to_attr="crime_terms",
        ),
    )


def is_childrens_service(service: Service) -> bool:
    return service.max_age is not None and service.max_age < ADULT_AGE


def _ages(service: Service) -> str:
    if service.min_age is not None and service.max_age is not None:
        return f"aged {service.min_age} to {service.max_age}"
    if service.max_age is not None:
        return f"aged {service.max_age} or under"
    return f"aged {service.min_age} or over"


def directory_mismatches(*, service: Service, facts: ReferralFacts) -> list[Mismatch]:
    """Where the directory says the service is not for this referral. `service` should come from
    `services_for_eligibility` (else each check costs a query)."""
    out: list[Mismatch] = []
    age = facts.route.age
    name = service.name
    if age is not None and not service.fits_age(age):
        if is_childrens_service(service) and age >= ADULT_AGE:
            out.append(
                Mismatch(
                    MismatchCode.CHILDREN,
                    f"{name} is a children's service (for people {_ages(service)}), and this person was {age} "
                    "when referred.",
                )
            )
        else:
            out.append(
                Mismatch(
                    MismatchCode.AGE, f"{name} is for people {_ages(service)}; this person was {age} when referred."
                )
            )
    terms = getattr(service, "crime_terms", None)
    if terms is None:
        terms = list(service.taxonomy_terms.filter(taxonomy__slug=CRIME_TAXONOMY))
    crimes = {t.code for t in terms}
    what = {facts.route.offence_group, *facts.route.flags} - {None}
    if crimes and what and not (crimes & what):
        about = facts.offence_name or "the crimes recorded on this referral"
        out.append(
            Mismatch(MismatchCode.OFFENCE, f"{name} does not list {about.lower()} among the crimes it supports.")
        )
    covered = {d.gss_code for d in service.districts.all()}
    if covered and facts.route.district and facts.route.district not in covered:
        out.append(Mismatch(MismatchCode.DISTRICT, f"{name} does not cover {facts.district_name or 'that district'}."))
    return out


def routed_services(*, facts: ReferralFacts, table: RoutingTable) -> tuple[str, ...]:
    """The services the routing table would send this referral to: the main one first, then the others."""
    decision = table.decide(replace(facts.route, consent=True))
    return tuple(s for s in (decision.primary, *decision.secondary) if s)


def reroute_mismatches(*, service: Service, facts: ReferralFacts, table: RoutingTable) -> list[Mismatch]:
    """Why `service` does not fit the referral, by the routing table and by the directory: empty if it fits."""
    out = []
    routed = routed_services(facts=facts, table=table)
    if service.slug not in routed:
        instead = f"; they send it to {', '.join(table.name(s) for s in routed)}" if routed else ""
        out.append(
            Mismatch(
                MismatchCode.ROUTING,
                f"The routing rules do not send a referral like this one to {service.name}{instead}.",
            )
        )
    return out + directory_mismatches(service=service, facts=facts)


@dataclass(frozen=True)
class RerouteTarget:
    service: Service
    mismatches: tuple[Mismatch, ...]


def reroute_targets(
    *, facts: ReferralFacts, current_service_id: int | None, table: RoutingTable
) -> list[RerouteTarget]:
    """The services a referral can be re-routed to (active commissioned services but its own), each with why
    it does not fit (nothing if it does): those that fit first, then by name."""
    qs = Service.objects.filter(kind=ServiceKind.COMMISSIONED, active=True).exclude(pk=current_service_id or 0)
    targets = [
        RerouteTarget(s, tuple(reroute_mismatches(service=s, facts=facts, table=table)))
        for s in services_for_eligibility(qs)
    ]
    return sorted(targets, key=lambda t: (bool(t.mismatches), t.service.name.lower()))


@dataclass(frozen=True)
class SuggestionGroup:
    label: str
    services: tuple[Service, ...]


def suggestion_groups(*, facts: ReferralFacts, exclude: Iterable[int] = (), search: str = "") -> list[SuggestionGroup]:
    """The services a team may suggest instead, by full name, in four groups: commissioned services that fit
    the referral (by the directory's eligibility), other commissioned services, directory services that fit,
    and the rest of the directory; each by name. `search` keeps the services whose name (or short name)
    contains it, for the page's search box, which works without JavaScript."""
    excluded = set(exclude)
    qs = Service.objects.filter(active=True).exclude(status=ServiceStatus.DEFUNCT).exclude(pk__in=excluded)
    words = search.split()
    for word in words:
        qs = qs.filter(Q(name__icontains=word) | Q(short_name__icontains=word))
    found: dict[tuple[bool, bool], list[Service]] = {(c, e): [] for c in (True, False) for e in (True, False)}
    for s in services_for_eligibility(qs.order_by("name")):
        eligible = not directory_mismatches(service=s, facts=facts)
        found[(s.kind == ServiceKind.COMMISSIONED, eligible)].append(s)
    labels = {
        (True, True): "Commissioned services that fit this referral",
        (True, False): "Other commissioned services",
        (False, True): "Other services in the directory that fit this referral",
        (False, False): "Other services in the directory",
    }
    return [SuggestionGroup(labels[key], tuple(items)) for key, items in found.items() if items]
