"""The caseworker's "My cases" and the team's cases list: what needs doing first, a page at a time.

Both lists are read a page at a time and never counted in full: a count stops at COUNT_CAP ("more than
1,000"), and a page asks for one row more than it shows, to know whether there is a next page. "My cases"
reads only the caseworker's own open cases (index `casework_my_cases_idx`, partial on the open statuses), so
its cost follows their caseload, not the size of the referral table. The team list is one service's open
cases in first-contact order (index `casework_team_cases_idx`), so a page is a short index scan however many
cases the service holds. See docs/adr/0031-caseload-lists-paged-and-capped.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from onedoor.casework.measures import spec
from onedoor.casework.models import CaseAlert, ContactAttempt, WelfareCheckIn
from onedoor.casework.selectors import cases_of_organisation
from onedoor.directory.models import Service
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, Referral, Status

PER_PAGE = 50
COUNT_CAP = 1_000
NEVER = date(9999, 12, 31)  # sorts "nothing due" after every real date, on every database

# GET ?sort= values for "My cases": label, and the order (what needs doing first is the default).
MY_CASES_SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "next": ("What needs doing first", (F("has_alert").desc(), "next_due", "id")),
    "name": ("Name", ("last_name", "first_name", "id")),
    "last-contact": ("Longest since contact", (F("last_contact").asc(nulls_first=True), "id")),
    "reference": ("Reference", ("reference",)),
}
DEFAULT_SORT = "next"


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    has_next: bool
    count: int  # capped at COUNT_CAP + 1
    per_page: int = PER_PAGE

    @property
    def count_label(self) -> str:
        return f"more than {COUNT_CAP:,}" if self.count > COUNT_CAP else f"{self.count:,}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number(raw: str | None) -> int:
    """The ?page= value as a page number from 1; anything else is page 1. Pages beyond the cap are not
    offered (the count stops there), so the offset stays small."""
    try:
        n = int(raw or "1")
    except ValueError:
        return 1
    return max(1, min(n, COUNT_CAP // PER_PAGE + 1))


def capped_count(queryset: QuerySet[Any]) -> int:
    """How many rows, counting no further than COUNT_CAP + 1: SELECT COUNT(*) FROM (… LIMIT 1001)."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def _page_of(queryset: QuerySet[Any], number: int, count: int) -> Page:
    start = (number - 1) * PER_PAGE
    rows = list(queryset[start : start + PER_PAGE + 1])
    return Page(rows=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE, count=count)


# -- "My cases" -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    referral: Referral
    next_action: str
    due_on: date | None
    alerts: list[str]
    last_contact: datetime | None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today


def _annotated(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Each case with its next dates (first contact, the next welfare check-in, the plan review), the
    earliest of them, whether it has an open alert, and its last contact attempt. All per row, by index."""
    open_alert = CaseAlert.objects.filter(referral=OuterRef("pk"), acknowledged_at__isnull=True)
    check_in = (
        WelfareCheckIn.objects.filter(entry__referral=OuterRef("pk"), done_at__isnull=True, entry__left_at__isnull=True)
        .order_by()
        .values("entry__referral")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    last_contact = (
        ContactAttempt.objects.filter(referral=OuterRef("pk"))
        .order_by()
        .values("referral")
        .annotate(last=Max("at"))
        .values("last")
    )
    first_contact = Case(
        When(
            Q(status__in=AWAITING_CONTACT_STATUSES, first_contacted_at__isnull=True, due_on__isnull=False),
            then=F("due_on"),
        ),
        default=None,
        output_field=DateField(),
    )
    never = Value(NEVER, output_field=DateField())
    return queryset.annotate(
        has_alert=Exists(open_alert),
        first_contact_on=first_contact,
        check_in_on=Subquery(check_in, output_field=DateField()),
        review_on=F("support_plan__review_on"),
        last_contact=Subquery(last_contact),
    ).annotate(
        next_due=Least(
            Coalesce("first_contact_on", never), Coalesce("check_in_on", never), Coalesce("review_on", never)
        )
    )


def _next_action(r: Any) -> tuple[str, date | None]:
    if r.next_due == NEVER:
        if r.status in (Status.ACCEPTED, Status.CONTACT_ATTEMPTED) and r.first_contacted_at is None:
            return "Make first contact", None
        return ("Write the support plan", None) if r.review_on is None else ("Nothing due", None)
    for label, on in (
        ("Make first contact", r.first_contact_on),
        ("Welfare check-in", r.check_in_on),
        ("Review the plan", r.review_on),
    ):
        if on == r.next_due:
            return label, on
    return "Nothing due", None  # pragma: no cover - next_due is one of the three


def _alerts_by_case(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for alert in CaseAlert.objects.filter(referral_id__in=ids, acknowledged_at__isnull=True).select_related(
        "measure_record"
    ):
        out.setdefault(alert.referral_id, []).append(alert_label(alert))
    return out


def alert_label(alert: CaseAlert) -> str:
    record = alert.measure_record
    if record is not None and record.risk_items:
        items = ", ".join(str(n) for n in record.risk_items)
        return f"{spec(record.measure).name} item {items} answered above 0"
    return str(alert.get_kind_display())


def my_cases_page(*, user: Any, sort: str, page: str | None) -> tuple[Page, dict[str, int]]:
    """The user's own open cases, sorted as asked (what needs doing first by default), one page, with
    the (capped) count in each status."""
    mine = cases_of_organisation(user=user).filter(assigned_to=user)
    order = MY_CASES_SORTS.get(sort, MY_CASES_SORTS[DEFAULT_SORT])[1]
    queryset = _annotated(mine).select_related("current_service").order_by(*order)
    capped = Referral.objects.filter(pk__in=mine.order_by().values("pk")[: COUNT_CAP + 1])
    statuses = {Status(s).label: n for s, n in capped.values_list("status").annotate(n=Count("id")).order_by()}
    found = _page_of(queryset, page_number(page), sum(statuses.values()))
    alerts = _alerts_by_case([r.pk for r in found.rows])
    rows = [
        CaseRow(
            referral=r,
            next_action=(action := _next_action(r))[0],
            due_on=action[1],
            alerts=alerts.get(r.pk, []),
            last_contact=r.last_contact,
        )
        for r in found.rows
    ]
    return Page(rows=rows, number=found.number, has_next=found.has_next, count=found.count), dict(
        sorted(statuses.items())
    )


# -- the team's cases -----------------------------------------------------------------------------


def team_cases_page(*, user: Any, service: Service, page: str | None) -> Page:
    """One of the organisation's services: its open cases by first-contact due date, one page."""
    cases = cases_of_organisation(user=user).filter(current_service=service)
    queryset = cases.select_related("assigned_to").order_by(F("due_on").asc(nulls_last=True), "id")
    return _page_of(queryset, page_number(page), capped_count(cases))
