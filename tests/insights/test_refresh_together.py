"""The refresh brings the rollups up to date side by side on PostgreSQL, each in its own transaction on its own
connection: the fact tables come out exactly as one after another makes them, and a rollup that fails leaves
its own rows and watermark as they were while the others are still brought up to date, and then the failure
is raised (so the scheduled task is marked failed and alerts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import override_settings

from onedoor.accounts.models import Role, User
from onedoor.insights import rollups as R
from onedoor.insights.models import FactDay, FactMonth, RollupState
from onedoor.insights.rollups import RollupSpec, refresh_workers, rollups_refresh
from onedoor.referrals.models import Referral
from tests.referrals.factories import accept_by_team, make_referral

# Committed data: the refresh's own connections must see it.
pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = ("fact", "day", "service", "district", "offence_group", "source", "age_band", "detail", "n")
SLICE_COLUMNS = ("fact", "grouping", "month", *COLUMNS[2:])


def _tables() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    days = sorted(FactDay.objects.values_list("rollup", *COLUMNS))
    months = sorted(FactMonth.objects.values_list(*SLICE_COLUMNS))
    return days, months


def _some_facts(referrer: User, make_user: Callable[..., User]) -> None:
    vs = make_user(Role.CASEWORKER, org="victim-support")
    made = [make_referral(referrer=referrer, age=17 + i * 9) for i in range(4)]
    accept_by_team(referral=made[0], team_of=vs)
    Referral.objects.filter(pk=made[1].pk).update(received_on=date(2026, 2, 3))


def _spy(name: str, ran_in: dict[str, str], *, fail: bool = False) -> RollupSpec:
    spec = R._ROLLUPS[name]

    def rebuild(days: set[date]) -> int:
        ran_in[name] = threading.current_thread().name
        if fail:
            raise RuntimeError(f"{name} broke")
        return spec.rebuild(days)

    return RollupSpec(name=name, touched=spec.touched, rebuild=rebuild)


def test_side_by_side_makes_the_same_rows_as_one_after_another(
    referrer: User, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _some_facts(referrer, make_user)
    ran_in: dict[str, str] = {}
    for name in list(R._ROLLUPS):
        monkeypatch.setitem(R._ROLLUPS, name, _spy(name, ran_in))
    with override_settings(ONEDOOR_ROLLUP_REFRESH_WORKERS=2):
        assert refresh_workers() == (2 if connection.vendor == "postgresql" else 1)
        together = rollups_refresh(full=True)
        side_by_side = _tables()
    if connection.vendor == "postgresql":
        # Every rebuild ran on the pool's threads, none on the caller's.
        assert ran_in and all(thread.startswith("rollups") for thread in ran_in.values())
    with override_settings(ONEDOOR_ROLLUP_REFRESH_WORKERS=1):
        assert rollups_refresh(full=True) == together
    assert _tables() == side_by_side
    assert side_by_side[0] and side_by_side[1]
    assert together["referrals"] >= 2  # the two days received


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_rollup_stops_no_other_and_is_raised(
    workers: int, referrer: User, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    _some_facts(referrer, make_user)
    ran_in: dict[str, str] = {}
    first = next(iter(R._ROLLUPS))
    monkeypatch.setitem(R._ROLLUPS, first, _spy(first, ran_in, fail=True))
    with override_settings(ONEDOOR_ROLLUP_REFRESH_WORKERS=workers), pytest.raises(RuntimeError, match="broke"):
        rollups_refresh(full=True)
    assert first in ran_in
    # The failed rollup's transaction rolled back: no rows, no watermark. Every other one is up to date.
    assert not FactDay.objects.filter(rollup=first).exists()
    assert not RollupState.objects.filter(name=first).exists()
    others = set(R._ROLLUPS) - {first}
    assert set(RollupState.objects.exclude(refreshed_to=None).values_list("name", flat=True)) == others
    assert FactDay.objects.filter(rollup="referrals").exists()
