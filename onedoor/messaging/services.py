"""Queue, send and track messages to victims. Queuing happens inside the caller's transaction and the
send task is enqueued on commit, so a message is never lost. Sending claims, calls the provider with no
transaction open, then records (docs/messaging.md, ADR 0008): a worker that dies mid-send may send the one
message it had in flight twice, never more. Logs and audit rows carry the message's random reference,
never a number, an address or a name."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from onedoor.core import fastcopy
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.matchkeys import contact_key as contact_key
from onedoor.core.matchkeys import keyed_hash as keyed_hash
from onedoor.core.tasks import Task, enqueue_on_commit, enqueue_on_commit_after
from onedoor.messaging.backends import (
    Outgoing,
    PermanentFailure,
    ProviderRefused,
    Sent,
    TemporaryFailure,
    get_backend,
)
from onedoor.messaging.models import (
    OFFERED_STATUSES,
    Channel,
    InvalidContact,
    Message,
    MessageStatus,
    MessageTemplate,
    RestrictedKey,
    SendWindow,
)
from onedoor.messaging.safety import quiet_hours_end

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
# A message the provider refused because of OneDoor's own key is held, and tried again this often.
HOLD_MINUTES = 5
HELD_NOTE = "held: the provider refused OneDoor's key"
BACKOFF_BASE = timedelta(minutes=5)
SEND_BATCH = 500

# Sent when a contact detail fails permanently: receivers flag it to the team holding the case.
contact_invalid = Signal()  # kwargs: message

# The task that sends a batch is in onedoor.messaging.tasks, which imports this module (the task calls
# `messages_send_many`). So that the import goes one way only, the task registers itself here when its
# module is imported (MessagingConfig.ready imports it), and queueing and retries enqueue it from here.
_send_task: Task[..., None] | None = None


def send_task_register(send: Task[..., None]) -> None:
    global _send_task  # set once, at start-up
    _send_task = send


def _send_messages_task() -> Task[..., None]:
    if _send_task is None:
        raise RuntimeError("onedoor.messaging.tasks is not loaded: is onedoor.messaging in INSTALLED_APPS?")
    return _send_task


# Hooks so tests can run the rate limiter on a fake clock.
clock: Callable[[], datetime] = timezone.now
sleep: Callable[[float], None] = time.sleep


def backoff(attempts: int) -> timedelta:
    """5, 20, 80 minutes: each retry waits four times longer."""
    factor: int = 4 ** max(attempts - 1, 0)  # int ** int is typed Any: a negative power would be a float
    return BACKOFF_BASE * factor


class TemplateCache:
    """Templates loaded once per import: (key, channel, language) -> template, English as fallback."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.by = {(t.channel, t.language): t for t in MessageTemplate.objects.filter(key=key)}

    def get(self, channel: str, language: str) -> MessageTemplate:
        found = self.by.get((channel, language)) or self.by.get((channel, "en"))
        if found is None:
            raise LookupError(f"No English {channel} template for {self.key!r}: load the message templates.")
        return found


# -- selectors used by the rules ----------------------------------------------------------------------


def recently_offered_keys(
    *, keys: Sequence[QuerySet[Any, str] | Iterable[str]], kind: str, since: datetime
) -> set[str]:
    """Which person or contact keys, of those the querysets give (each a flat `values_list` of keys),
    had an offer of `kind` queued or sent since `since`. The keys stay in the database as subqueries:
    an import checks tens of thousands at a time."""
    wanted = Q()
    for source in keys:
        wanted |= Q(person_key__in=source) | Q(contact_key__in=source)
    rows = (
        Message.objects.filter(kind=kind, status__in=OFFERED_STATUSES, created_at__gte=since)
        .filter(wanted)
        .values_list("person_key", "contact_key")
        .distinct()
    )
    found: set[str] = set()
    for person, contact in rows:
        found.update({person, contact})
    found.discard("")
    return found


