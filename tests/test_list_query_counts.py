"""Every list page answers in a fixed number of queries, however many rows it lists (DESIGN, house style 9).

Each page is measured at two sizes (SMALL and LARGE rows) and must take exactly its figure both times: a
count that grows with the rows is an N+1. The figure includes the session, user and two-factor look-ups.
The ORUK API and /services/ have theirs in tests/directory/test_oruk_api.py, the overview in
tests/insights/test_insights_query_counts.py, the queue at 100,000 referrals in tests/referrals/test_queue.py. `/queue/`
lists the organisation's own services (or redirects to the one there is), so it has no rows to grow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.casework import services as casework
from onedoor.directory.models import Service
from onedoor.police.models import PoliceBatch
from onedoor.referrals.models import Referral, SignpostRecord
from onedoor.referrals.services import referral_assign, referral_create, referral_reroute
from tests.police.helpers import row, run
from tests.referrals.factories import accept_by_team, details, make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]
AssertQueries = Callable[..., Any]


def _measure(client: Client, url: str, queries: int, assert_num_queries: AssertQueries) -> None:
    client.get(url)  # warm the session and template caches, as a second visit would be
    with assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def _twice(
    client: Client,
    url: str | Callable[[], str],
    grow: Callable[[int], None],
    queries: int,
    assert_num_queries: AssertQueries,
) -> None:
    for size in (SMALL, LARGE):
        grow(size)
        _measure(client, url() if callable(url) else url, queries, assert_num_queries)


def _until(size: int, have: Callable[[], int], add: Callable[[], Any]) -> None:
    while have() < size:
        add()


def test_my_referrals(referrer: User, signed_in_client: SignIn, django_assert_num_queries: AssertQueries) -> None:
    client = signed_in_client(referrer)

    def signpost() -> None:
        # Domestic abuse is signposted: no referral, a line in "My referrals" all the same.
        referral_create(
            details=details(offence="violence-with-injury", flag_slugs=["domestic-abuse"]),
            source="professional",
            referrer=referrer,
        )

    def both() -> None:
        # One of each, so that every page holds both kinds (a page of one kind needs one query fewer).
        make_referral(referrer=referrer)
        signpost()

    def grow(n: int) -> None:
        _until(n, SignpostRecord.objects.filter(created_by=referrer).count, both)

    # A page of (kind, id) rows from each side and their count, then the page's referrals, signpost records
    # and services.
    _twice(client, "/referrals/mine/", grow, 8, django_assert_num_queries)


def test_team_queue(
    referrer: User,
    make_user: MakeUser,
    signed_in_client: SignIn,
    django_assert_num_queries: AssertQueries,
) -> None:
    client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "victim-support"))

    def grow(n: int) -> None:
        _until(n, Referral.objects.count, lambda: make_referral(referrer=referrer))

    # 9: the filter form's choices (colleagues, offence groups, districts) and the capped count are constant.
    _twice(client, "/queue/victim-support/", grow, 9, django_assert_num_queries)
    _twice(client, "/queue/victim-support/?priority=3&route_in=police&overdue=on", grow, 9, django_assert_num_queries)


def _cases(referrer: User, caseworker: User) -> Callable[[], Referral]:
    def add() -> Referral:
        referral = accept_by_team(referral=make_referral(referrer=referrer), team_of=caseworker)
        return referral_assign(referral=referral, actor=caseworker, assignee=caseworker)

    return add


def test_my_cases(
    referrer: User, make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    add = _cases(referrer, caseworker)
    _twice(
        signed_in_client(caseworker),
        "/casework/",
        lambda n: _until(n, Referral.objects.filter(assigned_to=caseworker).count, add),
        15,
        django_assert_num_queries,
    )


def test_team_page(
    referrer: User, make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    lead = make_user(Role.TEAM_LEAD, "victim-support")

    def grow(n: int) -> None:  # n caseworkers, each with a case
        while User.objects.filter(role=Role.CASEWORKER, organisation=lead.organisation).count() < n:
            _cases(referrer, make_user(Role.CASEWORKER, "victim-support"))()

    _twice(signed_in_client(lead), "/casework/team/", grow, 19, django_assert_num_queries)


def test_alerts(
    referrer: User, make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    lead = make_user(Role.TEAM_LEAD, "victim-support")
    add_case = _cases(referrer, caseworker)

    def add() -> None:  # a PHQ-9 with a risk item raises an alert
        casework.measure_record(
            referral=add_case(), actor=caseworker, measure="phq9", stage="start", answers=[0] * 8 + [1]
        )

    from onedoor.casework.models import CaseAlert

    _twice(
        signed_in_client(lead),
        "/casework/alerts/",
        lambda n: _until(n, CaseAlert.objects.count, add),
        5,  # the session, user and two-factor look-ups, the capped count, the page
        django_assert_num_queries,
    )


def test_waiting_list(
    referrer: User, make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    add_case = _cases(referrer, caseworker)

    def add() -> None:
        casework.waiting_list_add(referral=add_case(), actor=caseworker)

    from onedoor.casework.models import WaitingListEntry

    _twice(
        signed_in_client(caseworker),
        "/casework/waiting/victim-support/",
        lambda n: _until(n, WaitingListEntry.objects.count, add),
        8,  # with the count of people waiting now, for the pages
        django_assert_num_queries,
    )


def test_sessions_lists_the_team(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    lead = make_user(Role.TEAM_LEAD, "victim-support")

    def grow(n: int) -> None:
        _until(
            n,
            User.objects.filter(organisation=lead.organisation).count,
            lambda: make_user(Role.CASEWORKER, "victim-support"),
        )

    _twice(signed_in_client(lead), "/casework/sessions/", grow, 4, django_assert_num_queries)


def test_handed_on_history(
    referrer: User, make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    rosa = make_user(Role.PROVIDER_TRIAGE, "rosa")
    victim_support, rosa_service = Service.objects.get(slug="victim-support"), Service.objects.get(slug="rosa")
    referral = make_referral(referrer=referrer)
    handed = {"n": 0}

    def grow(n: int) -> None:  # handed to RoSA and back n times, then to RoSA: Victim Support's history grows
        nonlocal referral
        while handed["n"] < n:
            if handed["n"]:
                referral = referral_reroute(
                    override_reason=TEST_OVERRIDE, referral=referral, actor=rosa, to_service=victim_support
                )
            referral = referral_reroute(
                override_reason=TEST_OVERRIDE, referral=referral, actor=triage, to_service=rosa_service
            )
            handed["n"] += 1

    _twice(
        signed_in_client(triage),
        lambda: f"/cases/{referral.reference}/handed-on/",
        grow,
        5,
        django_assert_num_queries,
    )


def test_police_transfers(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    officer = make_user(Role.POLICE_DATA_OFFICER, "warwickshire-police")

    def add() -> None:
        n = PoliceBatch.objects.count()
        run([row(crime_reference=f"23/{n + 1:07d}/26")])

    _twice(
        signed_in_client(officer),
        "/police/transfers/",
        lambda n: _until(n, PoliceBatch.objects.count, add),
        5,
        django_assert_num_queries,
    )


def test_a_transfer_with_many_row_errors(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    officer = make_user(Role.POLICE_DATA_OFFICER, "warwickshire-police")
    client = signed_in_client(officer)
    for size in (SMALL, LARGE):
        rows = [row(victim_reference=f"V{i}", date_of_birth="not a date") for i in range(size)]
        batch = run([*rows, row(victim_reference="OK")])
        _measure(client, f"/police/transfers/{batch.pk}/", 7, django_assert_num_queries)


def test_police_transfers_older_pages(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    """Keyset pages: a page reached by a link costs one more query (is there anything newer?) and no
    COUNT(*), however many batches there are."""
    officer = make_user(Role.POLICE_DATA_OFFICER, "warwickshire-police")
    client = signed_in_client(officer)
    for size in (SMALL, LARGE):
        while PoliceBatch.objects.count() < size:
            run([row(crime_reference=f"23/{PoliceBatch.objects.count() + 1:07d}/26")])
        newest = PoliceBatch.objects.order_by("-pk").values_list("pk", flat=True)[1]
        _measure(client, f"/police/transfers/?after={newest}", 6, django_assert_num_queries)
        oldest = PoliceBatch.objects.order_by("pk").values_list("pk", flat=True)[0]
        _measure(client, f"/police/transfers/?before={oldest}", 5, django_assert_num_queries)


def test_a_batch_page_with_a_full_ledger(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    officer = make_user(Role.POLICE_DATA_OFFICER, "warwickshire-police")
    client = signed_in_client(officer)
    for size in (SMALL, LARGE):
        rows = [
            row(
                crime_reference=f"23/{size:03d}{i:04d}/26",
                first_name=f"P{i}",
                consent_to_share="YN"[i % 2],
                contact_permitted="YN"[i % 3 == 0],
                flags="domestic-abuse" if i % 5 == 0 else "",
                date_of_birth="2015-01-01" if i % 7 == 0 else "1980-05-01",
            )
            for i in range(size)
        ]
        batch = run(rows)
        assert batch.outcomes.count() >= (3 if size == SMALL else 6)
        _measure(client, f"/police/transfers/{batch.pk}/", 7, django_assert_num_queries)


def test_police_review_list(
    make_user: MakeUser, signed_in_client: SignIn, django_assert_num_queries: AssertQueries
) -> None:
    from onedoor.police.models import PoliceVictimRecord

    officer = make_user(Role.POLICE_DATA_OFFICER, "warwickshire-police")
    client = signed_in_client(officer)
    for size in (SMALL, LARGE):
        run([row(crime_reference=f"23/{size:03d}{i:04d}/26", first_name=f"P{i}") for i in range(size)])
        PoliceVictimRecord.objects.update(needs_review=True, review_reason="The phone number failed permanently.")
        # The page, the capped count, the audit row of what was shown, and the sign-in look-ups.
        _measure(client, "/police/reviews/", 8, django_assert_num_queries)
        _measure(
            client,
            f"/police/reviews/?after={PoliceVictimRecord.objects.order_by('pk')[1].pk}",
            9,
            django_assert_num_queries,
        )
