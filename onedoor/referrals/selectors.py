"""Who sees which referrals. Every read of referrals for a user goes through here; views never filter
by organisation themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from onedoor.accounts.models import PROVIDER_ROLES, Role, User
from onedoor.core.audit import audit_refusal
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    OnwardKind,
    OnwardReferral,
    Referral,
    SignpostRecord,
    Status,
    StatusEvent,
)


def referrals_visible_to(*, user: Any) -> QuerySet[Referral]:
    """Who sees a referral in full (the person, the case, the caseworker, the whole timeline).

    A provider sees the referrals its services hold now, and, during a young people's to adults'
    transition, the other service's side while the handover window is open and
    that side is not finished. A service that handed a referral on sees only its own part of the history
    (`handed_on_history`), never the new holder's case. A referrer sees only their own, as a status
    timeline; nobody else (the commissioner analyst, administrators, the police data officer) sees any
    referral. Joint-working partners see a shared summary only (onedoor.casework.selectors)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    if user.is_provider_staff and user.organisation_id is not None:
        org = user.organisation_id
        handover = OnwardReferral.objects.filter(
            kind=OnwardKind.TRANSITION, handover_ends_on__gte=timezone.localdate()
        ).filter(
            Q(from_referral=OuterRef("pk"), to_referral__current_service__organisation_id=org)
            | Q(to_referral=OuterRef("pk"), from_referral__current_service__organisation_id=org)
        )
        return Referral.objects.filter(
            Q(current_service__organisation_id=org) | (Exists(handover) & ~Q(status__in=FINAL_STATUSES))
        )
    if user.role == Role.REFERRER:
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referral_for_provider(*, user: Any, reference: str) -> Referral:
    if not getattr(user, "is_provider_staff", False):
        _refuse(user=user, reference=reference)
    return _get_visible(user=user, reference=reference)


def referral_for_referrer(*, user: Any, reference: str) -> Referral:
    if getattr(user, "role", None) != Role.REFERRER:
        _refuse(user=user, reference=reference)
    return _get_visible(user=user, reference=reference)


def referral_get_visible(*, user: Any, reference: str) -> Referral:
    return _get_visible(user=user, reference=reference)


def _get_visible(*, user: Any, reference: str) -> Referral:
    referral = (
        referrals_visible_to(user=user)
        .select_related("current_service", "offence_group", "district", "assigned_to")
        .filter(reference=reference)
        .first()
    )
    if referral is None:
        _refuse(user=user, reference=reference)
    return referral


def _refuse(*, user: Any, reference: str, what: str = "referral") -> NoReturn:
    """Answer 404, and audit the refusal: who tried, and the reference they tried (never more)."""
    audit_refusal(actor=user, model=Referral, reference=reference, what=what)
    raise Http404


# -- what a service that handed a referral on still sees -----------------------------------------------


@dataclass(frozen=True)
class HandedOn:
    """A referral this organisation held and handed on: its own part of the history, and nothing newer.
    No person's details, no current status, no assessment, risk, contact or caseworker of the new holder."""

    reference: str
    events: list[StatusEvent]
    handed_to: list[str]


def _handed_on_events(*, organisation_id: int) -> QuerySet[StatusEvent]:
    """The events the organisation's own services recorded while they held the referral, and the ones its
    own staff made (the re-route that handed it on is recorded against the service it went to)."""
    return StatusEvent.objects.filter(
        Q(service__organisation_id=organisation_id) | Q(actor__organisation_id=organisation_id)
    )


def handed_on_history(*, user: Any, reference: str) -> HandedOn:
    if not getattr(user, "is_provider_staff", False) or user.organisation_id is None:
        _refuse(user=user, reference=reference, what="handed_on")
    org = user.organisation_id
    referral = (
        Referral.objects.filter(reference=reference, allocations__service__organisation_id=org)
        .exclude(current_service__organisation_id=org)
        .only("pk", "reference")
        .first()
    )
    if referral is None:
        _refuse(user=user, reference=reference, what="handed_on")
    events = list(
        _handed_on_events(organisation_id=org)
        .filter(referral=referral)
        .select_related("service", "suggested_service", "actor")
        .order_by("at", "id")
    )
    for event in events:
        if event.actor is not None and event.actor.organisation_id != org:
            event.actor = None  # the referrer's or another service's people are not this team's history
    handed_to = [str(e.suggested_service) for e in events if e.to_status == Status.REROUTED and e.suggested_service]
    return HandedOn(reference=referral.reference, events=events, handed_to=handed_to)


def services_of(*, user: Any) -> QuerySet[Service]:
    """The commissioned services whose queues a provider user works."""
    if not getattr(user, "is_provider_staff", False):
        return Service.objects.none()
    return Service.objects.filter(organisation_id=user.organisation_id, kind=ServiceKind.COMMISSIONED)