def restricted_keys(*, keys: Sequence[QuerySet[Any, str] | Iterable[str]]) -> set[str]:
    """Which person or contact keys, of those given, belong to a person whose processing is restricted."""
    wanted = Q()
    for source in keys:
        wanted |= Q(key__in=source)
    return set(RestrictedKey.objects.filter(wanted).values_list("key", flat=True))


def invalid_contact_keys(*, keys: Sequence[QuerySet[Any, str] | Iterable[str]]) -> set[str]:
    """Which contact keys, of those the querysets give, failed permanently before."""
    wanted = Q()
    for source in keys:
        wanted |= Q(contact_key__in=source)
    return set(InvalidContact.objects.filter(wanted).values_list("contact_key", flat=True))


# -- queueing -------------------------------------------------------------------------------------------


def message_values(
    *,
    kind: str,
    channel: str | None,
    to: str,
    template: MessageTemplate | None,
    personalisation: dict[str, str],
    person_key: str,
    withheld_reasons: Iterable[str] = (),
    send_after: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """A new message's field values: queued when it has a channel, withheld (with its reasons) when not."""
    withheld = channel is None
    return {
        "kind": kind,
        "channel": channel or "",
        "to": "" if withheld else to,
        "template_id": None if withheld or template is None else template.pk,
        "language": template.language if template and not withheld else "",
        "personalisation": {} if withheld else personalisation,
        "person_key": person_key,
        "contact_key": "" if withheld else contact_key(to),
        "status": MessageStatus.WITHHELD if withheld else MessageStatus.QUEUED,
        "withheld_reasons": list(withheld_reasons),
        "send_after": send_after,
        "note": note,
        "created_at": now or timezone.now(),
    }


def messages_queue(*, messages: list[Message], now: datetime | None = None) -> list[Message]:
    """Save messages and enqueue their sending on commit. Call inside the transaction that caused them."""
    saved = fastcopy.insert(Message, messages)
    _enqueue_queued([(m.pk, m.status, m.send_after) for m in saved], now)
    return saved


def messages_queue_values(*, messages: list[dict[str, Any]], now: datetime | None = None) -> list[int]:
    """`messages_queue` for messages given as `message_values`, written without a model instance each;
    returns their ids, in order."""
    ids = fastcopy.insert_values(Message, [{**m, "updated_at": now or timezone.now()} for m in messages], with_ids=True)
    _enqueue_queued([(pk, m["status"], m["send_after"]) for pk, m in zip(ids, messages, strict=True)], now)
    return ids


def _enqueue_queued(saved: list[tuple[int, str, datetime | None]], now: datetime | None) -> None:
    moment = now or timezone.now()
    due_now: list[int] = []
    later: dict[datetime, list[int]] = {}
    for pk, status, send_after in saved:
        if status != MessageStatus.QUEUED:
            continue
        if send_after is not None and send_after > moment:
            later.setdefault(send_after, []).append(pk)
        else:
            due_now.append(pk)
    for start in range(0, len(due_now), SEND_BATCH):
        _enqueue_send(due_now[start : start + SEND_BATCH], None)
    for at, ids in later.items():
        for start in range(0, len(ids), SEND_BATCH):
            _enqueue_send(ids[start : start + SEND_BATCH], at)


def _enqueue_send(ids: list[int], run_after: datetime | None) -> None:
    send_messages = _send_messages_task()
    if run_after is None:
        enqueue_on_commit(send_messages, message_ids=ids)
        return
    enqueue_on_commit_after(send_messages, run_after, message_ids=ids)
    # Where the backend cannot defer, `manage.py send_due_messages` (run every few minutes) picks them up when due.


# -- sending --------------------------------------------------------------------------------------------


def _reserve_slot() -> None:
    """Take one of this minute's sends, waiting for the next minute when they are used up. Shared by
    every worker through the database, with an atomic conditional UPDATE (no check-then-act). Each
    statement commits on its own: it is called between the claim and the record, never inside a
    transaction, so the wait holds no lock."""
    limit = settings.ONEDOOR_NOTIFY_RATE_PER_MINUTE
    while True:
        now = clock()
        minute = now.replace(second=0, microsecond=0)
        SendWindow.objects.get_or_create(minute=minute)
        if SendWindow.objects.filter(minute=minute, count__lt=limit).update(count=F("count") + 1):
            return
        sleep(max(60 - now.second - now.microsecond / 1e6, 0.01))


def send_windows_prune(*, now: datetime | None = None) -> int:
    """Delete the per-minute send counts older than a day: only the current minute's is ever read."""
    cutoff = (now or clock()) - timedelta(days=1)
    deleted, _ = SendWindow.objects.filter(minute__lt=cutoff).delete()
    return deleted


def _claim_free(moment: datetime) -> Q:
    """Not claimed, or claimed by a worker that has had longer than any send takes (so it died)."""
    stale = moment - timedelta(seconds=settings.ONEDOOR_MESSAGE_CLAIM_SECONDS)
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)


