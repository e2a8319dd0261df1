"""The Demand, Police reach, Flow and Partnership rollups: a refresh rebuilds only the days whose facts changed,
a second refresh with nothing new rebuilds nothing, deleting facts changes no past day, and the month slices
always equal their days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.insights.models import FactDay, FactMonth, RollupState
from onedoor.insights.periods import month
from onedoor.insights.rollups import SETTLE, rollups_refresh
from onedoor.insights.rollups_a import referral_facts
from onedoor.insights.rollups_a.store import day_ranges
from onedoor.referrals.models import Referral
from tests.insights.facts_a import Clock, clock_fixture, counts  # noqa: F401  (a fixture)
from tests.referrals.factories import accept_by_team, make_referral

pytestmark = pytest.mark.django_db

MINE = ("referrals", "police", "partnership")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _refresh(clock: Clock, moment: datetime) -> dict[str, int]:
    clock.moment = moment
    done = rollups_refresh()
    return {name: done[name] for name in MINE}


def _month_rows() -> set[tuple[object, ...]]:
    return set(
        FactMonth.objects.values_list(
            "fact", "grouping", "month", "service", "district", "offence_group", "source", "age_band", "detail", "n"
        )
    )


def test_only_touched_days_are_rebuilt_and_nothing_twice(
    referrer: User, clock: Clock, make_user: Callable[..., User]
) -> None:
    vs = make_user(Role.CASEWORKER, org="victim-support")
    clock.on(date(2026, 3, 15))
    make_referral(referrer=referrer)
    clock.on(date(2026, 4, 1))
    a = make_referral(referrer=referrer)
    assert _refresh(clock, _at(date(2026, 4, 1), 11)) == {"referrals": 2, "police": 0, "partnership": 0}
    march = set(FactDay.objects.filter(day=date(2026, 3, 15)).values_list("pk", flat=True))
    assert march
    # Nothing new: nothing rebuilt.
    assert _refresh(clock, _at(date(2026, 4, 1), 12)) == {"referrals": 0, "police": 0, "partnership": 0}

    clock.on(date(2026, 4, 3))
    make_referral(referrer=referrer)
    accept_by_team(referral=a, team_of=vs)  # A was received on 1 April: that day's facts are its too
    assert _refresh(clock, _at(date(2026, 4, 3), 11)) == {"referrals": 2, "police": 0, "partnership": 0}
    assert RollupState.objects.get(name="referrals").last_days == 2
    # 15 March was not touched: its rows are the very rows written before.
    assert set(FactDay.objects.filter(day=date(2026, 3, 15)).values_list("pk", flat=True)) == march
    assert counts("demand.received", refresh=False).total == 2
    assert counts("flow.accepted", refresh=False).total == 1
    assert _refresh(clock, _at(date(2026, 4, 3), 12)) == {"referrals": 0, "police": 0, "partnership": 0}


def test_a_fact_committed_just_after_a_refresh_started_is_not_lost(referrer: User, clock: Clock) -> None:
    clock.on(date(2026, 4, 1))
    make_referral(referrer=referrer)
    _refresh(clock, _at(date(2026, 4, 1), 11))
    # Stamped five minutes before the refresh's watermark, visible only after it (a long transaction).
    clock.moment = _at(date(2026, 4, 1), 10, 55)
    make_referral(referrer=referrer)
    assert _refresh(clock, _at(date(2026, 4, 1), 11, 5))["referrals"] == 1
    assert counts("demand.received", refresh=False).total == 2
    assert timedelta(minutes=5) <= SETTLE


def test_deleting_old_facts_changes_no_past_figure(referrer: User, clock: Clock) -> None:
    clock.on(date(2026, 3, 15))
    old = make_referral(referrer=referrer)
    _refresh(clock, _at(date(2026, 4, 1), 11))
    Referral.objects.filter(pk=old.pk).delete()  # as retention may remove what it no longer keeps
    assert _refresh(clock, _at(date(2026, 4, 1), 12))["referrals"] == 0
    assert counts("demand.received", month(2026, 3), refresh=False).total == 1


def test_the_month_slices_kept_by_differences_equal_a_full_rebuild(
    referrer: User, clock: Clock, make_user: Callable[..., User]
) -> None:
    vs = make_user(Role.CASEWORKER, org="victim-support")
    for day in (1, 2, 2, 9, 30):
        clock.on(date(2026, 4, day))
        r = make_referral(referrer=referrer, age=20 + day)
        _refresh(clock, clock.moment + timedelta(hours=1))
        if day % 2 == 0:
            accept_by_team(referral=r, team_of=vs)
            _refresh(clock, clock.moment + timedelta(hours=2))
    incremental = _month_rows()
    rollups_refresh(full=True)
    assert _month_rows() == incremental
    for fact in ("demand.received", "flow.accepted"):
        days = FactDay.objects.filter(fact=fact).aggregate(n=Sum("n"))["n"]
        assert FactMonth.objects.filter(fact=fact, grouping="").aggregate(n=Sum("n"))["n"] == days
    assert FactMonth.objects.get(fact="demand.received", grouping="").n == 5
    assert FactMonth.objects.filter(fact="demand.received", grouping="age_band").count() == 3  # 21, 22, 22, 29, 50


def test_days_are_rebuilt_in_runs() -> None:
    days = {date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 9)}
    assert day_ranges(days) == [(date(2026, 4, 1), date(2026, 4, 3)), (date(2026, 4, 9), date(2026, 4, 9))]
    assert referral_facts.SPEC.name == "referrals"
