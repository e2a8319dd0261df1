"""Casework over a referral a provider accepted: contact attempts, assessments, plans, the waiting list,
measures, joint working, onward referrals and transitions, modern slavery, closure, and practitioners'
supervision. Every row is written by a function in onedoor.casework.services, with its audit row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service
from onedoor.referrals.models import OnwardKind as OnwardKind  # moved to the spine; kept here for callers
from onedoor.referrals.models import OnwardReferral as OnwardReferral
from onedoor.referrals.models import Referral


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class ContactOutcome(models.TextChoices):
    REACHED = "reached", "Reached the person"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail left"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    UNSAFE_TO_CONTINUE = "unsafe_to_continue", "Unsafe to continue"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contact_attempts")
    at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        # "My cases" shows each case's last contact: the latest row per referral, by index.
        indexes = [models.Index(fields=["referral", "at"], name="contact_referral_at_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ContactChannel.values), name="contact_channel_valid"),
            models.CheckConstraint(condition=Q(outcome__in=ContactOutcome.values), name="contact_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.referral} {self.channel} {self.outcome}"


class Level(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SafeguardingAgency(models.TextChoices):
    NONE = "", "Not referred"
    MASH = "mash", "Multi-Agency Safeguarding Hub (MASH)"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"


class Assessment(models.Model):
    """One needs and risk assessment. A re-assessment is a new row: the history is kept."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assessments")
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    risk_to_self = models.CharField(max_length=10, choices=Level.choices)
    risk_from_others = models.CharField(max_length=10, choices=Level.choices)
    risk_to_others = models.CharField(max_length=10, choices=Level.choices)
    safeguarding_concern = models.BooleanField(default=False)
    safeguarding_referred_to = models.CharField(max_length=30, choices=SafeguardingAgency.choices, blank=True)
    enhanced_rights = models.BooleanField()
    enhanced_rights_suggested = models.BooleanField(help_text="What OneDoor worked out from the referral")
    enhanced_rights_basis = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_to_self__in=Level.values)
                & Q(risk_from_others__in=Level.values)
                & Q(risk_to_others__in=Level.values),
                name="assessment_risk_levels_valid",
            ),
            models.CheckConstraint(
                condition=Q(safeguarding_referred_to__in=SafeguardingAgency.values),
                name="assessment_safeguarding_agency_valid",
            ),
            models.CheckConstraint(
                condition=Q(safeguarding_concern=True) | Q(safeguarding_referred_to=""),
                name="assessment_referral_needs_concern",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.referral} at {self.assessed_at:%Y-%m-%d}"


class NeedRating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    need = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["need__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "need"], name="one_rating_per_need"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="need_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.need}: {self.level}"


class Intervention(models.TextChoices):
    EMOTIONAL_SUPPORT = "emotional_support", "Emotional support"
    PRACTICAL_HELP = "practical_help", "Practical help"
    ADVOCACY = "advocacy", "Advocacy"
    ISVA = "isva", "ISVA or ChISVA"
    COUNSELLING = "counselling", "Counselling"
    GROUP_WORK = "group_work", "Group work"
    CREATIVE_THERAPY = "creative_therapy", "Creative therapy"
    RESTORATIVE_JUSTICE = "restorative_justice", "Restorative justice"
    PEER_SUPPORT = "peer_support", "Peer support (step-down)"


class SupportPlan(models.Model):
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="support_plan")
    headline = models.CharField(max_length=300, help_text="One line, shared with joint-working partners")
    review_on = models.DateField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Plan for {self.referral}"


class GoalStatus(models.TextChoices):
    OPEN = "open", "In progress"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "Stopped"


class Goal(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals")
    need = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    intervention = models.CharField(max_length=30, choices=Intervention.choices)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(intervention__in=Intervention.values), name="goal_intervention_valid"),
            models.CheckConstraint(condition=Q(status__in=GoalStatus.values), name="goal_status_valid"),
        ]

    def __str__(self) -> str:
        return self.description


