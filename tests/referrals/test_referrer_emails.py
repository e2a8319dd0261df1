"""Referrer emails are digested: one at acceptance or decline, one when support starts, one at closure; or
one digest a day for a referrer who chose it. Never one email per status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from onedoor.accounts.models import Role, StatusEmails, User
from onedoor.accounts.services import user_status_emails_set
from onedoor.casework import services as casework
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.referrals import services
from onedoor.referrals.models import Referral, StatusEvent
from onedoor.referrals.tasks import referrer_digests_send
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def _to_closure(referrer: User, caseworker: User, triage: User, capture: Capture, **details: Any) -> Referral:
    """Every status a referral passes through on its way to closure, each committed on its own."""
    with capture(execute=True):
        referral = make_referral(referrer=referrer, **details)
    steps: list[Callable[[], object]] = [
        lambda: services.referral_triage(referral=referral, actor=triage),
        lambda: services.referral_accept(referral=referral, actor=triage),
        lambda: services.referral_assign(referral=referral, actor=caseworker, assignee=caseworker),
        lambda: casework.contact_attempt_record(
            referral=referral, actor=caseworker, channel="phone", outcome="no_answer"
        ),
        lambda: casework.contact_attempt_record(
            referral=referral, actor=caseworker, channel="phone", outcome="reached"
        ),
        lambda: casework.support_start(referral=referral, actor=caseworker),
        lambda: casework.case_close(
            referral=referral, actor=caseworker, reason="support_completed", better_able_to_cope="yes"
        ),
    ]
    for step in steps:
        with capture(execute=True):
            step()
    return referral


@pytest.fixture
def team(make_user: Callable[..., User]) -> tuple[User, User]:
    return make_user(Role.CASEWORKER, "victim-support"), make_user(Role.PROVIDER_TRIAGE, "victim-support")


def _to(user: User) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [user.email]]


def test_a_referral_taken_to_closure_sends_the_officer_exactly_three_emails(
    referrer: User, team: tuple[User, User], django_capture_on_commit_callbacks: Capture
) -> None:
    referral = _to_closure(referrer, *team, django_capture_on_commit_callbacks)
    ref = referral.reference
    assert StatusEvent.objects.filter(referral=referral).count() == 7  # every status, from received to closed
    assert _to(referrer) == [f"Referral {ref}: Accepted", f"Referral {ref}: Support started", f"Referral {ref}: Closed"]


def test_a_decline_is_one_email(
    referrer: User, team: tuple[User, User], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(referrer=referrer)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(
            referral=referral, actor=team[1], reason_code="out_of_area", referrer_note="Outside our area"
        )
    assert _to(referrer) == [f"Referral {referral.reference}: Declined"]


def test_with_the_digest_one_email_a_day(
    referrer: User, team: tuple[User, User], django_capture_on_commit_callbacks: Capture
) -> None:
    user_status_emails_set(user=referrer, choice=StatusEmails.DAILY)
    assert AuditEvent.objects.filter(action=AuditAction.USER_STATUS_EMAILS_CHANGED).count() == 1
    first = _to_closure(referrer, *team, django_capture_on_commit_callbacks)
    second = _to_closure(referrer, *team, django_capture_on_commit_callbacks, first_name="Another")
    assert _to(referrer) == []  # nothing per status
    assert referrer_digests_send() == 1
    (digest,) = [m for m in mail.outbox if m.to == [referrer.email]]
    assert digest.subject == "Your referrals: 6 updates"
    body = str(digest.body)
    for ref in (first.reference, second.reference):
        assert f"{ref}: Accepted" in body and f"{ref}: Support started" in body and f"{ref}: Closed" in body
    assert "Triaged" not in body and "Contact attempted" not in body
    assert "Another" not in body and "Test Person" not in body
    assert referrer_digests_send() == 0  # nothing new since: no second email that day

    # the next day, one more milestone: one more digest
    with django_capture_on_commit_callbacks(execute=True):
        third = make_referral(referrer=referrer)
        services.referral_accept(referral=third, actor=team[1])
    assert referrer_digests_send(now=timezone.now() + timedelta(days=1)) == 1
    assert len(_to(referrer)) == 2 and third.reference in str(mail.outbox[-1].body)


def test_the_choice_is_on_the_referrers_account_page(referrer: User, signed_in_client: Callable[[User], Any]) -> None:
    client = signed_in_client(referrer)
    url = reverse("accounts:status_emails")
    assert "One email a day" in client.get(url).content.decode()
    response = client.post(url, {})
    assert (
        response.status_code == 400 and "Choose how you want to hear about your referrals" in response.content.decode()
    )
    assert client.post(url, {"status_emails": "daily"}).status_code == 302
    referrer.refresh_from_db()
    assert referrer.status_emails == StatusEmails.DAILY and referrer.status_digest_sent_until is not None
