"""Rollup bookkeeping. The rollup tables themselves are counts by day and category, never a person."""

from __future__ import annotations

from django.db import models

from onedoor.insights.context import models as context_models  # noqa: F401  (issue 13's models)
from onedoor.insights.models_commentary import Commentary as Commentary  # the versioned commentary


class RollupState(models.Model):
    """How far each rollup has been brought up to date: facts changed after `refreshed_to` are not in it yet."""

    name = models.CharField(max_length=60, unique=True)
    refreshed_to = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_days = models.PositiveIntegerField(default=0, help_text="Days rebuilt by the last run")

    def __str__(self) -> str:
        return f"{self.name} to {self.refreshed_to}"


# -- the fact tables (ADR 0020) ----------------------------------------------------------------------------
# A fact is a count of things that happened on a day (referrals received, referrals accepted, police victims
# offered support, ...), broken down by the categories every measure shares. Category columns hold the codes
# the pages use (service slug, district GSS code, offence group slug, route in, age band) and a `detail` code
# for a breakdown of the fact's own (a decline reason, a destination); "not-recorded" where nothing was
# recorded. Nothing here is about a person: no id, no name, no reference, only counts.

# The category columns, in order; `detail` is the fact's own breakdown ("" when it has none).
FACT_COLUMNS = ("service", "district", "offence_group", "source", "age_band", "detail")
# A column a month row is not broken down by (a margin).
ALL = "*"


class FactDay(models.Model):
    """One day's count of one fact for one combination of categories. Rebuilt a day at a time."""

    rollup = models.CharField(max_length=30)
    fact = models.CharField(max_length=40)
    day = models.DateField()
    service = models.CharField(max_length=100)
    district = models.CharField(max_length=20)
    offence_group = models.CharField(max_length=100)
    source = models.CharField(max_length=20)
    age_band = models.CharField(max_length=20)
    detail = models.CharField(max_length=100, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["fact", "day"], name="insights_factday_fact_idx"),
            models.Index(fields=["rollup", "day"], name="insights_factday_rollup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fact} on {self.day}: {self.n}"


class FactMonth(models.Model):
    """A month's counts of one fact by at most two category columns (`grouping` names them, "+"-joined; ""
    for the month's total); the other columns hold ALL. Kept equal to the sum of the month's FactDay rows
    by adding each rebuilt day's difference, so that a year's figure by district reads twelve small slices
    instead of every day's full breakdown."""

    fact = models.CharField(max_length=40)
    grouping = models.CharField(max_length=40)
    month = models.DateField(help_text="The first day of the month")
    service = models.CharField(max_length=100)
    district = models.CharField(max_length=20)
    offence_group = models.CharField(max_length=100)
    source = models.CharField(max_length=20)
    age_band = models.CharField(max_length=20)
    detail = models.CharField(max_length=100, blank=True)
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fact", "grouping", "month", *FACT_COLUMNS], name="insights_factmonth_unique"
            )
        ]
        # A subtraction can leave a slice at 0 for a moment; finding those must not read every slice.
        indexes = [models.Index(fields=["month"], condition=models.Q(n=0), name="insights_factmonth_emptied")]

    def __str__(self) -> str:
        return f"{self.fact} in {self.month:%Y-%m} by {self.grouping or 'total'}: {self.n}"