class ProgressNote(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress_notes")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=1000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.goal_id}"


class WaitingListEntry(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="waiting_entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="waiting_entries")
    added_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    check_in_every_days = models.PositiveSmallIntegerField(default=14)
    interim_support = models.CharField(max_length=500, blank=True)
    position_message_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Asked to tell the person their position; sent by the messaging backend"
    )

    class Meta:
        verbose_name_plural = "waiting list entries"
        ordering = ["added_at", "id"]
        indexes = [
            # The waiting list: a service's people waiting now, longest first (ADR 0034) ...
            models.Index(
                fields=["service", "added_at", "id"], condition=Q(left_at__isnull=True), name="waiting_open_idx"
            ),
            # ... and how many left it lately, for the estimated wait.
            models.Index(fields=["service", "left_at"], condition=Q(left_at__isnull=False), name="waiting_left_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(left_at__isnull=True), name="one_open_waiting_entry"
            ),
            models.CheckConstraint(condition=Q(check_in_every_days__gte=1), name="check_in_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.referral} waiting for {self.service}"


class WelfareCheckIn(models.Model):
    entry = models.ForeignKey(WaitingListEntry, on_delete=models.CASCADE, related_name="check_ins")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Check-in due {self.due_on}"


class Measure(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    CORE10 = "core10", "CORE-10"


class MeasureStage(models.TextChoices):
    START = "start", "Start of support"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"


class MeasureRecord(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="measures")
    measure = models.CharField(max_length=10, choices=Measure.choices)
    stage = models.CharField(max_length=10, choices=MeasureStage.choices)
    administered_on = models.DateField()
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=60)
    risk_items = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["administered_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(measure__in=Measure.values), name="measure_valid"),
            models.CheckConstraint(condition=Q(stage__in=MeasureStage.values), name="measure_stage_valid"),
            models.CheckConstraint(condition=Q(total__lte=40), name="measure_total_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.total}"


class AlertKind(models.TextChoices):
    MEASURE_RISK = "measure_risk", "A risk item was answered on a measure"
    CONSENT_WITHDRAWN = "consent_withdrawn", "The person withdrew consent"


class CaseAlert(models.Model):
    """An in-app task for the team lead of the organisation that holds the case."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="alerts")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    measure_record = models.ForeignKey(MeasureRecord, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid")]
        indexes = [
            # The alerts page: an organisation's open alerts, newest first, paged by (created_at, id) (ADR 0034).
            models.Index(
                fields=["organisation", "-created_at", "-id"],
                condition=Q(acknowledged_at__isnull=True),
                name="alert_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.referral}"


class JointWorking(models.Model):
    """Another service supports the person too. It sees the shared summary only while consent is recorded
    and the joint working has not ended."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="joint_working")
    partner_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="joint_cases")
    consent_to_share = models.BooleanField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "partner_service"], condition=Q(ended_at__isnull=True), name="one_open_joint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral} with {self.partner_service}"


class SlaveryPath(models.TextChoices):
    NRM = "nrm", "National Referral Mechanism (NRM) referral"
    MS1 = "ms1", "Anonymous duty-to-notify (MS1)"


class GroundsDecision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class ModernSlaveryReferral(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="slavery_referrals")
    path = models.CharField(max_length=5, choices=SlaveryPath.choices)
    is_child = models.BooleanField()
    consent = models.BooleanField(null=True, help_text="Not asked for a child")
    first_responder = models.CharField(max_length=200)
    submitted_on = models.DateField()
    reasonable_grounds = models.CharField(max_length=10, choices=GroundsDecision.choices, default="pending")
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=GroundsDecision.choices, default="pending")
    conclusive_grounds_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(path__in=SlaveryPath.values), name="slavery_path_valid"),
            # A child always goes into the NRM and is never asked for consent.
            models.CheckConstraint(
                condition=Q(is_child=False) | (Q(path="nrm") & Q(consent__isnull=True)), name="slavery_child_nrm"
            ),
            # An adult goes into the NRM only with consent; otherwise the anonymous MS1.
            models.CheckConstraint(
                condition=Q(is_child=True) | (Q(path="nrm") & Q(consent=True)) | (Q(path="ms1") & Q(consent=False)),
                name="slavery_adult_consent_path",
            ),
            models.CheckConstraint(
                condition=Q(reasonable_grounds__in=GroundsDecision.values)
                & Q(conclusive_grounds__in=GroundsDecision.values),
                name="slavery_decisions_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} for {self.referral}"


class CloseReason(models.TextChoices):
    SUPPORT_COMPLETED = "support_completed", "Support completed"
    PERSON_ENDED = "person_ended", "The person ended support"
    MOVED_ON = "moved_on", "Referred on to another service"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    OTHER = "other", "Other"


class Coped(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_ASKED = "not_asked", "Not asked"


class ClosureOutcome(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="closures")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=30, choices=CloseReason.choices)
    better_able_to_cope = models.CharField(max_length=10, choices=Coped.choices)
    needs_improved = models.ManyToManyField(NeedCategory, blank=True, related_name="+")
    final_scores = models.JSONField(default=dict, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["closed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=CloseReason.values), name="close_reason_valid"),
            models.CheckConstraint(condition=Q(better_able_to_cope__in=Coped.values), name="coped_valid"),
        ]
        # The commissioner's rollups (onedoor.insights) read the closures of a day by this.
        indexes = [models.Index(fields=["closed_at"], name="closure_closed_at_idx")]

    def __str__(self) -> str:
        return f"Closure of {self.referral}"


class SessionKind(models.TextChoices):
    SUPERVISION = "supervision", "Clinical supervision"
    CPD = "cpd", "Continuing professional development (CPD)"


class PractitionerSession(models.Model):
    """Clinical supervision and CPD: date and type only, never content."""

    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"
