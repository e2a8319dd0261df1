"""The rollup behind the Timeliness, Outcomes, Equity, Data quality and Victims' Code compliance measures.

One table of counts: each row says how many of one fact (a referral received, a first contact after so many
working days, a closure at which the person said they coped better, ...) fell on one day, for one service,
district, offence group, route in and age band, and one category of the fact's own (a demographic category,
a need, a number of working days, an answer). There is no referral, no person and no free text in it: only
codes and counts. `onedoor.insights.rollups_b` writes it; the measures in `onedoor.insights.measures` read it.
"""

from __future__ import annotations

from django.db import models

from onedoor.core.models import District, OffenceGroup
from onedoor.directory.models import Service


class OutcomeFact(models.Model):
    # What is counted: one of the codes in `onedoor.insights.rollups_b.facts`.
    fact = models.CharField(max_length=40)
    # The day the fact belongs to (received, first contacted, closed, left the waiting list; for a snapshot,
    # the last day of the month it is "as at").
    day = models.DateField()
    # No database constraint: a rollup row outlives a service, district or offence group renamed or removed,
    # and never stops one being removed. A missing one reads as "not recorded".
    service = models.ForeignKey(Service, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    district = models.ForeignKey(
        District, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    offence_group = models.ForeignKey(
        OffenceGroup, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    source = models.CharField(max_length=20, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=80, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["fact", "day"], name="insights_outcome_fact_day")]
        constraints = [models.CheckConstraint(condition=models.Q(n__gt=0), name="insights_outcome_fact_counts")]

    def __str__(self) -> str:
        return f"{self.fact} {self.day}: {self.n}"
