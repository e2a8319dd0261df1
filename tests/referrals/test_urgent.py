"""Urgent referrals (issue 15, section 3): risk to life or immediate danger is due the same day, alerts the
team leads and the team's mailbox on commit, goes to the top of the queue, and the officer is told to call 999
and given the service's urgent line. A referral only signposted still leaves a line in "My referrals"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Role, User
from onedoor.directory.models import Service
from onedoor.referrals import selectors, services
from onedoor.referrals.models import Priority, SignpostRecord
from tests.referrals.factories import details, make_referral
from tests.referrals.test_form import valid_post

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]


@pytest.mark.parametrize("mark", ["urgent", "risk_to_life"])
def test_an_urgent_referral_is_due_today_tops_the_queue_and_alerts_leads_and_mailbox(
    mark: str,
    referrer: User,
    make_user: MakeUser,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    vs = Service.objects.get(slug="victim-support")
    vs.team_mailbox = "triage-team@example.org"
    vs.save(update_fields=["team_mailbox"])
    lead = make_user(Role.TEAM_LEAD, "victim-support")
    make_user(Role.TEAM_LEAD, "rosa")  # another organisation's lead hears nothing
    make_user(Role.CASEWORKER, "victim-support")  # nor does a caseworker
    ordinary = make_referral(referrer=referrer, offence="burglary-residential")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        urgent = make_referral(
            referrer=referrer,
            offence="burglary-residential",
            urgent=mark == "urgent",
            risk_to_life=mark == "risk_to_life",
        )

    assert urgent.due_on == timezone.localdate()
    assert ordinary.due_on is not None and ordinary.due_on > timezone.localdate()
    assert urgent.priority == Priority.URGENT
    assert selectors.queue(service=vs).values_list("pk", flat=True).first() == urgent.pk
    alerts = [m for m in mail.outbox if m.subject.startswith("URGENT referral")]
    assert sorted(a for m in alerts for a in m.to) == sorted([lead.email, "triage-team@example.org"])
    for message in alerts:
        assert urgent.reference in message.subject
        assert "First contact is due today" in message.body
        assert urgent.first_name not in message.body and urgent.phone not in message.body


def test_no_alert_for_an_ordinary_referral(
    referrer: User, make_user: MakeUser, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    make_user(Role.TEAM_LEAD, "victim-support")
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(referrer=referrer, offence="burglary-residential")
    assert not [m for m in mail.outbox if m.subject.startswith("URGENT")]


def test_the_alert_waits_for_the_commit(referrer: User, make_user: MakeUser) -> None:
    make_user(Role.TEAM_LEAD, "victim-support")
    with pytest.raises(RuntimeError), transaction.atomic():
        make_referral(referrer=referrer, offence="burglary-residential", risk_to_life=True)
        raise RuntimeError("rolled back")
    assert not [m for m in mail.outbox if m.subject.startswith("URGENT")]


def test_an_urgent_referral_rerouted_alerts_the_new_team(
    referrer: User, make_user: MakeUser, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    referral = make_referral(referrer=referrer, offence="rape", age=30, flag_slugs=["cj-substance-use"], urgent=True)
    cgl_lead = make_user(Role.TEAM_LEAD, "cgl")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_reroute(
            referral=referral, actor=make_user(Role.PROVIDER_TRIAGE, "rosa"), to_service=Service.objects.get(slug="cgl")
        )
    referral.refresh_from_db()
    assert referral.due_on == timezone.localdate()
    assert [m.to for m in mail.outbox if m.subject.startswith("URGENT")] == [[cgl_lead.email]]


def test_the_officers_confirmation_page_says_call_999_and_gives_the_urgent_line(
    referrer: User, signed_in_client: Callable[[User], object]
) -> None:
    client = signed_in_client(referrer)
    data = valid_post(
        date_of_birth="01/03/1980",
        offence_group="burglary-residential",
        flags=[],
        consent_given_by="person",
        risk_to_life="on",
    )
    response = client.post(reverse("referrals:new"), data, follow=True)  # type: ignore[attr-defined]
    html = response.content.decode()
    assert response.status_code == 200, html
    assert 'id="act-now"' in html
    assert 'href="tel:999"' in html
    assert "0808 16 89 111" in html  # Victim Support's urgent line, from the directory
    assert "first contact is due today" in html

    calm = make_referral(referrer=referrer, offence="burglary-residential")
    page = client.get(reverse("referrals:mine_detail", args=[calm.reference]))  # type: ignore[attr-defined]
    assert 'id="act-now"' not in page.content.decode()


def test_a_signposted_referral_leaves_an_entry_in_my_referrals_without_personal_detail(
    referrer: User, signed_in_client: Callable[[User], object]
) -> None:
    outcome = services.referral_create(
        details=details(
            first_name="Jordan", last_name="Quill", offence="violence-with-injury", flag_slugs=["domestic-abuse"]
        ),
        source="professional",
        referrer=referrer,
    )
    assert outcome.referral is None and outcome.signpost_record is not None
    make_referral(referrer=referrer, first_name="Robin")
    html = signed_in_client(referrer).get(reverse("referrals:mine")).content.decode()  # type: ignore[attr-defined]
    assert 'data-entry="signpost"' in html
    assert "Signposted to Warwickshire domestic abuse support (Refuge)" in html
    assert reverse("referrals:signposted", args=[outcome.signpost_record.pk]) in html
    assert "Jordan" not in html and "Quill" not in html
    assert "Robin" in html  # the referral made is listed as before


def test_another_referrers_signpost_records_are_not_listed(referrer: User, make_user: MakeUser) -> None:
    other = make_user(Role.REFERRER)
    services.referral_create(
        details=details(offence="violence-with-injury", flag_slugs=["domestic-abuse"]),
        source="professional",
        referrer=other,
    )
    assert selectors.referrer_entries_page(user=referrer, params=QueryDict()).object_list == []
    assert SignpostRecord.objects.filter(created_by=other).count() == 1
