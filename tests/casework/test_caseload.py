"""'My cases' and the team's cases: names, next actions, alerts and last contact; sorted by GET parameter;
a page at a time with a capped count, in a fixed number of queries however many cases there are."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from onedoor.accounts.models import User
from onedoor.casework import caseload, selectors, services
from onedoor.directory.models import Service
from onedoor.referrals.models import Referral, Status
from tests.referrals.test_queue import _bulk_referrals, volume

Make = Callable[..., Referral]


def _cases_in_table(html: str, table: str = "cases") -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"/cases/([A-Z0-9-]+)/casework/", body)


def test_my_cases_shows_name_next_action_alert_and_last_contact(
    accepted_case: Make, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    quiet = accepted_case(first_name="Quiet", last_name="Case")
    risky = accepted_case(first_name="Risky", last_name="Case")
    services.contact_attempt_record(referral=risky, actor=caseworker, channel="phone", outcome="reached")
    services.measure_record(referral=risky, actor=caseworker, measure="phq9", stage="start", answers=[0] * 8 + [2])
    html = signed_in_client(caseworker).get(reverse("casework:my_cases")).content.decode()
    assert "Quiet Case" in html and "Risky Case" in html
    assert "PHQ-9 item 9 answered above 0" in html
    # what needs doing first: the case with an open alert leads
    assert _cases_in_table(html)[:2] == [risky.reference, quiet.reference]
    row = html.split(quiet.reference, 1)[1].split("</tr>", 1)[0]
    assert "Make first contact" in row and "None yet" in row
    assert quiet.due_on is not None and quiet.due_on.strftime("%-d %b %Y") in row
    risky_row = html.split(f"{risky.reference}<span", 1)[1].split("</tr>", 1)[0]
    assert date.today().strftime("%-d %b %Y") in risky_row  # the last contact, today
    assert "Write the support plan" in risky_row  # contacted, no plan yet


def test_next_action_is_the_earliest_due_date(accepted_case: Make, caseworker: User) -> None:
    case = accepted_case()
    services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    review = date.today() + timedelta(days=3)
    services.support_plan_save(referral=case, actor=caseworker, headline="Plan", review_on=review)
    page, _ = caseload.my_cases_page(user=caseworker, sort="next", page=None)
    (row,) = page.rows
    assert (row.next_action, row.due_on) == ("Review the plan", review)
    services.waiting_list_add(referral=case, actor=caseworker, interim_support="Leaflets", check_in_every_days=1)
    (row,) = caseload.my_cases_page(user=caseworker, sort="next", page=None)[0].rows
    assert row.next_action == "Welfare check-in" and row.due_on is not None and row.due_on < review


def test_sort_by_name_and_unknown_sort_falls_back(
    accepted_case: Make, caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    made = {name: accepted_case(first_name="A", last_name=name) for name in ("Young", "Adams", "Moss")}
    client = signed_in_client(caseworker)
    by_name = _cases_in_table(client.get(reverse("casework:my_cases"), {"sort": "name"}).content.decode())
    assert by_name == [made[n].reference for n in ("Adams", "Moss", "Young")]
    assert client.get(reverse("casework:my_cases"), {"sort": "'; drop"}).status_code == 200
    assert client.get(reverse("casework:my_cases"), {"page": "x"}).status_code == 200


def test_my_cases_pages_in_constant_queries(
    accepted_case: Make,
    caseworker: User,
    signed_in_client: Callable[[User], Any],
    django_assert_num_queries: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(caseload, "PER_PAGE", 4)
    monkeypatch.setattr(caseload, "COUNT_CAP", 9)
    client = signed_in_client(caseworker)
    url = reverse("casework:my_cases")
    seen: list[str] = []
    for size in (3, 12):
        while Referral.objects.filter(assigned_to=caseworker).count() < size:
            accepted_case()
        client.get(url)
        with django_assert_num_queries(15):
            html = client.get(url, {"sort": "reference"}).content.decode()
    assert "more than 9 open cases" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    for number in (1, 2, 3):
        with django_assert_num_queries(15):
            html = client.get(url, {"sort": "reference", "page": number}).content.decode()
        seen += _cases_in_table(html)
    assert 'rel="next"' not in html and 'rel="prev"' in html and "sort=reference&amp;page=2" in html
    assert seen == sorted(Referral.objects.filter(assigned_to=caseworker).values_list("reference", flat=True))


def test_team_cases_page_by_first_contact_due(
    accepted_case: Make,
    team_lead: User,
    signed_in_client: Callable[[User], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(caseload, "PER_PAGE", 2)
    made = [accepted_case() for _ in range(3)]
    client = signed_in_client(team_lead)
    first = client.get(reverse("casework:team")).content.decode()
    second = client.get(reverse("casework:team"), {"service": "victim-support", "page": 2}).content.decode()
    listed = _cases_in_table(first, "team-cases") + _cases_in_table(second, "team-cases")
    expected = sorted(made, key=lambda r: (r.due_on, r.pk))
    assert listed == [r.reference for r in expected]
    assert "Test Person" not in first  # the team list shows references, not names


def test_my_cases_stays_constant_in_queries_at_volume(
    accepted_case: Make,
    caseworker: User,
    signed_in_client: Callable[[User], Any],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    # The figure: 100,000 referrals in the database (on PostgreSQL; see `volume`), 2,000 of them
    # this caseworker's open cases.
    accepted_case(first_name="Real", last_name="Case")
    _bulk_referrals(volume(), Service.objects.get(slug="victim-support"))
    mine = list(Referral.objects.filter(first_name="Bulk").order_by("id").values_list("id", flat=True)[:2000])
    Referral.objects.filter(pk__in=mine).update(assigned_to=caseworker, status=Status.ACCEPTED)
    client = signed_in_client(caseworker)
    url = reverse("casework:my_cases")
    client.get(url)
    for params in ({}, {"sort": "name"}, {"sort": "reference", "page": 3}):
        with django_assert_num_queries(15):
            html = client.get(url, params).content.decode()
        assert len(_cases_in_table(html)) == caseload.PER_PAGE  # one page, not 2,001 rows
    assert "more than 1,000 open cases" in html.lower()


def test_due_lists_show_the_longest_overdue_and_count_the_rest(
    accepted_case: Make,
    caseworker: User,
    team_lead: User,
    signed_in_client: Callable[[User], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Five first contacts overdue by 1 to 5 days and one plan review due today, for a team that lets work pile up.
    today = date.today()
    cases = [accepted_case() for _ in range(5)]
    for days, case in enumerate(cases, start=1):
        Referral.objects.filter(pk=case.pk).update(due_on=today - timedelta(days=days))
    services.support_plan_save(referral=accepted_case(), actor=caseworker, headline="Plan", review_on=today)
    monkeypatch.setattr(selectors, "DUE_SHOWN", 3)

    due = selectors.due_for(user=caseworker, today=today)
    assert [i.referral.reference for i in due] == [c.reference for c in reversed(cases)][:3]
    assert (len(due), due.total.value, due.more) == (3, 6, True)
    html = signed_in_client(caseworker).get(reverse("casework:my_cases")).content.decode()
    assert "The 3 due longest ago, of 6 due today or overdue." in html

    # The team view counts each practitioner's overdue items in the database: the five first contacts (the
    # plan review is due today, not overdue), however few the due list shows.
    rows = {r.user.pk: r for r in selectors.team_view(user=team_lead, today=today)}
    assert rows[caseworker.pk].overdue == 5
    team_html = signed_in_client(team_lead).get(reverse("casework:team")).content.decode()
    assert "The 3 due longest ago, of 6 due today or overdue." in team_html
