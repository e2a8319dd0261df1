"""Sending in three steps: claim (a short transaction), call the provider (no transaction open), record
(a second transaction). These tests commit for real, so that "no transaction open" means something."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from onedoor.messaging import services as messaging
from onedoor.messaging.backends import Outgoing, Sent, TemporaryFailure
from onedoor.messaging.models import Message, MessageStatus, MessageTemplate, SendWindow

pytestmark = pytest.mark.django_db(transaction=True)
BACKEND = "tests.messaging.test_sending.RecordingBackend"


class RecordingBackend:
    """Records every call with what the database connection looked like at that moment."""

    calls: ClassVar[list[dict[str, Any]]] = []
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0
    latency = 0.0
    fail_temporarily = False

    def send(self, message: Outgoing) -> Sent:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
            cls.calls.append({"reference": message.reference, "in_atomic_block": connection.in_atomic_block})
        try:
            if cls.latency:
                time.sleep(cls.latency)
            if cls.fail_temporarily:
                raise TemporaryFailure("notify 503")
            return Sent(provider_id=f"p-{message.reference}", final=False)
        finally:
            with cls.lock:
                cls.in_flight -= 1


@pytest.fixture(autouse=True)
def backend(settings: Settings) -> type[RecordingBackend]:
    settings.ONEDOOR_MESSAGE_BACKEND = BACKEND
    RecordingBackend.calls = []
    RecordingBackend.in_flight = RecordingBackend.most_in_flight = 0
    RecordingBackend.latency = 0.0
    RecordingBackend.fail_temporarily = False
    return RecordingBackend


def _queued(n: int = 1) -> list[Message]:
    template, _ = MessageTemplate.objects.get_or_create(
        key="support-offer", channel="sms", language="en", defaults={"language_name": "English", "body": "Hi"}
    )
    return [
        Message.objects.create(
            kind="support-offer", channel="sms", to=f"+4477009001{i:02d}", template=template, language="en"
        )
        for i in range(n)
    ]


def test_the_provider_is_called_with_no_transaction_open() -> None:
    [message] = _queued()
    assert messaging.message_send(message_id=message.pk) == MessageStatus.SENDING
    assert RecordingBackend.calls == [{"reference": str(message.reference), "in_atomic_block": False}]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_at, message.claimed_by) == ("sending", 1, None, "")
    assert message.provider_id == f"p-{message.reference}"


def test_a_temporary_failure_is_recorded_and_the_claim_released() -> None:
    RecordingBackend.fail_temporarily = True
    [message] = _queued()
    assert messaging.message_send(message_id=message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1 and message.claimed_at is None and message.send_after is not None
    assert RecordingBackend.calls[0]["in_atomic_block"] is False


def test_a_claimed_message_is_not_sent_by_anyone_else() -> None:
    [message] = _queued()
    claimed, token = messaging.message_claim(message_id=message.pk)
    assert claimed is not None and token
    assert messaging.message_send(message_id=message.pk) == "claimed"
    assert messaging.messages_send_due() == 0
    assert RecordingBackend.calls == []


def test_a_dead_workers_claim_expires_and_the_message_is_sent_once(settings: Settings) -> None:
    """A worker claimed a message, Notify accepted it, and the worker was killed before recording it: after
    the claim timeout the message is sent again, once. That one message is the whole duplicate window."""
    [message, other] = _queued(2)
    messaging.message_claim(message_id=message.pk)
    RecordingBackend().send(Outgoing("sms", message.to, "", {}, str(message.reference), "", "Hi"))  # accepted
    # ... and here the worker died. Not yet expired: nobody sends it.
    assert messaging.messages_send_due() == 1  # only the other message
    assert [c["reference"] for c in RecordingBackend.calls] == [str(message.reference), str(other.reference)]
    Message.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.ONEDOOR_MESSAGE_CLAIM_SECONDS + 1)
    )
    assert messaging.messages_send_due() == 1
    assert messaging.messages_send_due() == 0
    sent = [c["reference"] for c in RecordingBackend.calls]
    assert sent.count(str(message.reference)) == 2 and sent.count(str(other.reference)) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.claimed_at is None


def test_a_late_record_after_the_claim_was_taken_over_changes_nothing(settings: Settings) -> None:
    [message] = _queued()
    _, stale_token = messaging.message_claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(claimed_at=timezone.now() - timedelta(days=1))
    assert messaging.message_send(message_id=message.pk) == MessageStatus.SENDING  # the new claimant
    assert messaging._record(message.pk, stale_token, timezone.now(), retry="late") == MessageStatus.SENDING
    message.refresh_from_db()
    assert message.attempts == 1 and message.status == MessageStatus.SENDING


def test_the_rate_limit_waits_with_no_transaction_open(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ONEDOOR_NOTIFY_RATE_PER_MINUTE = 1
    start = timezone.now().replace(second=10, microsecond=0)
    clock = {"now": start}
    waits: list[tuple[float, bool]] = []

    def fake_sleep(seconds: float) -> None:
        waits.append((seconds, connection.in_atomic_block))
        clock["now"] += timedelta(seconds=seconds)

    monkeypatch.setattr(messaging, "clock", lambda: clock["now"])
    monkeypatch.setattr(messaging, "sleep", fake_sleep)
    messages = _queued(2)
    messaging.messages_send_many(message_ids=[m.pk for m in messages])
    assert waits == [(50.0, False)]
    assert [c["in_atomic_block"] for c in RecordingBackend.calls] == [False, False]
    assert sorted(SendWindow.objects.values_list("count", flat=True)) == [1, 1]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database locks whole tables across threads"
)
def test_concurrent_sending_sends_each_message_once(settings: Settings) -> None:
    settings.ONEDOOR_SEND_CONCURRENCY = 4
    RecordingBackend.latency = 0.05
    messages = _queued(12)
    # Two overlapping batches, as two workers running the same task twice would.
    batches = [threading.Thread(target=messaging.messages_send_many, kwargs={"message_ids": [m.pk for m in messages]})]
    batches[0].start()
    messaging.messages_send_many(message_ids=[m.pk for m in reversed(messages)])
    batches[0].join()
    sent = [c["reference"] for c in RecordingBackend.calls]
    assert sorted(sent) == sorted(str(m.reference) for m in messages)
    assert RecordingBackend.most_in_flight > 1
    assert not any(c["in_atomic_block"] for c in RecordingBackend.calls)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENDING}
