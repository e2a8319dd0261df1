"""The GOV.UK Notify backend against a fake Notify API on loopback, and the delivery-status callback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from onedoor.core.models import AuditEvent
from onedoor.messaging import services as messaging
from onedoor.messaging.models import InvalidContact, Message, MessageStatus, MessageTemplate, SendWindow
from onedoor.police.models import PoliceVictimRecord
from tests.messaging.fake_notify import API_KEY, SECRET, SERVICE_ID, FakeNotify
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db
CALLBACK_TOKEN = "test-callback-token"


@pytest.fixture
def notify(settings: Settings) -> Iterator[FakeNotify]:
    with FakeNotify() as fake:
        settings.ONEDOOR_MESSAGE_BACKEND = "onedoor.messaging.backends.NotifyBackend"
        settings.ONEDOOR_NOTIFY_API_KEY = API_KEY
        settings.ONEDOOR_NOTIFY_BASE_URL = fake.url
        settings.ONEDOOR_NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
        MessageTemplate.objects.update(notify_template_id="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        yield fake


def _callback(client: Client, body: dict[str, Any], token: str | None = CALLBACK_TOKEN) -> Any:
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}  # WSGI environ
    return client.post(reverse("api:notify_callback"), body, content_type="application/json", **headers)


def _offer_for(phone: str) -> Message:
    run([row(phone=phone)])
    offer = PoliceVictimRecord.objects.get().offer
    assert offer is not None
    offer.refresh_from_db()
    return offer


def test_sends_and_records_delivery(notify: FakeNotify, client: Client, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    offer = _offer_for("07700 900123")
    assert offer.status == MessageStatus.SENDING
    [sent] = notify.sent
    assert sent["phone_number"] == "+447700900123"
    assert sent["reference"] == str(offer.reference)
    assert sent["template_id"] == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert sent["personalisation"]["service_phone"]
    assert offer.provider_id == sent["id"]

    assert _callback(client, notify.callback(sent["id"])).status_code == 204
    offer.refresh_from_db()
    assert offer.status == MessageStatus.DELIVERED
    # No personal information in logs.
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "7700900123" not in logged and "Alex" not in logged and "Morgan" not in logged


def test_temporary_failure_is_retried_with_backoff(notify: FakeNotify, client: Client) -> None:
    offer = _offer_for("07700 900003")
    first = notify.sent[0]
    before = timezone.now()
    assert _callback(client, notify.callback(first["id"])).status_code == 204
    offer.refresh_from_db()
    assert offer.status == MessageStatus.QUEUED
    assert offer.attempts == 1
    assert offer.send_after is not None
    assert timedelta(minutes=4) < offer.send_after - before < timedelta(minutes=6)
    # Not due yet: nothing is sent.
    assert messaging.messages_send_due(now=before + timedelta(minutes=1)) == 0
    assert len(notify.sent) == 1
    # Due: sent again.
    assert messaging.messages_send_due(now=before + timedelta(minutes=6)) == 1
    assert len(notify.sent) == 2
    offer.refresh_from_db()
    assert offer.status == MessageStatus.SENDING
    # The second failure waits four times longer.
    _callback(client, notify.callback(notify.sent[1]["id"]))
    offer.refresh_from_db()
    assert offer.attempts == 2
    assert offer.send_after - timezone.now() > timedelta(minutes=19)


def test_permanent_failure_marks_contact_invalid_and_flags_the_team(notify: FakeNotify, client: Client) -> None:
    offer = _offer_for("07700 900002")
    rec = PoliceVictimRecord.objects.get()
    mail.outbox.clear()
    assert _callback(client, notify.callback(notify.sent[0]["id"])).status_code == 204
    offer.refresh_from_db()
    rec.refresh_from_db()
    assert offer.status == MessageStatus.PERMANENT_FAILURE
    assert InvalidContact.objects.filter(channel="sms", contact_key=offer.contact_key).exists()
    assert rec.phone_invalid and rec.needs_review
    assert rec.referral is not None
    assert AuditEvent.objects.filter(action="referral.contact_invalid", object_id=str(rec.referral.pk)).exists()
    # A later offer to that number is withheld.
    run(
        [
            row(
                crime_reference="23/0000777/26",
                first_name="Pat",
                last_name="Hill",
                date_of_birth="1970-01-01",
                phone="07700 900002",
                email="",
                recorded_at="2026-01-11T09:00:00",
            )
        ]
    )
    later = PoliceVictimRecord.objects.get(crime_reference="23/0000777/26").offer
    assert later is not None and later.status == MessageStatus.WITHHELD
    assert "contact_invalid" in later.withheld_reasons


def test_an_address_that_failed_stops_the_next_offer_whatever_its_case(notify: FakeNotify, client: Client) -> None:
    # Only an email address to reach this victim: the failure must be matched to the next file's row, which
    # writes the same address in other capitals.
    run([row(phone="", safe_to_text="N", email="Bounce.Jo@Example.org")])
    offer = PoliceVictimRecord.objects.get().offer
    assert offer is not None and offer.channel == "email"
    assert _callback(client, notify.callback(notify.sent[0]["id"])).status_code == 204
    offer.refresh_from_db()
    assert offer.status == MessageStatus.PERMANENT_FAILURE
    run(
        [
            row(
                crime_reference="23/0000778/26",
                first_name="Pat",
                last_name="Hill",
                date_of_birth="1970-01-01",
                phone="",
                safe_to_text="N",
                email="bounce.jo@example.org",
                recorded_at="2026-01-11T09:00:00",
            )
        ]
    )
    later = PoliceVictimRecord.objects.get(crime_reference="23/0000778/26").offer
    assert later is not None and later.status == MessageStatus.WITHHELD
    assert "contact_invalid" in later.withheld_reasons
    assert len(notify.sent) == 1


def test_api_error_at_send_time_is_retried(notify: FakeNotify) -> None:
    offer = _offer_for("07700 900500")
    assert offer.status == MessageStatus.QUEUED
    assert offer.attempts == 1 and offer.send_after is not None
    assert notify.sent == []


def test_callbacks_must_carry_the_token(notify: FakeNotify, client: Client) -> None:
    offer = _offer_for("07700 900123")
    body = notify.callback(notify.sent[0]["id"])
    assert _callback(client, body, token=None).status_code == 401
    assert _callback(client, body, token="wrong").status_code == 401
    offer.refresh_from_db()
    assert offer.status == MessageStatus.SENDING
    assert _callback(client, {**body, "id": "unknown", "reference": None}).status_code == 404
    assert _callback(client, body).status_code == 204


def test_rate_limit_waits_for_the_next_minute(
    notify: FakeNotify, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ONEDOOR_NOTIFY_RATE_PER_MINUTE = 2
    start = timezone.now().replace(second=10, microsecond=0)
    clock = {"now": start}
    slept: list[float] = []

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["now"] += timedelta(seconds=seconds)

    monkeypatch.setattr(messaging, "clock", lambda: clock["now"])
    monkeypatch.setattr(messaging, "sleep", fake_sleep)
    run(
        [
            row(victim_reference="V1", first_name="Ann", phone="07700 900201", email=""),
            row(victim_reference="V2", first_name="Ben", phone="07700 900202", email=""),
            row(victim_reference="V3", first_name="Cat", phone="07700 900203", email=""),
        ]
    )
    assert len(notify.sent) == 3
    assert slept == [50.0]
    assert sorted(SendWindow.objects.values_list("count", flat=True)) == [1, 2]


def test_a_refused_key_holds_messages_without_using_their_attempts_until_it_is_fixed(
    notify: FakeNotify, client: Client, settings: Settings
) -> None:
    # The operator pasted a key with the wrong secret: Notify answers 403 to every message.
    settings.ONEDOOR_NOTIFY_API_KEY = f"onedoor_test-{SERVICE_ID}-{SECRET[::-1]}"
    run([row(phone="", email="alex@example.org")])
    offer = PoliceVictimRecord.objects.get().offer
    assert offer is not None
    offer.refresh_from_db()
    assert notify.sent == []
    assert offer.status == MessageStatus.QUEUED and offer.attempts == 0
    assert offer.note.startswith(messaging.HELD_NOTE) and offer.note.endswith("(notify 403)")
    assert offer.send_after is not None
    assert timedelta(minutes=4) < offer.send_after - timezone.now() < timedelta(minutes=6)
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and "message_provider_refusing" in ready.json()["problems"]
    assert ready.json()["backlog"]["messages_held_by_provider"] == 1
    # Held as often as it takes: still no attempt used up, never given up on.
    start = timezone.now()
    for i in range(1, 7):
        assert messaging.messages_send_due(now=start + timedelta(minutes=6 * i)) == 1
    offer.refresh_from_db()
    assert offer.status == MessageStatus.QUEUED and offer.attempts == 0
    # The key is fixed: it goes at the next try, and readiness recovers.
    settings.ONEDOOR_NOTIFY_API_KEY = API_KEY
    assert messaging.messages_send_due(now=start + timedelta(minutes=6 * 7)) == 1
    [sent] = notify.sent
    assert sent["email_address"] == "alex@example.org"
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_a_receipt_naming_no_reference_of_ours_is_unknown_not_an_error() -> None:
    # Every reference OneDoor sends is a UUID; a receipt for anything else (another service on the same Notify
    # account, a typo in a replayed receipt) matches no message, on PostgreSQL as on SQLite.
    assert messaging.message_record_status(provider_id="", reference="not-a-uuid", status="delivered") is None
    assert messaging.message_record_status(provider_id="x", reference="12345", status="delivered") is None
