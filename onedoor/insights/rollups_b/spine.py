"""Rollups of the referral spine: referrals received (with demographics, data quality and the police's two
working days), first contacts, support started, and overdue referrals as at each month's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from onedoor.core.calendar import add_working_days, working_days_between
from onedoor.core.models import CategoryKind, DemographicCategory
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.periods import add_months
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.common import (
    DIM_NAMES,
    Facts,
    between,
    chunks,
    distinct_days,
    local_start,
    referral_dims,
)
from onedoor.referrals.models import Allocation, Referral, Source, Status, StatusEvent
from onedoor.referrals.services import POLICE_REFERRAL_DAYS

# The rollups' names, under which their rows are kept in the fact tables.
RECEIVED_ROLLUP = "b_received"
CONTACTED_ROLLUP = "b_contacted"
ENGAGED_ROLLUP = "b_engaged"
OVERDUE_ROLLUP = "b_overdue"

# Statuses that end the wait for first contact: contact made, or the referral ended without it.
CONTACT_OWED_ENDS = (Status.CONTACTED, Status.ENGAGED, Status.NOT_ENGAGED, Status.DECLINED, Status.CLOSED)


def _categories() -> dict[int, tuple[str, bool]]:
    """Each demographic category's code, and whether it is an answer ("prefer not to say" is one)."""
    return {
        pk: (code, kind != CategoryKind.NOT_RECORDED)
        for pk, code, kind in DemographicCategory.objects.values_list("pk", "code", "kind")
    }


# -- referrals received ----------------------------------------------------------------------------


def _received_touched(since: datetime | None) -> set[date]:
    qs = Referral.objects.all() if since is None else Referral.objects.filter(updated_at__gt=since)
    return distinct_days(qs, "received_on")


RECEIVED_FACTS = (
    facts.RECEIVED,
    facts.POLICE_DAYS,
    facts.POLICE_WITHIN,
    *(facts.received_by(c) for c in dims.CHARACTERISTICS),
    *(facts.recorded(f) for f in facts.RECORDED_FIELDS),
)


