"""The one lock order (docs/architecture.md, "Locking"): a service that changes one of a case's own rows
locks the referral first and the row second, as every service that locks the referral and then writes its
rows does. Two services taking the same two locks in opposite orders can deadlock on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onedoor.accounts.models import User
from onedoor.casework import services
from onedoor.casework.models import WelfareCheckIn
from onedoor.core.models import NeedCategory
from onedoor.referrals.models import Referral

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no row locks"),
]


def _locked_tables(run: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        run()
    tables = []
    for q in queries.captured_queries:
        sql = q["sql"]
        if "FOR UPDATE" in sql:
            tables.append(sql.split(" FROM ", 1)[1].split()[0].strip('"'))
    return tables


def test_a_case_row_is_locked_after_its_referral(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    case = accepted_case()
    services.support_plan_save(referral=case, actor=caseworker, headline="Safe", review_on=date.today() + timedelta(7))
    goal = services.goal_add(
        referral=case,
        actor=caseworker,
        need=NeedCategory.objects.get(slug="shelter-accommodation"),
        description="Locks fitted",
        intervention="practical_help",
    )
    waiting = accepted_case()
    entry = services.waiting_list_add(referral=waiting, actor=caseworker)
    check_in = WelfareCheckIn.objects.get(entry=entry)

    runs: dict[str, Callable[[], object]] = {
        "goal note": lambda: services.goal_progress_note_add(goal=goal, actor=caseworker, note="Booked"),
        "interim support": lambda: services.waiting_list_interim_support_record(
            entry=entry, actor=caseworker, interim_support="Booklet"
        ),
        "check-in": lambda: services.welfare_check_in_complete(check_in=check_in, actor=caseworker, note="OK"),
    }
    for name, run in runs.items():
        tables = _locked_tables(run)
        assert tables, name
        assert tables[0] == "referrals_referral", (name, tables)
        assert len(tables) >= 2, (name, tables)  # and then the case's own row
