"""Rollups of casework: closures (with the outcomes asked at closure, needs, scores and what the Victims'
Code asks was done), waits on the waiting list that ended, and feedback."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from onedoor.casework.measures import MEASURES as MEASURE_SPECS
from onedoor.casework.measures import change_between
from onedoor.casework.models import Assessment, ClosureOutcome, Level, MeasureRecord, WaitingListEntry
from onedoor.core.calendar import working_days_between
from onedoor.directory.models import Feedback
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.common import DIM_NAMES, Facts, between, chunks, distinct_days, referral_dims
from onedoor.insights.rollups_b.spine import _categories

# The rollups' names, under which their rows are kept in the fact tables.
CLOSED_ROLLUP = "b_closed"
WAITING_ROLLUP = "b_waiting"
FEEDBACK_ROLLUP = "b_feedback"

IDENTIFIED_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)

CLOSED_FACTS = (
    facts.CLOSED,
    facts.COPE,
    facts.NEED_IDENTIFIED,
    facts.NEED_IMPROVED,
    facts.CLOSED_AFTER_CONTACT,
    facts.ASSESSED,
    facts.ENHANCED_CONSIDERED,
    facts.ENHANCED_APPLIED,
    *(facts.closed_by(c) for c in dims.CHARACTERISTICS),
    *(facts.scores(i, k) for i in facts.INSTRUMENTS for k in facts.SCORE_CLASSES),
)


def _closed_touched(since: datetime | None) -> set[date]:
    qs = ClosureOutcome.objects.annotate(d=TruncDate("closed_at"))
    if since is None:
        return distinct_days(qs, "d")
    # A closure is new, re-opened, or its case changed (a transition saves the referral); a score or an
    # assessment recorded after the closure changes what the closure's day counts too.
    # Re-opening saves the referral too. Each query is read by its own index.
    days = distinct_days(qs.filter(closed_at__gt=since), "d")
    days |= distinct_days(qs.filter(referral__updated_at__gt=since), "d")
    days |= distinct_days(qs.filter(referral__measures__recorded_at__gt=since), "d")
    days |= distinct_days(qs.filter(referral__assessments__assessed_at__gt=since), "d")
    return days


def _score(instrument: str, *, last: bool, field: str) -> Subquery:
    """The first (or last) score on `instrument` of the closure's case, by the day it was given: its `field`."""
    ordering = ("-administered_on", "-id") if last else ("administered_on", "id")
    records = MeasureRecord.objects.filter(referral=OuterRef("referral_id"), measure=instrument).order_by(*ordering)
    return Subquery(records.values(field)[:1])


