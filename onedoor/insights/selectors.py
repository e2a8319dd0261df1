"""Aggregates for the commissioner. Nothing here returns a row about a person: every read is a count
grouped by a category, and every count passes through disclosure control before it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from onedoor.core.models import District
from onedoor.directory.models import Service, ServiceKind
from onedoor.insights.disclosure import safe_count
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, OPEN_STATUSES, Referral, SignpostRecord, Source


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]


def demand_by_service(*, today: date) -> list[Row]:
    since = today - timedelta(days=30)
    counts = (
        Referral.objects.values("current_service")
        .annotate(
            last_30=Count("id", filter=Q(received_on__gte=since)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=AWAITING_CONTACT_STATUSES, due_on__lt=today)),
        )
        .order_by()
    )
    by_service = {c["current_service"]: c for c in counts}
    rows = []
    for service in Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name"):
        c = by_service.get(service.pk, {"last_30": 0, "open": 0, "overdue": 0})
        rows.append(Row(str(service), (safe_count(c["last_30"]), safe_count(c["open"]), safe_count(c["overdue"]))))
    return rows


def demand_by_district(*, today: date) -> list[Row]:
    since = today - timedelta(days=365)
    counts = dict(
        Referral.objects.filter(received_on__gte=since)
        .values_list("district")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("district", "n")
    )
    rows = []
    for d in District.objects.all():
        n = counts.get(d.pk, 0)
        rate = f"{n * 1000 / d.population:.1f}" if d.population and n >= 5 else "not shown"
        rows.append(Row(d.name, (safe_count(n), rate)))
    return rows


def demand_by_source() -> list[Row]:
    counts = dict(Referral.objects.values_list("source").annotate(n=Count("id")).order_by().values_list("source", "n"))
    return [Row(label, (safe_count(counts.get(value, 0)),)) for value, label in Source.choices]


def gaps_and_signposting() -> list[Row]:
    gaps = SignpostRecord.objects.filter(gap=True).count()
    signposted = SignpostRecord.objects.filter(gap=False).count()
    return [Row("Gaps in service", (safe_count(gaps),)), Row("Signposted, no referral", (safe_count(signposted),))]
