"""The "police" rollup: police reach, the victims in the overnight transfer files and what became of them.

A victim record belongs to the local date OneDoor first received it (its `created_at`: the day of the file that
first named that victim of that crime), so a victim counts once however often the police send the row again.
Its district and offence group are the police's own; its service is the service now holding the referral made
from it ("not recorded" when there is none); its age band is from the date of birth at the crime's recording.

Facts: every victim; those who consented to share; offered support (a support offer that no safety rule held
back); withheld (an offer a safety rule held back, by the first reason the rules gave); referred; contacted (the
referral's first contact recorded); engaged (support started).

A day is rebuilt when a record first received on it was loaded or changed, was routed and offered support, or
its referral was saved, after the last refresh. Deleting a record never touches a day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_a.store import FactSource, age_band_case, code, grouped, local_day, on_days, rebuild_days
from onedoor.messaging.models import MessageStatus
from onedoor.police.models import ChunkPhase, PoliceChunk, PoliceVictimRecord
from onedoor.referrals.models import Source, Status, StatusEvent

ROLLUP = "police"


def _records(days: set[date]) -> QuerySet[PoliceVictimRecord]:
    # The age when the crime was recorded, in ten-thousandths of a year: the difference of the two dates
    # written as YYYYMMDD numbers, whose first digits are whole years (20260110 - 19800501 = 459609: 45).
    return PoliceVictimRecord.objects.filter(on_days("created_at", days, moment=True)).annotate(
        _age=ExtractYear("recorded_at") * 10000
        + ExtractMonth("recorded_at") * 100
        + ExtractDay("recorded_at")
        - ExtractYear("date_of_birth") * 10000
        - ExtractMonth("date_of_birth") * 100
        - ExtractDay("date_of_birth")
    )


def _rows(qs: QuerySet[PoliceVictimRecord], detail: Any = None) -> QuerySet[Any]:
    return grouped(
        qs,
        day=local_day("created_at"),
        service=code("referral__current_service__slug"),
        district=code("district__gss_code"),
        offence_group=code("offence_group__slug"),
        source=Value(str(Source.POLICE_TRANSFER)),
        age_band=age_band_case("_age", scale=10000),
        detail=Value("") if detail is None else detail,
    )


def _source(fact: str, condition: Q | Exists | None = None, detail: Any = None) -> FactSource:
    def rows(days: set[date]) -> QuerySet[Any]:
        qs = _records(days)
        return _rows(qs if condition is None else qs.filter(condition), detail)

    return FactSource(fact=f"police_reach.{fact}", rows=rows)


_ENGAGED = Exists(StatusEvent.objects.filter(referral=OuterRef("referral_id"), to_status=Status.ENGAGED))
_FIRST_REASON = Coalesce(
    KeyTextTransform("0", "offer__withheld_reasons"), Value(NOT_RECORDED), output_field=CharField()
)

SOURCES = (
    _source("victims"),
    _source("consented", Q(consent_to_share=True)),
    _source("offered", Q(offer__isnull=False) & ~Q(offer__status=MessageStatus.WITHHELD)),
    _source("withheld", Q(offer__status=MessageStatus.WITHHELD), _FIRST_REASON),
    _source("referred", Q(referral__isnull=False)),
    _source("contacted", Q(referral__first_contacted_at__isnull=False)),
    _source("engaged", _ENGAGED),
)


def _days_of(qs: QuerySet[PoliceVictimRecord]) -> set[date]:
    values = qs.annotate(_d=local_day("created_at")).values_list("_d", flat=True).order_by().distinct()
    return {d for d in values if d is not None}


def touched(since: datetime | None) -> set[date]:
    records = PoliceVictimRecord.objects.all()
    if since is None:
        return _days_of(records)
    after = since  # rollups_refresh already looks SETTLE behind its watermark
    # Routing and offering support writes `processed_at`, not `updated_at`: the process chunks done since
    # name the id ranges they covered.
    ranges = Q(pk__in=[])
    for lo, hi in PoliceChunk.objects.filter(phase=ChunkPhase.PROCESS, done_at__gt=after).values_list(
        "id_from", "id_to"
    ):
        if lo is not None and hi is not None:
            ranges |= Q(pk__gte=lo, pk__lte=hi)
    return (
        _days_of(records.filter(updated_at__gt=after))
        | _days_of(records.filter(referral__updated_at__gt=after))
        | _days_of(records.filter(ranges))
    )


def rebuild(days: set[date]) -> int:
    return rebuild_days(rollup=ROLLUP, sources=SOURCES, days=days)


SPEC = rollup_register(RollupSpec(name=ROLLUP, touched=touched, rebuild=rebuild))