def _closed_rebuild(days: set[date]) -> int:
    written = 0
    categories = _categories()
    for part in chunks(days):
        out = Facts()
        closures = (
            ClosureOutcome.objects.filter(between("closed_at", part))
            .annotate(
                d=TruncDate("closed_at"), **referral_dims("referral__"), r_service=F("referral__current_service_id")
            )
            .filter(d__in=part)
        )
        assessed = Assessment.objects.filter(referral=OuterRef("referral_id"))
        grouped = (
            closures.annotate(
                r_contacted=Q(referral__first_contacted_at__isnull=False),
                r_assessed=Exists(assessed),
                r_applied=Exists(assessed.filter(enhanced_rights=True)),
            )
            .values(
                "d",
                "r_service",
                *DIM_NAMES,
                "better_able_to_cope",
                "r_contacted",
                "r_assessed",
                "r_applied",
                *(f"referral__{c}_id" for c in dims.CHARACTERISTICS),
            )
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            day, service = row["d"], row["r_service"]
            out.add(facts.CLOSED, row, day=day, service=service)
            out.add(facts.COPE, row, day=day, service=service, category=row["better_able_to_cope"])
            for characteristic in dims.CHARACTERISTICS:
                code, _ = categories.get(row[f"referral__{characteristic}_id"], (NOT_RECORDED, False))
                out.add(facts.closed_by(characteristic), row, day=day, service=service, category=code)
            if row["r_contacted"]:
                out.add(facts.CLOSED_AFTER_CONTACT, row, day=day, service=service)
                if row["r_assessed"]:
                    # Every needs assessment records the Enhanced Rights decision (a required yes or no).
                    out.add(facts.ASSESSED, row, day=day, service=service)
                    out.add(facts.ENHANCED_CONSIDERED, row, day=day, service=service)
                if row["r_applied"]:
                    out.add(facts.ENHANCED_APPLIED, row, day=day, service=service)
        identified = (
            closures.filter(referral__assessments__ratings__level__in=IDENTIFIED_LEVELS)
            .values("d", "r_service", *DIM_NAMES, "referral__assessments__ratings__need__slug")
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        for row in identified:
            need = row["referral__assessments__ratings__need__slug"]
            out.add(facts.NEED_IDENTIFIED, row, day=row["d"], service=row["r_service"], category=need)
        improved = (
            closures.filter(
                referral__assessments__ratings__level__in=IDENTIFIED_LEVELS,
                referral__assessments__ratings__need=F("needs_improved"),
            )
            .values("d", "r_service", *DIM_NAMES, "needs_improved__slug")
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        for row in improved:
            out.add(
                facts.NEED_IMPROVED, row, day=row["d"], service=row["r_service"], category=row["needs_improved__slug"]
            )
        for instrument in facts.INSTRUMENTS:
            pairs = (
                closures.annotate(
                    r_first_id=_score(instrument, last=False, field="id"),
                    r_first=_score(instrument, last=False, field="total"),
                    r_last_id=_score(instrument, last=True, field="id"),
                    r_last=_score(instrument, last=True, field="total"),
                )
                .filter(r_first_id__isnull=False)
                .exclude(r_first_id=F("r_last_id"))
                .values("d", "r_service", *DIM_NAMES, "r_first", "r_last")
                .annotate(n=Count("id"))
                .order_by()
            )
            for row in pairs:
                change = change_between(instrument, row["r_first"], row["r_last"])
                kinds = {
                    "paired": True,
                    "improved": change.reliable_improvement,
                    "deteriorated": change.reliable_deterioration,
                    "caseness": change.first >= _cutoff(instrument),
                    "recovered": change.recovered,
                    "reliable_recovery": change.reliable_recovery,
                }
                for kind, holds in kinds.items():
                    if holds:
                        out.add(facts.scores(instrument, kind), row, day=row["d"], service=row["r_service"])
        written += out.replace(rollup=CLOSED_ROLLUP, days=part)
    return written


def _cutoff(instrument: str) -> int:
    return MEASURE_SPECS[instrument].clinical_cutoff


CLOSED = rollup_register(RollupSpec(name=CLOSED_ROLLUP, touched=_closed_touched, rebuild=_closed_rebuild))


# -- the waiting list --------------------------------------------------------------------------------


def _waiting_touched(since: datetime | None) -> set[date]:
    qs = WaitingListEntry.objects.filter(left_at__isnull=False).annotate(d=TruncDate("left_at"))
    if since is None:
        return distinct_days(qs, "d")
    return distinct_days(qs.filter(left_at__gt=since), "d") | distinct_days(
        qs.filter(referral__updated_at__gt=since), "d"
    )


def _waiting_rebuild(days: set[date]) -> int:
    written = 0
    for part in chunks(days):
        out = Facts()
        grouped = (
            WaitingListEntry.objects.filter(between("left_at", part))
            .annotate(d=TruncDate("left_at"), r_added=TruncDate("added_at"), **referral_dims("referral__"))
            .filter(d__in=part)
            .values("d", "service_id", *DIM_NAMES, "r_added")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            waited = working_days_between(row["r_added"], row["d"])
            out.add(facts.WAIT_DAYS, row, day=row["d"], service=row["service_id"], category=str(waited))
        written += out.replace(rollup=WAITING_ROLLUP, days=part)
    return written


WAITING = rollup_register(RollupSpec(name=WAITING_ROLLUP, touched=_waiting_touched, rebuild=_waiting_rebuild))


# -- feedback ----------------------------------------------------------------------------------------


def _feedback_touched(since: datetime | None) -> set[date]:
    # Feedback carries only the day it arrived: everything from the day before the last refresh on.
    qs = Feedback.objects.all()
    if since is not None:
        qs = qs.filter(received_on__gte=timezone.localdate(since) - timedelta(days=1))
    return distinct_days(qs, "received_on")


def _feedback_rebuild(days: set[date]) -> int:
    written = 0
    for part in chunks(days):
        out = Facts()
        grouped = (
            Feedback.objects.filter(received_on__in=part)
            .values("received_on", "service_id", "satisfaction")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in grouped:
            out.add(
                facts.FEEDBACK,
                row,
                day=row["received_on"],
                service=row["service_id"],
                category=str(row["satisfaction"]),
            )
        written += out.replace(rollup=FEEDBACK_ROLLUP, days=part)
    return written


FEEDBACK = rollup_register(RollupSpec(name=FEEDBACK_ROLLUP, touched=_feedback_touched, rebuild=_feedback_rebuild))
