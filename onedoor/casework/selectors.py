"""Who sees which casework, and the reads behind the caseworker and team-lead pages. Views never filter
by organisation themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from onedoor.accounts.models import PROVIDER_ROLES, User
from onedoor.casework import measures, rules
from onedoor.casework.models import (
    Assessment,
    CaseAlert,
    JointWorking,
    MeasureRecord,
    OnwardReferral,
    PractitionerSession,
    SupportPlan,
    WaitingListEntry,
    WelfareCheckIn,
)
from onedoor.core.audit import audit_refusal
from onedoor.core.pagination import COUNT_CAP, CappedCount, capped_count
from onedoor.directory.models import Service
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, Referral, Status, StatusEvent
from onedoor.referrals.selectors import referral_for_provider

CASE_OPEN_STATUSES = (
    Status.ACCEPTED,
    Status.WAITING,
    Status.CONTACT_ATTEMPTED,
    Status.CONTACTED,
    Status.ENGAGED,
)
# The open case statuses that still await first contact: exactly the statuses of the partial index
# `casework_first_contact_idx` (migration 0011), so that the due lists and their counts read it.
FIRST_CONTACT_STATUSES = tuple(s for s in CASE_OPEN_STATUSES if s in AWAITING_CONTACT_STATUSES)


def case_for_provider(*, user: Any, reference: str) -> Referral:
    """A case the user's organisation can see in full: it holds it, or shares it during a handover. A
    service that handed the case on, and a joint-working partner, get 404 here."""
    return referral_for_provider(user=user, reference=reference)


def latest_assessment(*, referral: Referral) -> Assessment | None:
    return (
        Assessment.objects.filter(referral=referral)
        .prefetch_related("ratings__need")
        .select_related("assessed_by")
        .first()
    )


def enhanced_rights_suggestion(*, referral: Referral) -> list[str]:
    """The Enhanced Rights groups the referral suggests; empty if none."""
    offence = referral.offence_group
    return rules.enhanced_rights_basis(
        age=referral.age_at_referral,
        offence_enhanced=bool(offence and offence.enhanced_rights),
        flags=[(f.slug, f.name, f.enhanced_rights) for f in referral.flags.all()],
    )


def support_plan(*, referral: Referral) -> SupportPlan | None:
    return (
        SupportPlan.objects.filter(referral=referral)
        .prefetch_related("goals__need", "goals__progress_notes__by")
        .first()
    )


# -- joint working: the shared summary -------------------------------------------------------------


@dataclass(frozen=True)
class SharedSummary:
    """What a joint-working partner sees: contact details, risks and the plan's headline. Nothing else."""

    reference: str
    lead_service: str
    name: str
    phone: str
    email: str
    safe_to: tuple[str, ...]
    risk_to_self: str
    risk_from_others: str
    risk_to_others: str
    plan_headline: str


# Joint working ends at the first of: the lead service ending it, the case closing (or being declined or
# found not engaged), or the case being re-routed away from the service that agreed it. Reopening or
# re-routing back does not bring it back: a new joint working, with fresh consent, is needed.
JOINT_ENDING_STATUSES = (Status.CLOSED, Status.DECLINED, Status.NOT_ENGAGED, Status.REROUTED)


def _joint_for(user: Any) -> QuerySet[JointWorking]:
    if not getattr(user, "is_provider_staff", False) or user.organisation_id is None:
        return JointWorking.objects.none()
    ended_by_the_case = StatusEvent.objects.filter(
        referral=OuterRef("referral"), to_status__in=JOINT_ENDING_STATUSES, at__gte=OuterRef("started_at")
    )
    return JointWorking.objects.filter(
        partner_service__organisation_id=user.organisation_id,
        consent_to_share=True,
        ended_at__isnull=True,
        referral__status__in=CASE_OPEN_STATUSES,
        referral__current_service__organisation_id=F("recorded_by__organisation_id"),
    ).exclude(Exists(ended_by_the_case))


def shared_cases_for(*, user: Any) -> QuerySet[JointWorking]:
    return _joint_for(user).select_related("referral", "partner_service", "referral__current_service")


