"""The police overnight transfer: each import is a batch in a ledger; each victim row becomes (or
updates) one victim record, keyed by (force_code, crime_reference, victim_reference)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from onedoor.core.models import DemographicCategory, District, OffenceGroup
from onedoor.messaging.models import Message
from onedoor.referrals.models import Referral


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected (the file could not be read)"


class BatchPhase(models.TextChoices):
    """Where a running batch is: its load chunks, its process chunks, or the last, ordered step (the
    records whose person or contact detail another record in the import shares: see ADR 0009)."""

    LOAD = "load", "Loading rows"
    # Loaded, and waiting for another file's batch to finish offering support: offers are decided one batch
    # at a time, so that two files naming the same person cannot both offer them (ADR 0009).
    WAIT = "wait", "Waiting for an earlier file to finish offering support"
    PROCESS = "process", "Routing and offering support"
    FINISH = "finish", "Offering support to people named more than once"
    DONE = "done", "Done"


class ChunkPhase(models.TextChoices):
    LOAD = "load", "Load"
    PROCESS = "process", "Process"


# What an import reports (the command's JSON summary, the API's answer), in this order.
SUMMARY_KEYS = ("rows", "created", "updated", "unchanged", "errors", "referrals", "messages_queued", "encoding")


class PoliceBatch(models.Model):
    """One import of one file: the ledger row. A run that is killed stays `running` with the counts it
    reached; running the same file again finishes the work."""

    file_name = models.CharField(max_length=255)
    file_hash = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file's bytes")
    file_size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=10, help_text="cli, web or api")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    failure = models.CharField(max_length=500, blank=True)

    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Rows with at least one error")
    referrals = models.PositiveIntegerField(default=0)
    messages_queued = models.PositiveIntegerField(default=0)
    messages_withheld = models.PositiveIntegerField(default=0)

    # Progress while it runs: the file is split into chunk tasks at upload (rows_expected), then each
    # chunk's rows are loaded, then the records they left unprocessed are routed and offered support.
    phase = models.CharField(max_length=10, choices=BatchPhase.choices, default=BatchPhase.DONE)
    rows_expected = models.PositiveIntegerField(default=0)
    to_process = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "police batches"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="police_batch_status_valid"),
            models.CheckConstraint(condition=Q(phase__in=BatchPhase.values), name="police_batch_phase_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"

    def summary(self) -> dict[str, object]:
        return {key: getattr(self, key) for key in SUMMARY_KEYS}


class PoliceChunk(models.Model):
    """One chunk task of a batch. A load chunk holds its rows as UTF-8 CSV text (with the header), in the
    database so that a worker on any machine can read it; the text is cleared once loaded. A process
    chunk names a range of record ids. `done_at` is set in the same transaction as the chunk's writes,
    so a chunk is done once or not at all, however often its task runs."""

    batch = models.ForeignKey(PoliceBatch, on_delete=models.CASCADE, related_name="chunks")
    phase = models.CharField(max_length=10, choices=ChunkPhase.choices)
    number = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    line_offset = models.IntegerField(default=0, help_text="Added to the chunk text's line numbers")
    data = models.BinaryField(default=b"", editable=False)
    id_from = models.BigIntegerField(null=True, blank=True)
    id_to = models.BigIntegerField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "phase", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "phase", "number"], name="police_chunk_unique"),
            models.CheckConstraint(condition=Q(phase__in=ChunkPhase.values), name="police_chunk_phase_valid"),
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} {self.phase} {self.number}"


class PoliceRowError(models.Model):
    """One problem with one row. `value` is the offending text, truncated; the errors CSV escapes it."""

    batch = models.ForeignKey(PoliceBatch, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(help_text="Line in the file where the row starts (the header is line 1)")
    column = models.CharField(max_length=60)
    value = models.CharField(max_length=200, blank=True)
    expected = models.CharField(max_length=300)

    class Meta:
        ordering = ["batch", "line", "id"]
        # The batch page shows a batch's first 200 errors in line order: read in order from this index, not
        # sorted from every error the batch has (issue 17).
        indexes = [models.Index(fields=["batch", "line", "id"], name="police_row_error_order_idx")]

    def __str__(self) -> str:
        return f"line {self.line} {self.column}: {self.expected}"


class PoliceVictimRecord(models.Model):
    """One victim of one crime as the police last sent it, and what OneDoor did about it."""

    force_code = models.CharField(max_length=9)
    crime_reference = models.CharField(max_length=40)
    victim_reference = models.CharField(max_length=40)
    row_hash = models.CharField(max_length=64, help_text="Hash of the row's values, to see changes")
    # Few indexes, on purpose: every index costs on each of millions of inserts. Only the lookups the import
    # makes are indexed (identity, crime, the matching keys, and the not-yet-processed queue).
    first_batch = models.ForeignKey(PoliceBatch, on_delete=models.PROTECT, related_name="+", db_index=False)
    last_batch = models.ForeignKey(PoliceBatch, on_delete=models.PROTECT, related_name="+", db_index=False)
    last_seen_batch = models.ForeignKey(PoliceBatch, on_delete=models.PROTECT, related_name="+", db_index=False)
    line = models.PositiveIntegerField(default=0, help_text="Line in the last file that set it")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    recorded_at = models.DateTimeField()
    offence_group = models.ForeignKey(OffenceGroup, on_delete=models.PROTECT, db_index=False)
    offence_description = models.CharField(max_length=500, blank=True)
    flags = models.JSONField(default=list, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.ForeignKey(
        DemographicCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    ethnicity = models.ForeignKey(
        DemographicCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    postcode = models.CharField(max_length=8, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=10, blank=True)
    consent_to_share = models.BooleanField()
    contact_permitted = models.CharField(max_length=1, blank=True)
    safe_to_text = models.CharField(max_length=1, blank=True)
    safe_to_email = models.CharField(max_length=1, blank=True)
    # Optional column (format v1, added later): Y marks a risk to life or immediate danger.
    risk_to_life = models.CharField(max_length=1, blank=True)
    officer_email = models.EmailField(blank=True)
    # Set when the data lifecycle (onedoor.privacy) removed the personal fields, keeping the counted ones.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # Keyed hashes for matching the same person or contact across crimes (indexed below, where not blank).
    person_key = models.CharField(max_length=64, blank=True)
    phone_key = models.CharField(max_length=64, blank=True)
    email_key = models.CharField(max_length=64, blank=True)

    # What OneDoor did. `processed_at` is empty until the row has been routed and offered support.
    processed_at = models.DateTimeField(null=True, blank=True)
    repeat = models.BooleanField(default=False)
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=200, blank=True)
    phone_invalid = models.BooleanField(default=False)
    email_invalid = models.BooleanField(default=False)
    routing_reason = models.TextField(blank=True)
    routing_gap = models.BooleanField(default=False)
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="police_record"
    )
    offer = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="police_record"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["force_code", "crime_reference", "victim_reference"], name="police_victim_unique"
            ),
            models.CheckConstraint(
                condition=Q(contact_permitted__in=["Y", "N", ""])
                & Q(safe_to_text__in=["Y", "N", ""])
                & Q(safe_to_email__in=["Y", "N", ""]),
                name="police_yes_no_valid",
            ),
            models.CheckConstraint(condition=Q(risk_to_life__in=["Y", "N", ""]), name="police_risk_to_life_valid"),
        ]
        # Each index is written for each of millions of rows, and again when the row's outcome is
        # recorded. Look-ups by crime use the unique index's (force_code, crime_reference) prefix. The
        # matching keys are indexed with the crime's time (the repeat check's window), and only where
        # present: most people in a file have no phone number, so a full index would mostly hold blanks.
        indexes = [
            models.Index(fields=["id"], condition=Q(processed_at__isnull=True), name="police_unprocessed_idx"),
            models.Index(fields=["person_key", "recorded_at"], condition=~Q(person_key=""), name="police_person_idx"),
            models.Index(fields=["phone_key", "recorded_at"], condition=~Q(phone_key=""), name="police_phone_idx"),
            models.Index(fields=["email_key", "recorded_at"], condition=~Q(email_key=""), name="police_email_idx"),
            # The commissioner's rollups (ADR 0020): a day's records, and the records changed since the last
            # refresh. Both stamps only grow, so each insert lands at the right-hand edge of its index.
            models.Index(fields=["created_at"], name="police_created_idx"),
            models.Index(fields=["updated_at"], name="police_updated_idx"),
            # The data officer's review list (ADR 0032): only the flagged records, in id order. A record
            # leaves it when its review is resolved, so the list and its index hold open work only.
            models.Index(fields=["id"], condition=Q(needs_review=True), name="police_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.force_code}/{self.crime_reference}/{self.victim_reference}"


class OutcomeKind(models.TextChoices):
    """What the import did with one victim record, as counted in a batch's outcome ledger. The first
    group says whether a referral was made (one per record); the offer group says whether a support offer
    went (one per record); a withheld offer also counts once under each safety rule that stopped it."""

    REFERRED = "referred", "Referred to a service"
    ALREADY_REFERRED = "already_referred", "Already referred by an earlier file"
    SIGNPOSTED = "signposted", "Signposted to a service commissioned elsewhere"
    OFFER_ONLY = "offer_only", "Support offer only: no service takes this offence from the police file"
    NO_CONSENT = "no_consent", "Not referred: no consent to share"
    GAP = "gap", "Not referred: no service fits (a gap in service)"
    RESTRICTED = "restricted", "Not referred: processing restricted at the person's request"
    OFFERED = "offered", "Support offer sent"
    WITHHELD = "withheld", "Support offer held back"
    WITHHELD_REASON = "withheld_reason", "Support offer held back, by safety rule"
    NEEDS_REVIEW = "needs_review", "Needs review by the police data officer"


class PoliceBatchOutcome(models.Model):
    """One count in a batch's outcome ledger, added to in the same transaction as each process chunk's
    writes, so the batch page is right while the batch runs and stays right when a later file changes a
    record (the record moves on; what this batch did does not). `reason` is the safety rule's code for
    `withheld_reason` and empty otherwise."""

    batch = models.ForeignKey(PoliceBatch, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    reason = models.CharField(max_length=60, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["batch", "kind", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind", "reason"], name="police_outcome_unique"),
            models.CheckConstraint(condition=Q(kind__in=OutcomeKind.values), name="police_outcome_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} {self.kind} {self.reason}: {self.count}"


class ReviewDecision(models.TextChoices):
    OFFER = "offer", "Offer support"
    NO_OFFER = "no_offer", "Do not offer support"


class PoliceRecordReview(models.Model):
    """The police data officer's decision on a record the import flagged for review. A record can be
    flagged again by a later file, so it can have more than one."""

    record = models.ForeignKey(PoliceVictimRecord, on_delete=models.CASCADE, related_name="reviews")
    flagged_because = models.CharField(max_length=200, help_text="The record's review reason when it was decided")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    note = models.TextField(max_length=1000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    offer = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["record", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values), name="police_review_decision_valid"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="police_review_has_note"),
        ]

    def __str__(self) -> str:
        return f"review of record {self.record_id}: {self.decision}"
