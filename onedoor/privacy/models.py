"""The personal data lifecycle: legal holds on cases, the record of people's requests under the UK GDPR
(access, rectification, erasure, restriction), and restrictions of processing. Every row is written by a
service in onedoor.privacy, with its audit row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals.models import Referral


class LegalHold(models.Model):
    """A case that retention must not touch (a claim, an inquiry, a court order), set by a team lead."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(lifted_at__isnull=True), name="one_active_legal_hold_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"legal hold {self.pk} on {self.referral}"


class RequestKind(models.TextChoices):
    ACCESS = "access", "Subject access (Article 15)"
    RECTIFICATION = "rectification", "Rectification (Article 16)"
    ERASURE = "erasure", "Erasure (Article 17)"
    RESTRICTION = "restriction", "Restriction (Article 18)"


class RequestOutcome(models.TextChoices):
    DONE = "done", "Done"
    REFUSED = "refused", "Refused under an exemption"


class Exemption(models.TextChoices):
    NONE = "", "None"
    SAFEGUARDING = "safeguarding", "A safeguarding record, kept to protect a child or an adult at risk"
    OPEN_CASE = "open_case", "The case is still open: support is being given under it"
    LEGAL_HOLD = "legal_hold", "The case is under a legal hold (a claim, an inquiry or a court order)"
    LEGAL_OBLIGATION = "legal_obligation", "The law requires the record to be kept"


class SubjectRequest(models.Model):
    """One request a person made about their data, and what was decided. A refusal names its exemption
    and when it will be looked at again."""

    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    outcome = models.CharField(max_length=10, choices=RequestOutcome.choices)
    received_on = models.DateField()
    decided_at = models.DateTimeField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="subject_requests"
    )
    police_record = models.ForeignKey(
        PoliceVictimRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, help_text="Why, in the officer's words: no personal details")
    fields_changed = models.JSONField(default=list, blank=True, help_text="Names of the fields, never values")
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="subject_request_kind_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=RequestOutcome.values), name="subject_request_outcome_valid"
            ),
            models.CheckConstraint(condition=Q(exemption__in=Exemption.values), name="subject_request_exemption_valid"),
            models.CheckConstraint(
                condition=~Q(outcome="refused") | (~Q(exemption="") & Q(review_on__isnull=False)),
                name="refused_request_names_exemption_and_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"


class Restriction(models.Model):
    """Processing restricted (Article 18): the referral is read-only, nothing is sent, and the police
    import makes no referral and no offer for the same person (their keys are in messaging's
    RestrictedKey, under this restriction's id)."""

    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    police_record = models.ForeignKey(
        PoliceVictimRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False) | Q(police_record__isnull=False),
                name="restriction_names_a_record",
            ),
        ]

    def __str__(self) -> str:
        return f"restriction {self.pk}"