def _due(moment: datetime) -> Q:
    return Q(status=MessageStatus.QUEUED) & (Q(send_after__isnull=True) | Q(send_after__lte=moment))


def message_claim(*, message_id: int, now: datetime | None = None) -> tuple[Message | None, str]:
    """Step 1 of sending: claim one queued, due message in a short transaction of its own. Returns the
    message and its claim token, or None and why it was not claimed: its status when it is not queued
    and due, "locked" while another worker's claim transaction holds it, "claimed" while another
    worker is sending it."""
    moment = now or clock()
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = Message.objects.select_related("template")
        skip = connection.vendor == "postgresql"  # SKIP LOCKED: PostgreSQL only
        message = qs.select_for_update(skip_locked=skip, of=("self",)).filter(pk=message_id).first()
        if message is None:
            return None, "locked"
        # The row is locked, so checking then writing is safe here.
        if message.status != MessageStatus.QUEUED or (message.send_after and message.send_after > moment):
            return None, str(message.status)
        claimed_at = clock()
        stale = claimed_at - timedelta(seconds=settings.ONEDOOR_MESSAGE_CLAIM_SECONDS)
        if message.claimed_at is not None and message.claimed_at >= stale:
            return None, "claimed"  # another worker is sending it now
        message.claimed_at, message.claimed_by = claimed_at, token
        message.save(update_fields=["claimed_at", "claimed_by", "updated_at"])
    return message, token


def message_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one queued, due message in three steps: claim it (a short transaction), call the provider
    with no transaction open, record the result (a second transaction). Returns its status afterwards.
    Safe to call twice, and from any number of workers: only the claim holder sends. A worker killed
    between the call and the record leaves a claim that expires after ONEDOOR_MESSAGE_CLAIM_SECONDS, and
    only that one message may then be sent again."""
    moment = now or clock()
    message, token = message_claim(message_id=message_id, now=moment)
    if message is None:
        return token
    assert message.template is not None
    try:
        _reserve_slot()
        if blank := message.template.blank_placeholders(message.personalisation):
            # Never "help is available from . Call  or visit": a wording with a gap is not sent at all.
            raise PermanentFailure(f"not sent: {', '.join(blank)} would be blank")
        subject, body = message.template.render(message.personalisation)
        outgoing = Outgoing(
            channel=message.channel,
            to=message.to,
            template_id=message.template.notify_template_id,
            personalisation=message.personalisation,
            reference=str(message.reference),
            subject=subject,
            body=body,
        )
        sent = get_backend().send(outgoing)
    except ProviderRefused as exc:
        return _record(message_id, token, moment, refused=str(exc))
    except TemporaryFailure as exc:
        return _record(message_id, token, moment, retry=str(exc))
    except PermanentFailure as exc:
        return _record(message_id, token, moment, permanent=str(exc))
    except BaseException:
        # Not the provider's answer (a bug, a signal): the message may or may not have gone. Leave the
        # claim to expire, so that it is retried once, rather than guess.
        log.exception("message %s: sending stopped unexpectedly; its claim will expire", message.reference)
        raise
    return _record(message_id, token, moment, sent=sent)


def _record(
    message_id: int,
    token: str,
    now: datetime,
    *,
    sent: Sent | None = None,
    retry: str = "",
    permanent: str = "",
    refused: str = "",
) -> str:
    """Step 3 of sending: record what the provider said, and release the claim, in one transaction."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "deleted"
        if message.claimed_by != token:
            # Our claim expired and another worker took the message over: it records its own send.
            log.warning("message %s: sent after its claim expired", message.reference)
            return str(message.status)
        message.claimed_at = None
        message.claimed_by = ""
        message.attempts += 1
        if sent is not None:
            message.provider_id = sent.provider_id
            message.status = MessageStatus.DELIVERED if sent.final else MessageStatus.SENDING
            message.sent_at = now
            message.save(
                update_fields=["provider_id", "status", "sent_at", "attempts", "claimed_at", "claimed_by", "updated_at"]
            )
            log.info("message %s sent (%s)", message.reference, message.channel)
        elif permanent:
            _fail_permanently(message, now, permanent)
        elif refused:
            _hold(message, now, refused)
        else:
            _schedule_retry(message, now, retry)
        return str(message.status)


