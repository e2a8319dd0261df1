"""Who sees which referrals. Every read of referrals for a user goes through here; views never filter
by organisation themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onedoor.accounts.models import PROVIDER_ROLES, Role, User
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.models import OPEN_STATUSES, Allocation, Referral, SignpostRecord, StatusEvent


def referrals_visible_to(*, user: Any) -> QuerySet[Referral]:
    """A provider sees referrals its services hold or have held, and, during a young people's to adults'
    transition, the other service's side of the case until the handover window ends; a referrer sees only
    their own; nobody else (the commissioner analyst, administrators, the police data officer) sees any
    referral. (Joint-working partners see a shared summary only: onedoor.casework.selectors.)"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    if user.is_provider_staff and user.organisation_id is not None:
        from onedoor.casework.models import OnwardKind, OnwardReferral  # casework builds on the spine

        org = user.organisation_id
        held = Allocation.objects.filter(referral=OuterRef("pk"), service__organisation_id=org)
        handover = OnwardReferral.objects.filter(
            kind=OnwardKind.TRANSITION, handover_ends_on__gte=timezone.localdate()
        ).filter(
            Q(from_referral=OuterRef("pk"), to_referral__current_service__organisation_id=org)
            | Q(to_referral=OuterRef("pk"), from_referral__current_service__organisation_id=org)
        )
        return Referral.objects.filter(Exists(held) | Exists(handover))
    if user.role == Role.REFERRER:
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referral_for_provider(*, user: Any, reference: str) -> Referral:
    if not getattr(user, "is_provider_staff", False):
        raise Http404
    return _get_visible(user=user, reference=reference)


def referral_for_referrer(*, user: Any, reference: str) -> Referral:
    if getattr(user, "role", None) != Role.REFERRER:
        raise Http404
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
        raise Http404
    return referral


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