def _received_rebuild(days: set[date]) -> int:
    written = 0
    categories = _categories()
    for part in chunks(days):
        out = Facts()
        qs = Referral.objects.filter(received_on__gte=min(part), received_on__lte=max(part), received_on__in=part)
        grouped = (
            qs.annotate(
                **referral_dims(),
                r_has_postcode=~Q(postcode=""),
                r_has_contact=~Q(phone="") | ~Q(email=""),
                r_has_language=~Q(preferred_language=""),
            )
            .values(
                "received_on",
                "current_service_id",
                *DIM_NAMES,
                "age_at_referral",
                "r_has_postcode",
                "r_has_contact",
                "r_has_language",
                *(f"{c}_id" for c in dims.CHARACTERISTICS),
            )
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            day, service = row["received_on"], row["current_service_id"]
            out.add(facts.RECEIVED, row, day=day, service=service)
            present = {
                "age": row["age_at_referral"] is not None,
                "district": row["r_district"] is not None,
                "offence_group": row["r_offence"] is not None,
                "postcode": bool(row["r_has_postcode"]),
                "contact": bool(row["r_has_contact"]),
                "preferred_language": bool(row["r_has_language"]),
            }
            for characteristic in dims.CHARACTERISTICS:
                code, answered = categories.get(row[f"{characteristic}_id"], (NOT_RECORDED, False))
                out.add(facts.received_by(characteristic), row, day=day, service=service, category=code)
                present[characteristic] = answered
            for field, is_recorded in present.items():
                if is_recorded:
                    out.add(facts.recorded(field), row, day=day, service=service)
        police = (
            qs.filter(source=Source.POLICE_TRANSFER, police_record__isnull=False)
            .annotate(
                **referral_dims(),
                r_reported=TruncDate("police_record__recorded_at"),
                r_created=TruncDate("created_at"),
            )
            .values("received_on", "current_service_id", *DIM_NAMES, "r_reported", "r_created")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in police:
            waited = working_days_between(row["r_reported"], row["r_created"])
            day, service = row["received_on"], row["current_service_id"]
            out.add(facts.POLICE_DAYS, row, day=day, service=service, category=str(waited))
            if waited <= POLICE_REFERRAL_DAYS:
                out.add(facts.POLICE_WITHIN, row, day=day, service=service)
        written += out.replace(rollup=RECEIVED_ROLLUP, days=part)
    return written


RECEIVED = rollup_register(RollupSpec(name=RECEIVED_ROLLUP, touched=_received_touched, rebuild=_received_rebuild))


# -- first contact ---------------------------------------------------------------------------------


def _contacted_touched(since: datetime | None) -> set[date]:
    qs = Referral.objects.filter(first_contacted_at__isnull=False)
    if since is not None:
        qs = qs.filter(updated_at__gt=since)
    return distinct_days(qs.annotate(d=TruncDate("first_contacted_at")), "d")


def _contacted_rebuild(days: set[date]) -> int:
    written = 0
    targets = dict(Service.objects.values_list("pk", "first_contact_target_days"))
    for part in chunks(days):
        out = Facts()
        grouped = (
            Referral.objects.filter(between("first_contacted_at", part))
            .annotate(d=TruncDate("first_contacted_at"), **referral_dims())
            .filter(d__in=part)
            .values("d", "current_service_id", *DIM_NAMES, "received_on", "due_on")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            day, service = row["d"], row["current_service_id"]
            out.add(
                facts.CONTACT_DAYS,
                row,
                day=day,
                service=service,
                category=str(working_days_between(row["received_on"], day)),
            )
            due = row["due_on"] or add_working_days(row["received_on"], targets.get(service, 0))
            if day <= due:
                out.add(facts.CONTACT_WITHIN, row, day=day, service=service)
        written += out.replace(rollup=CONTACTED_ROLLUP, days=part)
    return written


CONTACTED = rollup_register(RollupSpec(name=CONTACTED_ROLLUP, touched=_contacted_touched, rebuild=_contacted_rebuild))


# -- support started -------------------------------------------------------------------------------

ENGAGED_FACTS = (facts.ENGAGED, *(facts.engaged_by(c) for c in dims.CHARACTERISTICS))


def _engaged_touched(since: datetime | None) -> set[date]:
    qs = StatusEvent.objects.filter(to_status=Status.ENGAGED).annotate(d=TruncDate("at"))
    if since is None:
        return distinct_days(qs, "d")
    # New starts of support, and those of referrals changed since (each read by its own index).
    return distinct_days(qs.filter(at__gt=since), "d") | distinct_days(qs.filter(referral__updated_at__gt=since), "d")


def _engaged_rebuild(days: set[date]) -> int:
    written = 0
    categories = _categories()
    for part in chunks(days):
        out = Facts()
        grouped = (
            StatusEvent.objects.filter(between("at", part), to_status=Status.ENGAGED)
            .annotate(d=TruncDate("at"), **referral_dims("referral__"))
            .filter(d__in=part)
            .values("d", "service_id", *DIM_NAMES, *(f"referral__{c}_id" for c in dims.CHARACTERISTICS))
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            day, service = row["d"], row["service_id"]
            out.add(facts.ENGAGED, row, day=day, service=service)
            for characteristic in dims.CHARACTERISTICS:
                code, _ = categories.get(row[f"referral__{characteristic}_id"], (NOT_RECORDED, False))
                out.add(facts.engaged_by(characteristic), row, day=day, service=service, category=code)
        written += out.replace(rollup=ENGAGED_ROLLUP, days=part)
    return written


ENGAGED = rollup_register(RollupSpec(name=ENGAGED_ROLLUP, touched=_engaged_touched, rebuild=_engaged_rebuild))


# -- overdue as at each month's end ----------------------------------------------------------------


def month_ends(first: date, last: date) -> set[date]:
    """The last days of the months from `first`'s month on, up to and including `last`."""
    ends: set[date] = set()
    month = first.replace(day=1)
    while (end := add_months(month, 1) - timedelta(days=1)) <= last:
        ends.add(end)
        month = add_months(month, 1)
    return ends


def _overdue_touched(since: datetime | None) -> set[date]:
    """A month's end is counted once, at the first refresh after it has passed: it is a snapshot "as at"
    that moment, and later changes to the referrals (a re-route moves the due date) do not rewrite it.
    A full refresh counts every month's end again from the referrals as they are now."""
    yesterday = timezone.localdate() - timedelta(days=1)
    if since is None:
        first = Referral.objects.order_by("received_on").values_list("received_on", flat=True).first()
        return month_ends(first, yesterday) if first else set()
    ends = month_ends(timezone.localdate(since) - timedelta(days=1), yesterday)
    return {end for end in ends if local_start(end + timedelta(days=1)) > since}


def _overdue_rebuild(days: set[date]) -> int:
    written = 0
    for part in chunks(days, size=1):
        (end,) = part
        after = local_start(end + timedelta(days=1))  # as at the end of the month's last day
        out = Facts()
        # NOT EXISTS, an anti-join: `NOT IN (subquery)` is run row by row once the subquery's ids pass
        # work_mem, and took minutes a month's end at a million referrals.
        ended = StatusEvent.objects.filter(
            referral_id=OuterRef("referral_id"), to_status__in=CONTACT_OWED_ENDS, at__lt=after
        )
        grouped = (
            Allocation.objects.filter(started_at__lt=after)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=after))
            .filter(referral__received_on__lte=end, referral__due_on__lte=end)
            .exclude(Exists(ended))
            .annotate(**referral_dims("referral__"), r_service=F("service_id"))
            .values("r_service", *DIM_NAMES)
            .annotate(n=Count("referral_id", distinct=True))
            .order_by()
        )
        for row in grouped:
            out.add(facts.OVERDUE, row, day=end, service=row["r_service"])
        written += out.replace(rollup=OVERDUE_ROLLUP, days=part)
    return written


OVERDUE = rollup_register(RollupSpec(name=OVERDUE_ROLLUP, touched=_overdue_touched, rebuild=_overdue_rebuild))
