"""Reference data (national facts, versioned) and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class District(models.Model):
    gss_code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    population = models.PositiveIntegerField(null=True, blank=True)
    census = models.JSONField(
        default=dict, blank=True, help_text="From the area file: the Census table, year and residents by age band"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class OffenceGroup(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=80)
    is_sexual = models.BooleanField(default=False)
    is_violent = models.BooleanField(default=False)
    is_theft = models.BooleanField(default=False)
    enhanced_rights = models.BooleanField(
        default=False, help_text="Victims of this offence are in a Victims' Code Enhanced Rights group."
    )
    police_recorded = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Flag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    enhanced_rights = models.BooleanField(default=False)
    sensitive = models.BooleanField(
        default=False,
        help_text="Contact about this flag needs the matching 'safe to' answer to be an explicit yes.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Characteristic(models.TextChoices):
    ETHNICITY = "ethnicity", "Ethnicity"
    SEX = "sex", "Sex"
    GENDER_IDENTITY = "gender_identity", "Gender identity same as sex registered at birth"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    DISABILITY = "disability", "Long-term health condition or illness"
    DISABILITY_IMPACT = "disability_impact", "Reduces ability to carry out day-to-day activities"
    RELIGION = "religion", "Religion"
    AGE_BAND = "age_band", "Age band"


class CategoryKind(models.TextChoices):
    ANSWER = "answer", "An answer"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"
    NOT_RECORDED = "not_recorded", "Not recorded"


class DemographicCategory(models.Model):
    """An ONS/GSS harmonised category. 'Prefer not to say' (the person's choice) is kept apart from
    'Not recorded' (nobody asked), so that data quality can be measured."""

    characteristic = models.CharField(max_length=30, choices=Characteristic.choices)
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=160)
    group = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=CategoryKind.choices, default=CategoryKind.ANSWER)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Asked from this age.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["characteristic", "order"]
        verbose_name_plural = "demographic categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(characteristic__in=Characteristic.values), name="demographic_characteristic_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=CategoryKind.values), name="demographic_kind_valid"),
            models.UniqueConstraint(fields=["characteristic", "code"], name="demographic_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label


class NeedCategory(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    plain_name = models.CharField(max_length=200, help_text="Plain words for the public pages.")

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "need categories"

    def __str__(self) -> str:
        return self.name


class RightAppliesTo(models.TextChoices):
    ALL = "all", "All victims"
    REPORTED = "reported", "Reported crime"
    COURT = "court", "Case goes to court"
    CONVICTION = "conviction", "Conviction"


class VictimsCodeRight(models.Model):
    code_version = models.CharField(max_length=20, help_text="Which edition of the Victims' Code.")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    plain_english = models.TextField()
    applies_to = models.CharField(max_length=20, choices=RightAppliesTo.choices)

    class Meta:
        ordering = ["code_version", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applies_to__in=RightAppliesTo.values), name="right_applies_to_valid"
            ),
            models.UniqueConstraint(fields=["code_version", "number"], name="right_unique_per_version"),
        ]

    def __str__(self) -> str:
        return f"Right {self.number}: {self.title}"


class OutcomeType(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=200)
    exclude_from_totals = models.BooleanField(default=False)
    needs_verification = models.BooleanField(
        default=False, help_text="The label came from a secondary source; check it against the Home Office tables."
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.label}"


class ReferenceDataVersion(models.Model):
    """Which version of each reference data set is loaded."""

    dataset = models.CharField(max_length=60, unique=True)
    version = models.CharField(max_length=40)
    source = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.dataset} {self.version}"


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what, to what, when and from where. Written through onedoor.core.audit only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=10)
    origin = models.CharField(max_length=64, blank=True, help_text="IP address or process name")
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")


class WorkerHeartbeat(models.Model):
    """A task worker that is alive: `onedoor_worker` refreshes its row every few seconds from a thread of
    its own, also while it runs a long task. A running task whose worker has no fresh heartbeat is stuck
    (its worker died) and is given back to the queue (onedoor/core/worker.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "worker (and the backlog)"
        verbose_name_plural = "Workers and backlog"

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}"


class PeriodicJobRun(models.Model):
    """When a periodic job last ran, shared by every worker: a worker runs a job only when it wins the
    conditional UPDATE that moves `last_run_at` on, so each job runs once per interval however many
    workers there are."""

    name = models.CharField(max_length=60, primary_key=True)
    last_run_at = models.DateTimeField()
    # How the last runs went, so a job that keeps failing shows on /health/ready instead of only in a log.
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=120, blank=True, help_text="The exception's class, never its message")

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%H:%M:%S}"


class SubmissionKey(models.Model):
    """One use of a one-time submission key: an API Idempotency-Key, or a form's hidden token.

    The unique constraint on (scope, key) is what makes a retry or a double submit safe: the first
    request's row, written in the same transaction as what it created, makes every later one with the
    same key find the first result. Rows expire (ONEDOOR_SUBMISSION_KEY_HOURS) and hold no personal
    details: the fingerprint is a keyed hash of the body, the result identifiers and codes only.
    """

    scope = models.CharField(max_length=80, help_text="Who the key belongs to, e.g. api:42 or self-referral.")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    result = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="submission_key_unique_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}…"
