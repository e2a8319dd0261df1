"""The facts-b rollup: kept current by touched days only, unchanged when old rows are deleted, free of
anything personal; and every measure it backs is registered whole and computes in one query."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from onedoor.accounts.models import User
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import TOTAL
from onedoor.insights.models import FactDay, RollupState
from onedoor.insights.periods import month
from onedoor.insights.query import computable
from onedoor.insights.registry import MEASURES, Group
from onedoor.insights.rollups import rollups_refresh
from onedoor.insights.rollups_b.common import age_band_sql
from onedoor.insights.rollups_b.spine import month_ends
from onedoor.insights.tables import Unit
from onedoor.referrals.models import Referral
from onedoor.referrals.services import age_band
from tests.insights.facts_b import at, count, cube
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

GROUPS = (Group.TIMELINESS, Group.OUTCOMES, Group.EQUITY, Group.DATA_QUALITY, Group.COMPLIANCE)
OURS = [m for m in MEASURES.values() if m.group in GROUPS]


def test_the_age_bands_in_sql_are_the_routing_bands(referrer: User) -> None:
    referral = make_referral(referrer=referrer)
    one = Referral.objects.filter(pk=referral.pk)
    for age in [None, *range(0, 121)]:
        one.update(age_at_referral=age)  # only to read the expression back: the rollups never write referrals
        assert one.annotate(band=age_band_sql()).values_list("band", flat=True).get() == age_band(age), age


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 800))
def test_month_ends_are_each_month_once(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    ends = sorted(month_ends(first, last))
    assert all((end + timedelta(days=1)).day == 1 for end in ends)
    assert all(first.replace(day=1) <= end <= last for end in ends)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert len(ends) == months - (0 if (last + timedelta(days=1)).day == 1 else 1)


def test_a_refresh_rebuilds_only_the_days_that_changed(referrer: User) -> None:
    with time_machine.travel(at(2025, 11, 3), tick=False):
        first = make_referral(referrer=referrer, first_name="One")
        make_referral(referrer=referrer, first_name="Two")
    # The refresh runs after SETTLE has passed (rollups_refresh looks that far behind its watermark, for
    # transactions still committing), so the next one does not rebuild 3 November again.
    with time_machine.travel(at(2025, 11, 3, 13), tick=False):
        assert rollups_refresh()["b_received"] == 1
    with time_machine.travel(at(2025, 11, 4), tick=False):
        make_referral(referrer=referrer, first_name="Three")
    with time_machine.travel(at(2025, 11, 4, 13), tick=False):
        done = rollups_refresh()
    assert done["b_received"] == 1  # 4 November only
    assert RollupState.objects.get(name="b_received").last_days == 1
    november = month(2025, 11)
    assert count("equity.referred", november) == 3
    # Run again with nothing new: nothing rebuilt, nothing counted twice.
    with time_machine.travel(at(2025, 11, 4, 14), tick=False):
        assert rollups_refresh()["b_received"] == 0
    assert count("equity.referred", november) == 3
    # Retention deletes an old referral: the day's figures stay as published.
    Referral.objects.filter(pk=first.pk).delete()
    with time_machine.travel(at(2025, 11, 5), tick=False):
        rollups_refresh()
    assert count("equity.referred", november) == 3
    assert count("data_quality.recorded_sex", november) == 0


def test_the_rollup_holds_no_person() -> None:
    fields = {f.name for f in FactDay._meta.get_fields()}
    assert fields == {"id", "rollup", "fact", "day", "service", "district", "offence_group", "source", "age_band"} | {
        "detail",
        "n",
    }


def test_every_measure_is_registered_whole() -> None:
    assert len(OURS) >= 80
    for m in OURS:
        assert m.definition and m.numerator, m.id
        if m.unit is Unit.COUNT:
            assert m.id in computable(), m.id
        if m.unit is Unit.PERCENT:
            top, bottom = MEASURES[m.numerator_id], MEASURES[m.denominator_id]
            assert {top.unit, bottom.unit} == {Unit.COUNT}, m.id
            assert set(m.dimensions) <= set(top.dimensions) & set(bottom.dimensions), m.id
        if m.unit is Unit.WORKING_DAYS:
            assert m.histogram == dims.WORKING_DAYS and m.histogram in MEASURES[m.numerator_id].dimensions, m.id
        if m.group is Group.COMPLIANCE:
            assert m.code_paragraph.startswith("Right 4"), m.id
    assert MEASURES["compliance.referred_within_time"].code_paragraph == "Right 4, paragraph 4.5"
    assert MEASURES["timeliness.overdue"].snapshot


def test_every_count_computes_in_one_query_by_each_of_its_dimensions(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    period = month(2025, 11)
    for m in OURS:
        if m.unit is not Unit.COUNT:
            continue
        with django_assert_num_queries(1):
            assert cube(m.id, period)[TOTAL] == 0
        for d in m.dimensions:
            # One query for the counts, and one for the categories of a dimension from reference data.
            with django_assert_num_queries(
                1 if d in (dims.AGE_BAND, dims.SOURCE, dims.SATISFACTION, dims.WORKING_DAYS) else 2
            ):
                assert cube(m.id, period, by=(d,)).total == 0
