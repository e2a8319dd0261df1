"""The police profile rollup: victims in the police transfer records, by the day recorded and the section 5.1
fields (district, offence group, age band, sex, ethnicity, consent, repeat) and what OneDoor did (offer sent),
written to the shared fact tables (ADR 0036): a year's profile by any one field reads twelve month slices,
however many victims there were.

Each of the four counts (victims, offers sent, consented, repeat victims) is stored as five facts: by the shared
columns alone (service now holding the referral made from the record, district, offence group, age band), and
by those with one of sex, ethnicity, consent or repeat in `detail` ("police_profile.victims:sex"). A breakdown
by two of those four is not kept.

Counts only. A day is rebuilt when one of its records was changed or processed, never because records were
deleted (retention), so past days keep their figures."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Q
from django.db.models.functions import TruncDate

from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.context.dims import PREFER_NOT_TO_SAY
from onedoor.insights.context.vocab import slug
from onedoor.insights.dimensions import age_band_of
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_a.store import DayRow, replace_days
from onedoor.messaging.models import MessageStatus
from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals.models import Source

NAME = "context_police_profile"

# The counts, and the characteristic each of their facts holds in `detail` ("" for none).
COUNTS = (
    "police_profile.victims",
    "police_profile.offers_sent",
    "police_profile.consented",
    "police_profile.repeat_victims",
)
CHARACTERISTICS = ("sex", "ethnicity", "consent", "repeat")
SOURCE = str(Source.POLICE_TRANSFER)


def fact_name(count: str, characteristic: str = "") -> str:
    return f"{count}:{characteristic}" if characteristic else count


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


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _rebuild(days: set[date]) -> int:
    counts: Counter[tuple[str, date, str, str, str, str, str]] = Counter()
    rows = (
        PoliceVictimRecord.objects.annotate(day=TruncDate("recorded_at"))
        .filter(day__in=days)
        .values_list(
            "day",
            "referral__current_service__slug",
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
        )
        .iterator(chunk_size=5000)
    )
    for day, service, district, offence, born, sex, sex_kind, group, eth_kind, consent, repeat, offer in rows:
        shared = (
            service or NOT_RECORDED,
            district or NOT_RECORDED,
            offence or NOT_RECORDED,
            age_band_of(_age(born, day)),
        )
        detail = {
            "": "",
            "sex": _demographic(sex, sex_kind),
            "ethnicity": _demographic(slug(group) if group else None, eth_kind),
            "consent": _yes_no(consent),
            "repeat": _yes_no(repeat),
        }
        counted = (True, offer is not None and offer != MessageStatus.WITHHELD, bool(consent), bool(repeat))
        for count, included in zip(COUNTS, counted, strict=True):
            if included:
                for characteristic, value in detail.items():
                    counts[(fact_name(count, characteristic), day, *shared, value)] += 1
    out: list[DayRow] = [
        (fact, day, service, district, offence, SOURCE, age, value, n)
        for (fact, day, service, district, offence, age, value), n in counts.items()
    ]
    return replace_days(rollup=NAME, days=days, rows=out)


SPEC = rollup_register(RollupSpec(name=NAME, touched=_touched, rebuild=_rebuild))