def _hold(message: Message, now: datetime, why: str) -> None:
    """The provider refused OneDoor's key: keep the message queued, give back the attempt, and try again
    every HOLD_MINUTES, so that it goes once an operator fixes the key, however long that takes."""
    message.status = MessageStatus.QUEUED
    message.attempts = max(message.attempts - 1, 0)
    again = now + timedelta(minutes=HOLD_MINUTES)
    # A text held at night waits for the morning, as every text does (quiet hours).
    message.send_after = (quiet_hours_end(again) or again) if message.channel == Channel.SMS else again
    message.note = f"{HELD_NOTE} ({why})"
    message.save(update_fields=["status", "send_after", "note", "attempts", "claimed_at", "claimed_by", "updated_at"])
    _enqueue_send([message.pk], message.send_after)
    log.error("message %s held: the provider refused OneDoor's key (%s)", message.reference, why)


def messages_held_by_provider(now: datetime) -> int:
    """Queued messages held because the provider refused OneDoor's key (a readiness figure)."""
    return Message.objects.filter(status=MessageStatus.QUEUED, note__startswith=HELD_NOTE).count()


def _schedule_retry(message: Message, now: datetime, why: str) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        message.note = f"gave up after {message.attempts} attempts ({why})"
        message.save(update_fields=["status", "note", "attempts", "claimed_at", "claimed_by", "updated_at"])
        log.warning("message %s failed after %s attempts", message.reference, message.attempts)
        return
    message.status = MessageStatus.QUEUED
    message.send_after = now + backoff(message.attempts)
    message.note = f"retry {message.attempts} after {why}"
    message.save(update_fields=["status", "send_after", "note", "attempts", "claimed_at", "claimed_by", "updated_at"])
    _enqueue_send([message.pk], message.send_after)
    log.info("message %s will be retried at %s", message.reference, message.send_after.isoformat())


def _fail_permanently(message: Message, now: datetime, why: str) -> None:
    message.status = MessageStatus.PERMANENT_FAILURE
    message.note = why[:200]
    message.save(update_fields=["status", "note", "attempts", "claimed_at", "claimed_by", "updated_at"])
    InvalidContact.objects.get_or_create(
        contact_key=message.contact_key or contact_key(message.to),
        defaults={"channel": message.channel, "marked_at": now, "message": message},
    )
    audit_record(
        actor=None, action=AuditAction.MESSAGE_CONTACT_INVALID, obj=message, detail={"channel": message.channel}
    )
    log.info("message %s: contact marked invalid", message.reference)
    contact_invalid.send(sender=Message, message=message)


