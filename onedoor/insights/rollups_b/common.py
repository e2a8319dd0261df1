"""What every facts-b rollup shares: the fact codes, the age band in SQL, days in local time, and writing
counted facts.

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

from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.models_outcomes import OutcomeFact

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
    """Counted facts on their way to the rollup table."""

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

    def write(self) -> int:
        rows = [
            OutcomeFact(
                fact=fact,
                day=day,
                service_id=service,
                district_id=district,
                offence_group_id=offence,
                source=source,
                age_band=age,
                category=category,
                n=n,
            )
            for (fact, day, service, district, offence, source, age, category), n in self.counts.items()
        ]
        OutcomeFact.objects.bulk_create(rows, batch_size=2000)
        return len(rows)


def clear(facts: Iterable[str], days: set[date]) -> None:
    """Delete the rollup rows of these facts for these days."""
    OutcomeFact.objects.filter(fact__in=list(facts), day__in=sorted(days)).delete()


def chunks(days: set[date], size: int = 62) -> list[set[date]]:
    """The days in order, a few weeks at a time, so each rebuild query reads one short range."""
    ordered = sorted(days)
    return [set(ordered[i : i + size]) for i in range(0, len(ordered), size)]


def distinct_days(qs: QuerySet[Any], field: str) -> set[date]:
    return {d for d in qs.values_list(field, flat=True).distinct().order_by() if d is not None}