def service_for_queue(*, user: Any, slug: str) -> Service:
    service = services_of(user=user).filter(slug=slug).first()
    if service is None:
        raise Http404
    return service


def queue(*, service: Service) -> QuerySet[Referral]:
    """One service's open referrals, most urgent first, then soonest due. Served by referral_queue_idx."""
    return (
        Referral.objects.filter(current_service=service, status__in=OPEN_STATUSES)
        .select_related("offence_group", "district", "assigned_to")
        .order_by("priority", "due_on", "id")
    )


def signpost_record_for(*, user: Any, pk: int) -> SignpostRecord:
    """A signpost record holds nothing personal, and is shown only to whoever made it."""
    record = SignpostRecord.objects.filter(pk=pk, created_by_id=getattr(user, "pk", None)).first()
    if record is None or not getattr(user, "is_authenticated", False):
        raise Http404
    return record


def colleagues_of(*, user: Any) -> QuerySet[User]:
    """Active provider staff in the user's own organisation: who a referral can be assigned to."""
    if not getattr(user, "is_provider_staff", False):
        return User.objects.none()
    return User.objects.filter(
        organisation_id=user.organisation_id, role__in=sorted(PROVIDER_ROLES), is_active=True
    ).order_by("first_name", "username")


def referrer_timeline(*, referral: Referral) -> QuerySet[StatusEvent]:
    """What a referrer may see of a referral's history: statuses, services and notes meant for them."""
    return referral.events.select_related("service", "suggested_service").only(
        "at",
        "to_status",
        "reason_code",
        "referrer_note",
        "service__short_name",
        "service__name",
        "suggested_service__short_name",
        "suggested_service__name",
        "suggested_service__phone",
        "referral_id",
    )


def referrals_of_referrer(*, user: Any) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user=user)
        .select_related("current_service")
        .order_by("-created_at")
        .only(
            "reference",
            "created_at",
            "status",
            "first_name",
            "last_name",
            "current_service__short_name",
            "current_service__name",
            "updated_at",
        )
    )


@dataclass(frozen=True)
class ReferrerEntry:
    """One line of a referrer's "My referrals": a referral, or a routing outcome with no referral
    (signposted elsewhere, or a gap in service), which holds nothing about the person."""

    created_at: Any
    referral: Referral | None = None
    signpost: SignpostRecord | None = None
    signposted_to: tuple[Service, ...] = ()


def referrer_entries(*, user: Any) -> QuerySet[Any]:
    """A referrer's referrals and signpost records, newest first, as ("kind", "pk", "created_at") rows to
    paginate: one query for the page however many there are. `referrer_entries_load` turns a page of rows into
    `ReferrerEntry`s with a fixed number of queries."""
    referrals = (
        referrals_visible_to(user=user)
        .filter(referrer_id=getattr(user, "pk", None))
        .order_by()
        .annotate(kind=Value("referral", output_field=CharField()))
        .values_list("kind", "id", "created_at")
    )
    signposts = (
        SignpostRecord.objects.filter(created_by_id=getattr(user, "pk", None))
        .order_by()
        .annotate(kind=Value("signpost", output_field=CharField()))
        .values_list("kind", "id", "created_at")
    )
    if not getattr(user, "is_authenticated", False):
        signposts = signposts.none()
    return referrals.union(signposts, all=True).order_by("-created_at", "-id")


def referrer_entries_load(rows: list[tuple[str, int, Any]]) -> list[ReferrerEntry]:
    referral_ids = [pk for kind, pk, _ in rows if kind == "referral"]
    signpost_ids = [pk for kind, pk, _ in rows if kind == "signpost"]
    referrals = {r.pk: r for r in referrals_of_referrer_by_id(referral_ids)} if referral_ids else {}
    records = (
        {s.pk: s for s in SignpostRecord.objects.filter(pk__in=signpost_ids).select_related("offence_group")}
        if signpost_ids
        else {}
    )
    slugs = {slug for s in records.values() for slug in s.signpost}
    by_slug = (
        {s.slug: s for s in Service.objects.filter(slug__in=slugs).only("slug", "name", "short_name")} if slugs else {}
    )
    out = []
    for kind, pk, at in rows:
        if kind == "referral" and pk in referrals:
            out.append(ReferrerEntry(at, referral=referrals[pk]))
        elif kind == "signpost" and pk in records:
            record = records[pk]
            named = tuple(by_slug[s] for s in record.signpost if s in by_slug)
            out.append(ReferrerEntry(at, signpost=record, signposted_to=named))
    return out


def referrals_of_referrer_by_id(ids: list[int]) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(pk__in=ids)
        .select_related("current_service")
        .only(
            "reference",
            "created_at",
            "status",
            "first_name",
            "last_name",
            "current_service__short_name",
            "current_service__name",
            "updated_at",
        )
    )
