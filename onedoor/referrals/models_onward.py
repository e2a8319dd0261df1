"""Onward referrals: the link from a referral to the new one made for another service (or to an external
service from the directory, with no new referral), and the young people's to adults' transitions whose
handover window lets both services see the case. Imported by onedoor.referrals.models; the table keeps
the name it was created with in the casework app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from onedoor.directory.models import Service


class OnwardKind(models.TextChoices):
    COMMISSIONED = "commissioned", "To a commissioned service, through OneDoor"
    EXTERNAL = "external", "To an external service from the directory"
    TRANSITION = "transition", "Transition from a young people's service to an adults' service"


class OnwardReferral(models.Model):
    from_referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="onward_referrals")
    to_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    to_referral = models.OneToOneField(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="onward_from"
    )
    kind = models.CharField(max_length=20, choices=OnwardKind.choices)
    outcome = models.CharField(max_length=300, blank=True, help_text="For external services, if known")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Transitions only
    handover_meeting_on = models.DateField(null=True, blank=True)
    handover_ends_on = models.DateField(null=True, blank=True, help_text="Both services see the case until then")
    transition_plan = models.CharField(max_length=1000, blank=True)

    class Meta:
        db_table = "casework_onwardreferral"  # made by casework 0001; moved without moving data
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OnwardKind.values), name="onward_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="external") | Q(to_referral__isnull=False), name="onward_internal_has_referral"
            ),
            models.CheckConstraint(
                condition=~Q(kind="transition")
                | (Q(handover_meeting_on__isnull=False) & Q(handover_ends_on__isnull=False)),
                name="transition_has_handover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_referral} → {self.to_service}"
