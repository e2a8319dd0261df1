"""What every facts-b rollup shares: the fact codes, the age band in SQL, days in local time, and writing
counted facts into the fact tables the facts-a rollups write (ADR 0036).

A rollup reads only aggregate fields of the facts (dates, statuses, services, district, offence group, route
in, age, demographic categories, closure answers and scores) and groups them in SQL; where a count needs
working days (bank holidays are not in the database) the grouped dates are turned into working days here,
with `onedoor.core.calendar`, and summed again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from onedoor.core.models import District, OffenceGroup
from onedoor.directory.models import Service
from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.rollups_a.store import DayRow, replace_days

# Upper limits (exclusive) of the age bands, as `onedoor.referrals.services.age_band` draws them.
AGE_LIMITS = (
    (16, "under-16"),
    (25, "16-to-24"),
    (35, "25-to-34"),
    (45, "35-to-44"),
    (55, "45-to-54"),
    (65, "55-to-64"),
)
OLDEST_BAND = "65-and-over"

# A counted fact: (fact, day, service id, district id, offence group id, source, age band, category).
FactKey = tuple[str, date, int | None, int | None, int | None, str, str, str]


def age_band_sql(prefix: str = "") -> Case:
    """The age band code of a referral's age at referral, in SQL. `prefix` is the path to the referral
    ("referral__" from a closure, "" on the referral itself)."""
    field = f"{prefix}age_at_referral"
    whens = [When(**{f"{field}__isnull": True}, then=Value(NOT_RECORDED))]
    whens += [When(**{f"{field}__lt": limit}, then=Value(band)) for limit, band in AGE_LIMITS]
    return Case(*whens, default=Value(OLDEST_BAND), output_field=CharField())


def referral_dims(prefix: str = "") -> dict[str, Any]:
    """The annotations every fact is grouped by, besides its day and service: district, offence group, route
    in and age band of the referral at `prefix`."""
    return {
        "r_district": F(f"{prefix}district_id"),
        "r_offence": F(f"{prefix}offence_group_id"),
        "r_source": F(f"{prefix}source"),
        "r_age": age_band_sql(prefix),
    }


DIM_NAMES = ("r_district", "r_offence", "r_source", "r_age")


def local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def between(field: str, days: Iterable[date]) -> Q:
    """`field` (a moment) falls within the local days from the first of `days` to the last."""
    ordered = sorted(days)
    return Q(**{f"{field}__gte": local_start(ordered[0]), f"{field}__lt": local_start(ordered[-1] + timedelta(days=1))})


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


class Facts:
    """Counted facts on their way to the shared fact tables (`onedoor.insights.models.FactDay`), which keep
    the codes the pages use: a service, district or offence group is written as its slug or GSS code, as
    it is when counted (a rollup row outlives one renamed or removed, and reads as not recorded)."""

    def __init__(self) -> None:
        self.counts: Counter[FactKey] = Counter()

    def add(self, fact: str, row: Mapping[str, Any], *, day: date, service: int | None, category: str = "") -> None:
        n = int(row["n"])
        if n:
            key: FactKey = (
                fact,
                day,
                service,
                row.get("r_district"),
                row.get("r_offence"),
                row.get("r_source") or "",
                row.get("r_age") or "",
                category,
            )
            self.counts[key] += n

    def replace(self, *, rollup: str, days: set[date]) -> int:
        """Make these the rollup's rows for `days` (see `replace_days`); returns the rows written."""
        services = dict(Service.objects.values_list("pk", "slug"))
        districts = dict(District.objects.values_list("pk", "gss_code"))
        offences = dict(OffenceGroup.objects.values_list("pk", "slug"))
        rows: list[DayRow] = [
            (
                fact,
                day,
                services.get(service, NOT_RECORDED) if service is not None else NOT_RECORDED,
                districts.get(district, NOT_RECORDED) if district is not None else NOT_RECORDED,
                offences.get(offence, NOT_RECORDED) if offence is not None else NOT_RECORDED,
                source or NOT_RECORDED,
                age or NOT_RECORDED,
                category,
                n,
            )
            for (fact, day, service, district, offence, source, age, category), n in self.counts.items()
        ]
        return replace_days(rollup=rollup, days=days, rows=rows)


def chunks(days: set[date], size: int = 62) -> list[set[date]]:
    """The days in order, a few weeks at a time, so each rebuild query reads one short range."""
    ordered = sorted(days)
    return [set(ordered[i : i + size]) for i in range(0, len(ordered), size)]


def distinct_days(qs: QuerySet[Any], field: str) -> set[date]:
    return {d for d in qs.values_list(field, flat=True).distinct().order_by() if d is not None}
