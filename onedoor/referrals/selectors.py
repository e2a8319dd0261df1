"""Who sees which referrals. Every read of referrals for a user goes through here; views never filter
by organisation themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import Http404, QueryDict
from django.utils import timezone

from onedoor.accounts.models import PROVIDER_ROLES, OrganisationKind, Role, User
from onedoor.core.audit import audit_refusal
from onedoor.core.pagination import Cursor, KeysetPage, beyond_cursor, capped_count
from onedoor.directory.models import Service, ServiceKind
from onedoor.referrals.models import (
    AWAITING_CONTACT_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    POLICE_REFERRAL_DAYS,
    OnwardKind,
    OnwardReferral,
    Referral,
    SignpostRecord,
    Source,
    Status,
    StatusEvent,
)
from onedoor.referrals.queue_filters import ASSIGNEE_ME, ASSIGNEE_NOBODY, QueueFilters


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


def queue(*, service: Service, filters: QueueFilters | None = None, user: Any = None) -> QuerySet[Referral]:
    """One service's open referrals, most urgent first, then soonest due, narrowed by the team's filters.
    Served by referral_open_queue_idx: the status condition is exactly the index's (ADR 0029), and every
    filter only narrows it. `user` is who "me" means in the assignee filter."""
    rows = Referral.objects.filter(current_service=service, status__in=OPEN_STATUSES)
    if filters is not None:
        rows = _filtered(rows, filters=filters, user=user)
    return rows.select_related("offence_group", "district", "assigned_to").order_by("priority", "due_on", "id")


def _filtered(rows: QuerySet[Referral], *, filters: QueueFilters, user: Any) -> QuerySet[Referral]:
    if filters.reference:
        rows = rows.filter(reference=filters.reference)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.offence_group:
        rows = rows.filter(offence_group__slug=filters.offence_group)
    if filters.district:
        rows = rows.filter(district__gss_code=filters.district)
    if filters.assignee == ASSIGNEE_NOBODY:
        rows = rows.filter(assigned_to__isnull=True)
    elif filters.assignee == ASSIGNEE_ME:
        rows = rows.filter(assigned_to_id=getattr(user, "pk", None))
    elif isinstance(filters.assignee, int):
        rows = rows.filter(assigned_to_id=filters.assignee)
    if filters.route_in == "police":
        rows = rows.filter(POLICE_ROUTE)
    elif filters.route_in:
        rows = rows.filter(source=filters.route_in).exclude(POLICE_ROUTE)
    if filters.overdue:
        rows = rows.filter(status__in=AWAITING_CONTACT_STATUSES, due_on__lt=timezone.localdate())
    return rows


# A police referral: from the overnight file, or made by an officer (Victims' Code paragraph 4.5's 2 days).
POLICE_ROUTE = Q(source=Source.POLICE_TRANSFER) | Q(referrer__organisation__kind=OrganisationKind.POLICE)


QUEUE_COUNT_CAP = 1000


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue, found from a keyset cursor rather than an offset, so that the 20th page costs what
    the first does. `count` is exact up to QUEUE_COUNT_CAP; `more` says there are more than that."""

    rows: list[Referral]
    count: int
    more: bool
    newer: str | None  # cursor for the page before (nearer the top of the queue)
    older: str | None  # cursor for the page after


def cursor_of(referral: Referral) -> str:
    due = referral.due_on.isoformat() if referral.due_on else "none"
    return f"{referral.priority}.{due}.{referral.pk}"


def parse_cursor(text: str | None) -> tuple[int, date | None, int] | None:
    """A cursor made by `cursor_of`, or None for anything else (an old or edited link starts at the top)."""
    if not text:
        return None
    parts = text.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    try:
        due = None if parts[1] == "none" else date.fromisoformat(parts[1])
    except ValueError:
        return None
    return int(parts[0]), due, int(parts[2])


def _beyond(cursor: tuple[int, date | None, int], *, after: bool) -> Q:
    """Rows after (or before) the cursor in (priority, due_on, id) order, written as one row comparison where
    the cursor has a due date, so that the index scan starts at the cursor. Open referrals always have a due
    date (referral_create and re-routing set it; migration 0009 filled the few older ones)."""
    priority, due, pk = cursor
    if due is None:
        return (
            Q(priority=priority, due_on__isnull=True, pk__gt=pk) | Q(priority__gt=priority)
            if after
            else Q(priority=priority, due_on__isnull=True, pk__lt=pk)
            | Q(priority=priority, due_on__isnull=False)
            | Q(priority__lt=priority)
        )
    lookup = TupleGreaterThan if after else TupleLessThan
    return Q(lookup(Tuple(F("priority"), F("due_on"), F("pk")), (priority, due, pk)))


