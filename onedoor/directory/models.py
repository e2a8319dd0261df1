"""The services that referrals go to, and the services people are signposted to."""

from __future__ import annotations

from django.db import models

from onedoor.accounts.models import Organisation


class ServiceKind(models.TextChoices):
    COMMISSIONED = "commissioned", "Commissioned service (takes referrals through OneDoor)"
    SIGNPOST = "signpost", "Signposting only (commissioned separately, or national)"


class Service(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, help_text="How staff and referrers usually say it")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    description = models.TextField(blank=True)
    remit = models.TextField(blank=True, help_text="Who the service is commissioned to support")
    what_happens_next = models.TextField(
        blank=True, help_text="Shown to referrers and the public: what happens when you get in touch"
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=200, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    first_contact_target_days = models.PositiveSmallIntegerField(
        default=5, help_text="First contact is due within this many working days of receipt"
    )
    max_contact_attempts = models.PositiveSmallIntegerField(default=3)
    contact_window_days = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    last_checked = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="commissioned") | models.Q(organisation__isnull=False),
                name="commissioned_service_has_provider",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_commissioned(self) -> bool:
        return self.kind == ServiceKind.COMMISSIONED