def messages_send_due(*, now: datetime | None = None, limit: int = 10_000) -> int:
    """Send queued messages whose time has come (deferred by quiet hours or a retry, or whose task was
    lost), oldest first, skipping those another worker has claimed. The worker runs it every minute
    (`onedoor_worker`); `manage.py send_due_messages` runs it by hand."""
    moment = now or clock()
    ids = list(
        Message.objects.filter(_due(moment) & _claim_free(clock()))
        .order_by("send_after", "id")
        .values_list("pk", flat=True)[:limit]
    )
    messages_send_many(message_ids=ids, now=moment)
    return len(ids)


def messages_send_many(*, message_ids: Sequence[int], now: datetime | None = None) -> None:
    """`message_send` for each message, `ONEDOOR_SEND_CONCURRENCY` at a time. Each thread claims, sends
    and records its own messages on its own database connection, so a provider's latency is waited for
    in parallel; each message in flight when the worker dies may be sent twice."""
    threads = max(1, min(settings.ONEDOOR_SEND_CONCURRENCY, len(message_ids)))
    if threads == 1:
        for pk in message_ids:
            message_send(message_id=pk, now=now)
        return
    pending = iter(list(message_ids))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while True:
                with lock:
                    pk = next(pending, None)
                if pk is None:
                    return
                message_send(message_id=pk, now=now)
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    pool = [threading.Thread(target=work, name=f"send-{n}", daemon=True) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]


def oldest_due_message_age(now: datetime) -> float | None:
    """How long, in seconds, the longest-waiting queued and due message has waited since it came due
    (a backlog probe for the health endpoint and the admin). None when nothing is waiting."""
    due_since = (
        Message.objects.filter(_due(now))
        .annotate(due_at=Coalesce("send_after", "created_at"))
        .aggregate(oldest=Min("due_at"))["oldest"]
    )
    return round(max((now - due_since).total_seconds(), 0.0), 1) if due_since else None


def due_message_count(now: datetime) -> int:
    return Message.objects.filter(_due(now)).count()


# -- delivery receipts -------------------------------------------------------------------------------

_NOTIFY_STATUSES = {
    "created": MessageStatus.SENDING,
    "sending": MessageStatus.SENDING,
    "pending": MessageStatus.SENDING,
    "delivered": MessageStatus.DELIVERED,
    "temporary-failure": MessageStatus.TEMPORARY_FAILURE,
    "technical-failure": MessageStatus.TECHNICAL_FAILURE,
    "permanent-failure": MessageStatus.PERMANENT_FAILURE,
}


@transaction.atomic
def message_record_status(*, provider_id: str, reference: str, status: str) -> Message | None:
    """Apply a provider's delivery receipt. Temporary and technical failures are retried with backoff;
    a permanent failure marks the contact invalid. Returns None for an unknown message."""
    if status not in _NOTIFY_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    qs = Message.objects.select_for_update()
    message = qs.filter(provider_id=provider_id).first() if provider_id else None
    if message is None and reference:
        try:
            ref = uuid.UUID(reference)
        except ValueError:
            return None  # not a reference OneDoor sent (every one is a UUID), so no message of ours
        message = qs.filter(reference=ref).first()
    if message is None:
        return None
    if message.status in (MessageStatus.DELIVERED, MessageStatus.PERMANENT_FAILURE, MessageStatus.FAILED):
        return message  # receipts can arrive twice or late; a final status stands
    now = clock()
    mapped = _NOTIFY_STATUSES[status]
    if mapped in (MessageStatus.TEMPORARY_FAILURE, MessageStatus.TECHNICAL_FAILURE):
        _schedule_retry(message, now, status)
    elif mapped == MessageStatus.PERMANENT_FAILURE:
        _fail_permanently(message, now, status)
    else:
        message.status = mapped
        message.save(update_fields=["status", "updated_at"])
    log.info("message %s receipt %s", message.reference, status)
    return message


def channel_label(channel: str) -> str:
    return Channel(channel).label if channel else ""