def shared_summary_for(*, user: Any, reference: str) -> SharedSummary:
    joint = _joint_for(user).select_related("referral__current_service").filter(referral__reference=reference).first()
    if joint is None:
        audit_refusal(actor=user, model=Referral, reference=reference, what="shared_summary")
        raise Http404
    r = joint.referral
    assessment = Assessment.objects.filter(referral=r).first()
    plan = SupportPlan.objects.filter(referral=r).first()
    not_assessed = "Not assessed yet"
    return SharedSummary(
        reference=r.reference,
        lead_service=str(r.current_service or ""),
        name=f"{r.first_name} {r.last_name}".strip(),
        phone=r.phone,
        email=r.email,
        safe_to=tuple(rules.safe_channels(r)),
        risk_to_self=assessment.get_risk_to_self_display() if assessment else not_assessed,
        risk_from_others=assessment.get_risk_from_others_display() if assessment else not_assessed,
        risk_to_others=assessment.get_risk_to_others_display() if assessment else not_assessed,
        plan_headline=plan.headline if plan else "No plan yet",
    )


# -- measures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureSeries:
    code: str
    name: str
    max_total: int
    records: list[MeasureRecord]
    change: measures.Change | None

    def points(self, width: int = 300, height: int = 120, pad: int = 20) -> list[tuple[float, float, int]]:
        """SVG coordinates for the chart: x evenly spaced, y scaled to the measure's range."""
        n = len(self.records)
        out = []
        for i, rec in enumerate(self.records):
            x = pad + (i * (width - 2 * pad) / (n - 1) if n > 1 else (width - 2 * pad) / 2)
            y = pad + (height - 2 * pad) * (1 - rec.total / self.max_total)
            out.append((round(x, 1), round(y, 1), rec.total))
        return out

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.points())


def measure_series(*, referral: Referral) -> list[MeasureSeries]:
    by_code: dict[str, list[MeasureRecord]] = {}
    for rec in MeasureRecord.objects.filter(referral=referral).order_by("administered_on", "id"):
        by_code.setdefault(rec.measure, []).append(rec)
    series = []
    for code, recs in by_code.items():
        s = measures.spec(code)
        change = measures.change_between(code, recs[0].total, recs[-1].total) if len(recs) > 1 else None
        series.append(MeasureSeries(code=code, name=s.name, max_total=s.max_total, records=recs, change=change))
    return series


# -- waiting list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    entry: WaitingListEntry
    position: int
    estimate: rules.WaitEstimate
    next_check_in: date | None


WAITING_PAGE_SIZE = 50


def _left_recently(service: Service) -> int:
    since = timezone.now() - timedelta(days=rules.WAITING_THROUGHPUT_DAYS)
    return WaitingListEntry.objects.filter(service=service, left_at__gte=since).count()


def _waiting_row(entry: WaitingListEntry, position: int, left_recently: int) -> WaitingRow:
    due = [c.due_on for c in entry.check_ins.all() if c.done_at is None]
    return WaitingRow(
        entry=entry,
        position=position,
        estimate=rules.estimate_wait(position=position, left_recently=left_recently),
        next_check_in=min(due) if due else None,
    )


def _waiting_entries(service: Service) -> QuerySet[WaitingListEntry]:
    # Carried by the partial index waiting_open_idx (service, added_at, id) WHERE left_at IS NULL.
    return WaitingListEntry.objects.filter(service=service, left_at__isnull=True).order_by("added_at", "id")


def waiting_list(*, service: Service, page: str | int | None = None) -> tuple[Page[WaitingListEntry], list[WaitingRow]]:
    """One page of the service's waiting list in order, with each person's position and an estimated wait from
    how many people left the list over the recent period. The count is of people waiting now, which the
    service's capacity bounds; each page reads only its own rows (ADR 0034)."""
    left_recently = _left_recently(service)
    entries = _waiting_entries(service).select_related("referral").prefetch_related("check_ins")
    current = Paginator(entries, WAITING_PAGE_SIZE).get_page(page)
    first = current.start_index()
    rows = [_waiting_row(entry, first + i, left_recently) for i, entry in enumerate(current.object_list)]
    return current, rows