def queue_page(
    *, rows: QuerySet[Referral], size: int, after: str | None = None, before: str | None = None
) -> QueuePage:
    """A page of `rows` (a queue in (priority, due_on, id) order): the first page, the page after cursor
    `after`, or the page before cursor `before`. Queries: one capped count and one page."""
    capped = rows.order_by()[: QUEUE_COUNT_CAP + 1].count()
    back, forward = parse_cursor(before), parse_cursor(after)
    if back is not None:
        found = list(rows.filter(_beyond(back, after=False)).reverse()[: size + 1])
        has_newer = len(found) > size
        page = list(reversed(found[:size]))
        has_older = True
    else:
        page = list((rows.filter(_beyond(forward, after=True)) if forward else rows)[: size + 1])
        has_older = len(page) > size
        page = page[:size]
        has_newer = forward is not None
    return QueuePage(
        rows=page,
        count=min(capped, QUEUE_COUNT_CAP),
        more=capped > QUEUE_COUNT_CAP,
        newer=cursor_of(page[0]) if page and has_newer else None,
        older=cursor_of(page[-1]) if page and has_older else None,
    )


def first_contact_targets(*, service: Service) -> list[tuple[str, int]]:
    """Each route in's own first-contact target in working days: police referrals within 2 (Victims' Code,
    paragraph 4.5) or the service's own, if sooner; everyone else the service's."""
    days = service.first_contact_target_days
    return [
        ("Police referrals", min(days, POLICE_REFERRAL_DAYS)),
        ("Professional referrals", days),
        ("Self-referrals", days),
    ]


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


@dataclass(frozen=True)
class ReferrerEntry:
    """One line of a referrer's "My referrals": a referral, or a routing outcome with no referral
    (signposted elsewhere, or a gap in service), which holds nothing about the person."""

    created_at: Any
    referral: Referral | None = None
    signpost: SignpostRecord | None = None
    signposted_to: tuple[Service, ...] = ()


def _referrer_entry_sides(user: Any) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """A referrer's referrals and signpost records, as ("kind", "id", "created_at") rows."""
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
    return referrals, signposts


def referrer_entries_page(*, user: Any, params: QueryDict, size: int = 25) -> KeysetPage[Any]:
    """One page of a referrer's referrals and signpost records together, newest first, paged by the key
    (created_at, id) from the cursor in `params` (ADR 0034): each side is cut at the cursor on its own
    (referrer, created_at, id) index before the two are merged, so a page costs the same at 225,000 entries
    as at 25. Rows are ("kind", "pk", "created_at"); `referrer_entries_load` turns them into entries.
    The total is the two sides' rows counted together, stopping after `COUNT_CAP`."""
    sides = _referrer_entry_sides(user)
    older, newer = Cursor.parse(params.get("older")), Cursor.parse(params.get("newer"))

    def beyond(qs: QuerySet[Any], cursor: Cursor, op: str) -> QuerySet[Any]:
        return qs.filter(beyond_cursor("created_at", cursor, op))

    def merged(first: QuerySet[Any], second: QuerySet[Any], *, newest_first: bool) -> list[Any]:
        # Each side is read on its own index, `size + 1` rows at most, and the two merged here: a UNION
        # with one ORDER BY would make the database sort every row of both sides first.
        order = ("-created_at", "-id") if newest_first else ("created_at", "id")
        both = [*first.order_by(*order)[: size + 1], *second.order_by(*order)[: size + 1]]
        return sorted(both, key=lambda row: (row[2], row[1]), reverse=newest_first)[: size + 1]

    if newer is not None and older is None:
        rows = merged(*(beyond(s, newer, "gt") for s in sides), newest_first=False)
        has_newer, rows, has_older = len(rows) > size, rows[:size][::-1], True
    else:
        first, second = (beyond(s, older, "lt") for s in sides) if older is not None else sides
        rows = merged(first, second, newest_first=True)
        has_older, rows = len(rows) > size, rows[:size]
        has_newer = older is not None and bool(rows)
    return KeysetPage(
        object_list=rows,
        older=str(Cursor(rows[-1][2], rows[-1][1])) if rows and has_older else None,
        newer=str(Cursor(rows[0][2], rows[0][1])) if rows and has_newer else None,
        total=capped_count(sides[0].union(sides[1], all=True)),
    )


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
