"""Timeliness measures with exact figures, in working days across the summer bank holiday of 2025
(Monday 25 August): the police's two working days, first contact against Victim Support's target of 2
working days, waits on the waiting list, and overdue as at the end of the month."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine

from onedoor.accounts.models import User
from onedoor.casework import services as casework
from onedoor.core.calendar import add_working_days, working_days_between
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import key
from onedoor.insights.periods import month
from onedoor.referrals.models import Referral
from tests.insights.facts_b import at, count, percent, refresh, statistic
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db

AUGUST = month(2025, 8)
FRIDAY = at(2025, 8, 22)  # the working day before the bank holiday


def test_the_bank_holiday_is_not_a_working_day() -> None:
    # The arithmetic every timeliness figure rests on: Friday 22 to Wednesday 27 August 2025 is 2 working days.
    assert working_days_between(FRIDAY.date(), at(2025, 8, 27).date()) == 2
    assert add_working_days(FRIDAY.date(), 2) == at(2025, 8, 27).date()


def _police_row(n: int) -> dict[str, str]:
    return row(
        crime_reference=f"23/000000{n}/25",
        victim_reference=f"V{n}",
        recorded_at="2025-08-22T09:00:00",
        first_name=f"Person{n}",
        last_name=f"Surname{n}",
        date_of_birth=f"1980-0{n}-01",
        phone=f"07700 90012{n}",
        email=f"person{n}@example.org",
    )


def test_police_referrals_within_two_working_days_skip_the_bank_holiday() -> None:
    # Crimes recorded on Friday 22 August; the transfers arrive on Tuesday 26 (1 working day: Monday was a
    # bank holiday), Wednesday 27 (2: still in time) and Thursday 28 (3: late).
    for n, day in ((1, 26), (2, 27), (3, 28)):
        with time_machine.travel(at(2025, 8, day, 6), tick=False):
            run([_police_row(n)], now=at(2025, 8, day, 6))
    assert Referral.objects.filter(source="police-transfer").count() == 3
    refresh()
    assert count("timeliness.police_referrals", AUGUST) == 3
    assert count("timeliness.police_within_2_days", AUGUST) == 2
    assert percent("timeliness.police_within_2_days_pct", AUGUST) == 66.7
    assert percent("compliance.referred_within_time", AUGUST) == 66.7
    assert statistic("timeliness.police_days_median", AUGUST) == 2
    by_days = count("timeliness.police_referrals", AUGUST, key(working_days="1"), by=(dims.WORKING_DAYS,))
    assert by_days == 1
    assert count("timeliness.police_referrals", month(2025, 9)) == 0


def _received_friday(accepted_case: Callable[..., Referral], n: int, **overrides: object) -> list[Referral]:
    with time_machine.travel(FRIDAY, tick=False):
        return [accepted_case(first_name=f"Person{i}", **overrides) for i in range(n)]


def _reach(case: Referral, caseworker: User, day: int, month_number: int = 8) -> None:
    with time_machine.travel(at(2025, month_number, day, 10), tick=False):
        casework.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")


def test_first_contact_against_the_service_target(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    cases = _received_friday(accepted_case, 4)
    # Victim Support's target is 2 working days: due on Wednesday 27 August, after the bank holiday.
    assert {c.due_on for c in cases} == {at(2025, 8, 27).date()}
    for case, day in zip(cases, (26, 27, 28, 29), strict=True):
        _reach(case, caseworker, day)
    refresh()
    assert count("timeliness.first_contacts", AUGUST) == 4
    assert count("timeliness.first_contact_within_target", AUGUST) == 2
    assert percent("timeliness.first_contact_within_target_pct", AUGUST) == 50.0
    assert percent("compliance.contacted_within_target", AUGUST) == 50.0
    # Waits of 1, 2, 3 and 4 working days: the median is 2 (half waited 2 or less), the 90th percentile 4.
    assert statistic("timeliness.first_contact_median", AUGUST) == 2
    assert statistic("timeliness.first_contact_p90", AUGUST) == 4
    by_service = count("timeliness.first_contacts", AUGUST, key(service="victim-support"), by=(dims.SERVICE,))
    assert by_service == 4
    assert count("timeliness.first_contacts", AUGUST, key(service="rosa"), by=(dims.SERVICE,)) == 0


def test_waits_on_the_waiting_list(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    cases = _received_friday(accepted_case, 3)
    for case in cases:
        with time_machine.travel(FRIDAY, tick=False):
            casework.waiting_list_add(referral=case, actor=caseworker)
    # Support starts on Tuesday 26 (1 working day), Thursday 28 (3) and Tuesday 2 September (6).
    for case, (m, d) in zip(cases, ((8, 26), (8, 28), (9, 2)), strict=True):
        with time_machine.travel(at(2025, m, d), tick=False):
            casework.support_start(referral=case, actor=caseworker)
    refresh()
    assert count("timeliness.waits_ended", AUGUST) == 2
    assert statistic("timeliness.wait_median", AUGUST) == 1
    assert statistic("timeliness.wait_max", AUGUST) == 3
    assert statistic("timeliness.wait_max", month(2025, 9)) == 6
    assert count("equity.engaged", AUGUST) == 2


def test_overdue_as_at_the_end_of_the_month(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    on_time, late, never = _received_friday(accepted_case, 3)
    with time_machine.travel(at(2025, 8, 29), tick=False):
        not_yet_due = accepted_case(first_name="Later")  # due Tuesday 2 September
    _reach(on_time, caseworker, 26)
    _reach(late, caseworker, 1, month_number=9)  # after the month ended: overdue as at 31 August
    with time_machine.travel(at(2025, 9, 2, 0, 10), tick=False):
        refresh()
    assert not_yet_due.due_on == at(2025, 9, 2).date()
    assert count("timeliness.overdue", AUGUST) == 2
    # A snapshot is taken once: contacting the last one later does not rewrite the end of August.
    _reach(never, caseworker, 3, month_number=9)
    with time_machine.travel(at(2025, 9, 3, 12), tick=False):
        refresh(full=False)
    assert count("timeliness.overdue", AUGUST) == 2
