"""The analyst's commentary on a quarterly return or a year's report. Every save is a new version: nothing is
overwritten, so the board can see what was said, by whom and when, and how it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Commentary(models.Model):
    period_code = models.CharField(max_length=20, help_text="The period's code: FY2026-27-Q1, FY2026-27")
    version = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_code", "version"], name="commentary_one_version_each"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="commentary_version_from_one"),
        ]
        ordering = ["period_code", "-version"]
        verbose_name_plural = "commentaries"

    def __str__(self) -> str:
        return f"{self.period_code} v{self.version}"
