from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from onedoor.accounts.models import Role, User
from onedoor.core.models import District, OffenceGroup
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Priority, Referral, Status
from onedoor.referrals.selectors import queue
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_queue_sorts_by_priority_then_due_date_and_leaves_out_closed_work(
    referrer: User, make_user: Callable[..., User]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    standard = make_referral(referrer=referrer)
    urgent = make_referral(referrer=referrer, urgent=True)
    high = make_referral(referrer=referrer, flag_slugs=["vulnerable"])
    declined = make_referral(referrer=referrer)
    services.referral_decline(referral=declined, actor=triage, reason_code="out_of_remit")
    Referral.objects.filter(pk=standard.pk).update(due_on=date(2020, 1, 1))
    order = list(queue(service=Service.objects.get(slug="victim-support")).values_list("pk", flat=True))
    assert order == [urgent.pk, high.pk, standard.pk]


def test_overdue_items_are_flagged_on_the_queue_page(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    overdue = make_referral(referrer=referrer)
    on_time = make_referral(referrer=referrer)
    Referral.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    page = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "victim-support")).get("/queue/victim-support/")
    rows = {line for line in page.content.decode().split("<tr") if "OD-" in line}
    overdue_rows = [r for r in rows if "Overdue" in r]
    assert len(overdue_rows) == 1 and overdue.reference in overdue_rows[0]
    assert on_time.reference not in overdue_rows[0]


def test_a_provider_cannot_open_another_providers_queue(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "rosa"))
    assert client.get("/queue/barnardos/").status_code == 404
    assert client.get("/queue/rosa/").status_code == 200


def _bulk_referrals(n: int, service: Service) -> None:
    district = District.objects.first()
    offence = OffenceGroup.objects.get(slug="burglary-residential")
    today = timezone.localdate()
    batch = []
    statuses = [Status.RECEIVED, Status.ACCEPTED, Status.CLOSED, Status.WAITING]
    for i in range(n):
        batch.append(
            Referral(
                reference=f"OD-B{i:07d}"[:14],
                source="professional",
                status=statuses[i % 4],
                priority=[Priority.URGENT, Priority.HIGH, Priority.STANDARD][i % 3],
                current_service=service,
                due_on=today + timedelta(days=i % 30 - 10),
                first_name="Bulk",
                district=district,
                offence_group=offence,
                consent_given=True,
                consent_given_by="person",
            )
        )
        if len(batch) == 5000:
            Referral.objects.bulk_create(batch)
            batch = []
    Referral.objects.bulk_create(batch)


def test_the_queue_page_stays_constant_in_queries_with_100000_referrals(
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    service = Service.objects.get(slug="victim-support")
    _bulk_referrals(100_000, service)
    client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "victim-support"))
    client.get("/queue/victim-support/")  # warm the session and template caches
    with django_assert_max_num_queries(8):
        response = client.get("/queue/victim-support/?page=3")
    assert response.status_code == 200
    body = response.content.decode()
    assert "75000 open referrals" in body.replace(",", "")
    assert body.count("/cases/OD-") == 50  # one page, not the whole queue


def test_a_referral_whose_contact_details_need_checking_says_so(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    flagged = make_referral(
        referrer=referrer,
        contact_check_needed=True,
        phone="",
        safe_to_text=False,
        email="x@example.org",
        safe_to_email=True,
    )
    plain = make_referral(referrer=referrer)
    client = signed_in_client(make_user(Role.PROVIDER_TRIAGE, "victim-support"))
    rows = [r for r in client.get("/queue/victim-support/").content.decode().split("<tr") if "OD-" in r]
    assert [flagged.reference in r for r in rows if "Check contact details" in r] == [True]
    assert all(plain.reference not in r for r in rows if "Check contact details" in r)
    assert "Check the contact details with the referrer" in client.get(f"/cases/{flagged.reference}/").content.decode()