def waiting_position(*, referral: Referral) -> WaitingRow | None:
    entry = (
        WaitingListEntry.objects.filter(referral=referral, left_at__isnull=True)
        .select_related("service")
        .prefetch_related("check_ins")
        .first()
    )
    if entry is None:
        return None
    ahead = (
        _waiting_entries(entry.service)
        .filter(Q(added_at__lt=entry.added_at) | Q(added_at=entry.added_at, id__lt=entry.pk))
        .count()
    )
    return _waiting_row(entry, ahead + 1, _left_recently(entry.service))


# -- caseworker and team-lead views ----------------------------------------------------------------


def cases_of_organisation(*, user: Any) -> QuerySet[Referral]:
    """Open cases the user's organisation holds."""
    if not getattr(user, "is_provider_staff", False):
        return Referral.objects.none()
    return Referral.objects.filter(_open_case("", user=user))


@dataclass
class DueItem:
    kind: str
    referral: Referral
    due_on: date


DUE_SHOWN = 50  # the most overdue first; the rest are counted (capped), not listed


@dataclass
class DueList:
    """The items due soonest (at most `DUE_SHOWN`, oldest first) and how many are due in all, capped."""

    items: list[DueItem]
    total: CappedCount

    def __iter__(self) -> Iterator[DueItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def more(self) -> bool:
        return self.total.more or self.total.value > len(self.items)


def _open_case(
    prefix: str,
    *,
    user: Any,
    holder: Any = None,
    statuses: tuple[str, ...] = CASE_OPEN_STATUSES,
    services: list[int] | None = None,
) -> Q:
    """The case at `prefix` (e.g. "referral__") is open (in one of `statuses`) and held by the user's
    organisation (and, given a `holder`, assigned to them), as join conditions, so that the database can
    start from the due items. Given the organisation's `services` (their ids), the case's service is
    matched against that list rather than joined: with one service, an index keyed by service and due date
    then hands over the longest overdue first, and a page stops after its rows."""
    where = (
        {f"{prefix}current_service_id__in": services}
        if services is not None
        else {f"{prefix}current_service__organisation_id": user.organisation_id}
    )
    q = Q(**{f"{prefix}status__in": statuses}, **where)
    return q & Q(**{f"{prefix}assigned_to": holder}) if holder is not None else q


def organisation_service_ids(*, user: Any) -> list[int]:
    """The ids of the user's organisation's services, for the due lists (`_open_case`)."""
    return list(Service.objects.filter(organisation_id=user.organisation_id).values_list("id", flat=True))


def _due_querysets(
    *, user: Any, today: date, holder: Any = None, services: list[int] | None = None
) -> dict[str, QuerySet[Any]]:
    """Each kind of due item of the user's organisation's open cases (or only `holder`'s): its due date as
    `due`, its case as `case_id` and the case's practitioner as `holder_id`. Nothing for non-provider staff."""
    if not getattr(user, "is_provider_staff", False):
        return {}
    services = organisation_service_ids(user=user) if services is None else services
    return {
        # On the organisation's own waiting lists as well: the database starts from their open entries
        # rather than from every open case.
        "Welfare check-in": WelfareCheckIn.objects.filter(
            _open_case("entry__referral__", user=user, holder=holder, services=services),
            done_at__isnull=True,
            due_on__lte=today,
            entry__left_at__isnull=True,
            entry__service_id__in=services,
        ).annotate(due=F("due_on"), case_id=F("entry__referral_id"), holder_id=F("entry__referral__assigned_to_id")),
        "Plan review": SupportPlan.objects.filter(
            _open_case("referral__", user=user, holder=holder, services=services), review_on__lte=today
        ).annotate(due=F("review_on"), case_id=F("referral_id"), holder_id=F("referral__assigned_to_id")),
        "First contact": Referral.objects.filter(
            _open_case("", user=user, holder=holder, statuses=FIRST_CONTACT_STATUSES, services=services),
            first_contacted_at__isnull=True,
            due_on__lte=today,
        ).annotate(due=F("due_on"), case_id=F("id"), holder_id=F("assigned_to_id")),
    }


# Where each kind of due item finds its case (the case itself, for a first contact).
_CASE_OF = {"Welfare check-in": "entry__referral", "Plan review": "referral", "First contact": ""}


def due_for(
    *,
    user: Any,
    today: date,
    mine_only: bool = True,
    shown: int | None = None,
    services: list[int] | None = None,
) -> DueList:
    """Due today or overdue: welfare check-ins, plan reviews and first contacts. The `shown` longest overdue
    are listed and the rest counted, so a team with thousands overdue gets its page at once. Queries: the
    organisation's services (unless given, as `organisation_service_ids`), and for each kind one capped
    count and one page with its case (seven, whatever is due)."""
    shown = DUE_SHOWN if shown is None else shown
    items: list[DueItem] = []
    total = 0
    holder = user if mine_only else None
    for kind, qs in _due_querysets(user=user, today=today, holder=holder, services=services).items():
        total += capped_count(qs).value  # each stops at COUNT_CAP + 1, so the sum says "more" rightly
        path = _CASE_OF[kind]
        for row in qs.select_related(f"{path}__assigned_to" if path else "assigned_to").order_by("due", "pk")[:shown]:
            case = row
            for step in path.split("__") if path else ():
                case = getattr(case, step)
            items.append(DueItem(kind, case, row.due))
    items.sort(key=lambda i: (i.due_on, i.referral.pk))
    return DueList(items=items[:shown], total=CappedCount(total, COUNT_CAP))


def overdue_by_practitioner(*, user: Any, today: date, services: list[int] | None = None) -> Counter[int]:
    """How many items each practitioner of the user's organisation has overdue (due before `today`),
    counted by the database: one grouped count per kind of item."""
    counts: Counter[int] = Counter()
    for qs in _due_querysets(user=user, today=today - timedelta(days=1), services=services).values():
        for practitioner_id, n in qs.order_by().values_list("holder_id").annotate(n=Count("pk")):
            if practitioner_id is not None:
                counts[practitioner_id] += n
    return counts


@dataclass
class TeamRow:
    user: User
    open_cases: int = 0
    overdue: int = 0
    sessions: Counter[str] = field(default_factory=Counter)


def team_view(*, user: Any, today: date, services: list[int] | None = None) -> list[TeamRow]:
    """Each practitioner's caseload, overdue items, and supervision and CPD counts in the last year. Every
    figure is counted by the database, grouped by practitioner (the open cases by the partial index on a
    practitioner's open cases), so the page reads one row a practitioner whatever their caseloads."""
    staff = list(
        User.objects.filter(
            organisation_id=user.organisation_id, role__in=list(PROVIDER_ROLES), is_active=True
        ).order_by("last_name", "username")
    )
    rows = {u.pk: TeamRow(user=u) for u in staff}
    for practitioner_id, n in (
        cases_of_organisation(user=user)
        .filter(assigned_to_id__in=list(rows))
        .order_by()
        .values_list("assigned_to_id")
        .annotate(n=Count("pk"))
    ):
        rows[practitioner_id].open_cases = n
    for practitioner_id, n in overdue_by_practitioner(user=user, today=today, services=services).items():
        if practitioner_id in rows:
            rows[practitioner_id].overdue = n
    year_ago = today - timedelta(days=365)
    for practitioner_id, kind, n in (
        PractitionerSession.objects.filter(practitioner_id__in=list(rows), on__gte=year_ago)
        .order_by()
        .values_list("practitioner_id", "kind")
        .annotate(n=Count("pk"))
    ):
        rows[practitioner_id].sessions[kind] = n
    return list(rows.values())


def open_alerts(*, user: Any) -> QuerySet[CaseAlert]:
    if not getattr(user, "is_provider_staff", False):
        return CaseAlert.objects.none()
    return CaseAlert.objects.filter(organisation_id=user.organisation_id, acknowledged_at__isnull=True).select_related(
        "referral", "measure_record"
    )


def onward_links(*, referral: Referral) -> dict[str, Any]:
    return {
        "onward": OnwardReferral.objects.filter(from_referral=referral).select_related("to_service", "to_referral"),
        "onward_from": OnwardReferral.objects.filter(to_referral=referral).select_related("from_referral").first(),
    }


def practitioner_session_counts(*, organisation_id: int, start: date, end: date) -> dict[str, int]:
    """Supervision and CPD sessions in an organisation between two dates (inclusive), for quarterly returns."""
    rows = (
        PractitionerSession.objects.filter(practitioner__organisation_id=organisation_id, on__gte=start, on__lte=end)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(("supervision", "cpd"), 0)
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts
