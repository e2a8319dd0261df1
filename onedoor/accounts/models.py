from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from onedoor.core.roles import Role

PROVIDER_ROLES = frozenset({Role.PROVIDER_TRIAGE, Role.CASEWORKER, Role.TEAM_LEAD})
# Every role but referrer signs in with a second factor.
TWO_FACTOR_ROLES = frozenset(set(Role) - {Role.REFERRER})


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", "Support provider"
    POLICE = "police", "Police"
    COMMISSIONER = "commissioner", "Office of the Police and Crime Commissioner"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    SOCIAL_CARE = "social_care", "Social care"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    OTHER = "other", "Other"


class Organisation(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatusEmails(models.TextChoices):
    """How a referrer hears about their referrals (docs/messaging.md, "Referrer emails")."""

    MILESTONES = "milestones", "One email at each milestone: accepted or declined, support started, closed"
    DAILY = "daily", "One email a day listing the day's milestones, if there were any"


class User(AbstractUser):
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.REFERRER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    job_title = models.CharField(max_length=120, blank=True)
    status_emails = models.CharField(
        "Emails about my referrals", max_length=20, choices=StatusEmails.choices, default=StatusEmails.MILESTONES
    )
    status_digest_sent_until = models.DateTimeField(
        null=True, blank=True, help_text="The daily digest has covered milestones up to this moment."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(status_emails__in=StatusEmails.values), name="user_status_emails_valid"),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in PROVIDER_ROLES)) | Q(organisation__isnull=False),
                name="provider_staff_belong_to_an_organisation",
            ),
            # The officer answers for one organisation's records: the commissioner's office (all of them)
            # or a provider (its own).
            models.CheckConstraint(
                condition=~Q(role="data_protection_officer") | Q(organisation__isnull=False),
                name="data_protection_officer_belongs_to_an_organisation",
            ),
        ]

    @property
    def is_provider_staff(self) -> bool:
        return self.role in PROVIDER_ROLES

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()


class ApiToken(models.Model):
    """A machine client's bearer token. Only a hash is stored; the token is shown once, on creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
