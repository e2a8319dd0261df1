"""Messages to victims (SMS and email), their templates, and the contact details known not to work.

A message row exists for every offer OneDoor considered, sent or not: a withheld message records the
safety rules that stopped it, so "why did this person get nothing?" always has an answer.
"""

from __future__ import annotations

import re
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class MessageStatus(models.TextChoices):
    WITHHELD = "withheld", "Withheld by a safety rule"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sent to the provider"
    DELIVERED = "delivered", "Delivered"
    TEMPORARY_FAILURE = "temporary-failure", "Temporary failure (retrying)"
    PERMANENT_FAILURE = "permanent-failure", "Permanent failure"
    TECHNICAL_FAILURE = "technical-failure", "Technical failure"
    FAILED = "failed", "Failed after retries"


# Statuses that count as "an offer went out" for the one-offer-in-30-days rule.
OFFERED_STATUSES = (
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.DELIVERED,
    MessageStatus.TEMPORARY_FAILURE,
)


class MessageTemplate(models.Model):
    """One wording of one kind of message, in one language, for one channel. Translations that no
    native speaker has checked carry `needs_native_review`, shown in the admin."""

    key = models.SlugField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10, help_text="ISO 639-1 code")
    language_name = models.CharField(max_length=60)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="Placeholders in double brackets, as GOV.UK Notify: ((service_phone))")
    notify_template_id = models.CharField(
        max_length=36, blank=True, help_text="The template's ID in GOV.UK Notify, where it is configured"
    )
    needs_native_review = models.BooleanField(
        default=True, help_text="Not yet checked by a native speaker. Untick once it has been."
    )
    reviewed_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "language"], name="message_template_unique"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="message_template_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.channel}, {self.language})"

    def blank_placeholders(self, personalisation: dict[str, str]) -> list[str]:
        """The placeholders this wording uses that the message fills with nothing (an empty value)."""
        used = re.findall(r"\(\((\w+)\)\)", self.subject + self.body)
        return sorted({name for name in used if name in personalisation and not str(personalisation[name]).strip()})

    def render(self, personalisation: dict[str, str]) -> tuple[str, str]:
        subject, body = self.subject, self.body
        for name, value in personalisation.items():
            subject = subject.replace(f"(({name}))", value)
            body = body.replace(f"(({name}))", value)
        return subject, body


class Message(models.Model):
    """One message to one person. `reference` is what providers see: random, never personal."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.SlugField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    to = models.CharField(max_length=254, blank=True)
    template = models.ForeignKey(MessageTemplate, null=True, blank=True, on_delete=models.PROTECT)
    language = models.CharField(max_length=10, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    # Keyed hashes (never the values) used to apply "one offer per person in 30 days".
    person_key = models.CharField(max_length=64, blank=True, db_index=True)
    contact_key = models.CharField(max_length=64, blank=True, db_index=True)

    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    withheld_reasons = models.JSONField(default=list, blank=True, help_text="Safety rules that stopped it")
    note = models.CharField(max_length=200, blank=True, help_text="For example why sending was deferred")
    send_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Sending is claim, call, record (docs/messaging.md): a worker claims a queued message for a while so
    # that no other sends it meanwhile; a claim older than ONEDOOR_MESSAGE_CLAIM_SECONDS is free again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values) | models.Q(channel=""), name="message_channel_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="withheld") | ~Q(withheld_reasons=[]), name="withheld_message_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(claimed_at__isnull=True) | Q(status="queued"), name="message_claimed_only_while_queued"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="message_due_idx"),
            # The admin's list of messages, newest first (ADR 0034).
            models.Index(fields=["-created_at", "-id"], name="message_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.status}"


class InvalidContact(models.Model):
    """A phone number or email address that failed permanently. Later messages to it are withheld."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact_key = models.CharField(max_length=64, unique=True)
    marked_at = models.DateTimeField()
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="invalid_contact_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"invalid {self.channel} contact"


class SendWindow(models.Model):
    """How many messages went to the provider in one minute, shared by every worker, so that
    OneDoor keeps under GOV.UK Notify's limit of 3,000 a minute per key."""

    minute = models.DateTimeField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.minute:%H:%M} {self.count}"


class RestrictedKey(models.Model):
    """A person or contact key whose processing is restricted (UK GDPR Article 18): no message goes to it
    and the police import makes no referral for it. Written and removed only by onedoor.privacy (the
    restriction it belongs to is `restriction_id`, a plain id: that app sits above this one)."""

    key = models.CharField(max_length=64)
    restriction_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "restriction_id"], name="restricted_key_unique")]
        indexes = [models.Index(fields=["key"], name="restricted_key_idx")]

    def __str__(self) -> str:
        return f"restricted key of restriction {self.restriction_id}"
