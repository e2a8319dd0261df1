"""Rollup bookkeeping. The rollup tables themselves are counts by day and category, never a person."""

from __future__ import annotations

from django.db import models


class RollupState(models.Model):
    """How far each rollup has been brought up to date: facts changed after `refreshed_to` are not in it yet."""

    name = models.CharField(max_length=60, unique=True)
    refreshed_to = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_days = models.PositiveIntegerField(default=0, help_text="Days rebuilt by the last run")

    def __str__(self) -> str:
        return f"{self.name} to {self.refreshed_to}"


from onedoor.insights.context import models as context_models  # noqa: E402,F401  (issue 13's models)
