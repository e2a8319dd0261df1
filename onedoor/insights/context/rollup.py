"""The police profile rollup: victims in the police transfer records, by the day recorded and the section 5.1
fields (district, offence group, age band, sex, ethnicity, consent, repeat) and what OneDoor did (offer sent,
referral made). Counts only. A day is rebuilt when one of its records was changed or processed, never
because records were deleted (retention), so past days keep their figures."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Q
from django.db.models.functions import TruncDate

from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.context.dims import PREFER_NOT_TO_SAY
from onedoor.insights.context.models import PoliceProfileDay
from onedoor.insights.context.vocab import slug
from onedoor.insights.dimensions import age_band_of
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.messaging.models import MessageStatus
from onedoor.police.models import PoliceVictimRecord

NAME = "context_police_profile"


def _touched(since: datetime | None) -> set[date]:
    records = PoliceVictimRecord.objects.all()
    if since is not None:
        records = records.filter(Q(updated_at__gt=since) | Q(processed_at__gt=since))
    return set(records.annotate(day=TruncDate("recorded_at")).values_list("day", flat=True).distinct())


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _demographic(code: str | None, kind: str | None) -> str:
    if not code or kind == "not_recorded":
        return NOT_RECORDED
    return PREFER_NOT_TO_SAY if kind == "prefer_not_to_say" else code


def _rebuild(days: set[date]) -> int:
    PoliceProfileDay.objects.filter(day__in=days).delete()
    counts: Counter[tuple[date, str, str, str, str, str, bool, bool, bool, bool]] = Counter()
    rows = (
        PoliceVictimRecord.objects.annotate(day=TruncDate("recorded_at"))
        .filter(day__in=days)
        .values_list(
            "day",
            "district__gss_code",
            "offence_group__slug",
            "date_of_birth",
            "sex__code",
            "sex__kind",
            "ethnicity__group",
            "ethnicity__kind",
            "consent_to_share",
            "repeat",
            "offer__status",
            "referral_id",
        )
        .iterator(chunk_size=5000)
    )
    for day, district, offence, born, sex, sex_kind, group, eth_kind, consent, repeat, offer, referral in rows:
        ethnicity = _demographic(slug(group) if group else None, eth_kind)
        counts[
            (
                day,
                district or NOT_RECORDED,
                offence or NOT_RECORDED,
                age_band_of(_age(born, day)),
                _demographic(sex, sex_kind),
                ethnicity,
                bool(consent),
                bool(repeat),
                offer is not None and offer != MessageStatus.WITHHELD,
                referral is not None,
            )
        ] += 1
    PoliceProfileDay.objects.bulk_create(
        [
            PoliceProfileDay(
                day=k[0],
                district_code=k[1],
                offence_group=k[2],
                age_band=k[3],
                sex=k[4],
                ethnicity=k[5],
                consent=k[6],
                repeat=k[7],
                offered=k[8],
                referred=k[9],
                n=n,
            )
            for k, n in counts.items()
        ],
        batch_size=2000,
    )
    return len(counts)


SPEC = rollup_register(RollupSpec(name=NAME, touched=_touched, rebuild=_rebuild))
