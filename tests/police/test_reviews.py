"""The review list: the force's police data officer sees the records the import flagged, with why, and
decides each one; the decision, its audit row and any offer are written together; nobody else gets in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Organisation, OrganisationKind, Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.messaging.models import Message, MessageStatus
from onedoor.police.models import PoliceRecordReview, PoliceVictimRecord, ReviewDecision
from onedoor.police.process import SHARED_REASON
from onedoor.police.reviews import ReviewError, police_record_review
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
SignIn = Callable[[User], Client]


def _shared_pair(**overrides: str) -> list[PoliceVictimRecord]:
    """Two people in one crime given the same phone number: both held back for review."""
    run(
        [
            row(victim_reference="V1", first_name="Sam", email="", **overrides),
            row(victim_reference="V2", first_name="Jo", email="", **overrides),
        ]
    )
    records = list(PoliceVictimRecord.objects.order_by("victim_reference"))
    assert all(r.needs_review and r.review_reason == SHARED_REASON for r in records)
    assert all(r.offer is not None and r.offer.status == MessageStatus.WITHHELD for r in records)
    return records


@pytest.fixture(autouse=True)
def working_hours() -> Iterator[None]:
    """Midday on a weekday: after 9pm an offer waits for quiet hours to end and nothing is sent on commit,
    so these tests failed whenever the suite ran in the evening."""
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def officer(make_user: MakeUser) -> User:
    return make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")


def test_offering_support_queues_the_offer_on_commit_with_its_audit_row(
    officer: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    first, second = _shared_pair()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        review = police_record_review(
            actor=officer, record_id=first.pk, decision=ReviewDecision.OFFER, note="Checked the crime record: Sam's."
        )
    first.refresh_from_db()
    assert not first.needs_review and first.review_reason == SHARED_REASON  # why it was flagged is kept
    assert review.offer is not None and first.offer_id == review.offer.pk
    assert review.offer.status == MessageStatus.QUEUED and review.offer.channel == "sms"
    assert review.flagged_because == SHARED_REASON and review.decided_by == officer
    assert len(queued) == 1  # the send task, enqueued only when the transaction commits
    audit = AuditEvent.objects.get(action=AuditAction.POLICE_RECORD_REVIEWED)
    assert audit.object_id == str(first.pk) and audit.actor == officer
    assert audit.detail == {"review": review.pk, "decision": "offer", "offer": review.offer.pk}
    assert "Sam" not in str(audit.detail)  # codes and ids only
    # The other record still waits.
    second.refresh_from_db()
    assert second.needs_review


def test_do_not_offer_sends_nothing(officer: User) -> None:
    first, _ = _shared_pair()
    messages_before = Message.objects.count()
    police_record_review(
        actor=officer, record_id=first.pk, decision=ReviewDecision.NO_OFFER, note="The number is the suspect's."
    )
    first.refresh_from_db()
    assert not first.needs_review and first.offer is not None and first.offer.status == MessageStatus.WITHHELD
    assert Message.objects.count() == messages_before
    assert PoliceRecordReview.objects.get(record=first).decision == "no_offer"


def test_an_offer_the_other_safety_rules_forbid_is_refused_and_nothing_is_written(officer: User) -> None:
    # Under 16: the review answers the shared number, not the age rule.
    first, _ = _shared_pair(date_of_birth="2015-03-01")
    with pytest.raises(ReviewError) as refused:
        police_record_review(actor=officer, record_id=first.pk, decision=ReviewDecision.OFFER, note="Checked.")
    assert refused.value.field == "decision" and "Under 16" in refused.value.message
    first.refresh_from_db()
    assert first.needs_review and not PoliceRecordReview.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.POLICE_RECORD_REVIEWED).exists()


@pytest.mark.parametrize(
    ("decision", "note", "field"),
    [
        ("", "Checked.", "decision"),
        ("maybe", "Checked.", "decision"),
        ("offer", "   ", "note"),
        ("offer", "x" * 1001, "note"),
    ],
)
def test_bad_input_says_what_to_fix(officer: User, decision: str, note: str, field: str) -> None:
    first, _ = _shared_pair()
    with pytest.raises(ReviewError) as bad:
        police_record_review(actor=officer, record_id=first.pk, decision=decision, note=note)
    assert bad.value.field == field and bad.value.message
    assert not PoliceRecordReview.objects.exists()


def test_a_record_is_decided_once(officer: User) -> None:
    first, _ = _shared_pair()
    police_record_review(actor=officer, record_id=first.pk, decision=ReviewDecision.NO_OFFER, note="Checked.")
    with pytest.raises(PoliceVictimRecord.DoesNotExist):
        police_record_review(actor=officer, record_id=first.pk, decision=ReviewDecision.OFFER, note="Again.")
    assert PoliceRecordReview.objects.count() == 1


def _other_police() -> str:
    Organisation.objects.create(slug="another-force", name="Another Police Force", kind=OrganisationKind.POLICE)
    return "another-force"


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (Role.ADMINISTRATOR, None),
        (Role.REFERRER, "warwickshire-police"),
        (Role.PROVIDER_TRIAGE, "victim-support"),
        (Role.TEAM_LEAD, "victim-support"),
        (Role.COMMISSIONER_ANALYST, None),
        (Role.DATA_PROTECTION_OFFICER, "opcc"),
        (Role.POLICE_DATA_OFFICER, None),
        (Role.POLICE_DATA_OFFICER, "other"),
    ],
)
def test_only_the_forces_police_data_officer_gets_in(
    role: Role, org: str | None, make_user: MakeUser, signed_in_client: SignIn
) -> None:
    first, _ = _shared_pair()
    user = make_user(role, org=_other_police() if org == "other" else org)
    client = signed_in_client(user)
    assert client.get(reverse("police:reviews")).status_code == 404
    assert client.get(reverse("police:review", args=[first.pk])).status_code == 404
    response = client.post(reverse("police:review", args=[first.pk]), {"decision": "offer", "note": "Checked."})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        police_record_review(actor=user, record_id=first.pk, decision=ReviewDecision.OFFER, note="Checked.")
    first.refresh_from_db()
    assert first.needs_review and not PoliceRecordReview.objects.exists()


def test_the_officer_lists_and_resolves_through_the_pages(officer: User, signed_in_client: SignIn) -> None:
    first, second = _shared_pair()
    client = signed_in_client(officer)
    page = client.get(reverse("police:reviews")).content.decode()
    assert "2 records are waiting" in page and SHARED_REASON in page
    assert f"{first.crime_reference} / V1" in page and "Sam" not in page and "07700" not in page
    viewed = AuditEvent.objects.get(action=AuditAction.POLICE_RECORD_VIEWED)
    assert viewed.detail == {"list": "review", "records": [first.pk, second.pk]}

    detail = client.get(reverse("police:review", args=[first.pk])).content.decode()
    assert "sends them a support offer" in detail
    # A missing note: the error summary names the field, and nothing is saved.
    bad = client.post(reverse("police:review", args=[first.pk]), {"decision": "offer", "note": ""}).content.decode()
    assert "There is a problem" in bad and 'href="#id_note"' in bad
    done = client.post(
        reverse("police:review", args=[first.pk]), {"decision": "offer", "note": "Checked: Sam's phone."}
    )
    assert done.status_code == 302 and done["Location"] == reverse("police:reviews")
    page = client.get(reverse("police:reviews")).content.decode()
    assert "1 record is waiting" in page and f"{first.crime_reference} / V1 reviewed" in page
    assert reverse("police:review", args=[first.pk]) not in page and reverse("police:review", args=[second.pk]) in page
    assert client.get(reverse("police:review", args=[first.pk])).status_code == 404  # no longer waiting


def test_the_review_page_warns_when_no_offer_can_go(officer: User, signed_in_client: SignIn) -> None:
    first, _ = _shared_pair(contact_permitted="N")
    page = signed_in_client(officer).get(reverse("police:review", args=[first.pk])).content.decode()
    assert "A support offer cannot be sent to this person" in page and "may not contact" in page
    refused = signed_in_client(officer).post(
        reverse("police:review", args=[first.pk]), {"decision": "offer", "note": "Checked."}
    )
    assert refused.status_code == 200 and "Choose “Do not offer support”" in refused.content.decode()
