"""Equity and data quality with exact figures, and how every facts-b measure honours the page's filters,
a provider's scope, and breakdowns it cannot give."""

from __future__ import annotations

import pytest
import time_machine

from onedoor.accounts.models import User
from onedoor.core.models import DemographicCategory
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, key
from onedoor.insights.periods import month
from onedoor.insights.query import Filters, Scope
from onedoor.insights.rollups_b.read import BreakdownError
from tests.insights.facts_b import at, count, cube, percent, refresh
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

OCTOBER = month(2025, 10)


def _category(characteristic: str, code: str) -> DemographicCategory:
    return DemographicCategory.objects.get(characteristic=characteristic, code=code)


@pytest.fixture
def referred(referrer: User) -> None:
    with time_machine.travel(at(2025, 10, 6), tick=False):
        make_referral(
            referrer=referrer,
            first_name="One",
            postcode="CV34 4RL",
            demographics={
                "sex": _category("sex", "female"),
                "ethnicity": _category("ethnicity", "prefer-not-to-say"),
            },
        )
        make_referral(
            referrer=referrer, first_name="Two", age=70, district=None, demographics={"sex": _category("sex", "male")}
        )
        make_referral(
            referrer=referrer, first_name="Three", age=None, demographics={"sex": _category("sex", "prefer-not-to-say")}
        )
        make_referral(
            referrer=None,
            source="self",
            first_name="Four",
            phone="",
            safe_to_call=False,
            safe_to_text=False,
            email="four@example.org",
            safe_to_email=True,
            phone_is_own=False,
        )
        make_referral(referrer=referrer, first_name="Five", offence="rape")
    refresh()


@pytest.mark.usefixtures("referred")
def test_the_distribution_of_each_characteristic_keeps_not_recorded_and_prefer_not_to_say_apart() -> None:
    by_sex = cube("equity.referred", OCTOBER, by=(dims.SEX,))
    assert {c.code: by_sex.get(sex=c.code) for c in by_sex.categories[dims.SEX]} == {
        "female": 1,
        "male": 1,
        "prefer-not-to-say": 1,
        "not-recorded": 2,
    }
    by_ethnicity = cube("equity.referred", OCTOBER, by=(dims.ETHNICITY,))
    assert by_ethnicity.get(ethnicity="prefer-not-to-say") == 1
    assert by_ethnicity.get(ethnicity=NOT_RECORDED) == 4
    assert by_ethnicity.total == 5
    by_age = cube("equity.referred", OCTOBER, by=(dims.AGE_BAND,))
    assert (by_age.get(age_band="25-to-34"), by_age.get(age_band="65-and-over"), by_age.get(age_band=NOT_RECORDED)) == (
        3,
        1,
        1,
    )
    # With a characteristic and age band together, and the page's district filter on "not recorded".
    both = cube("equity.referred", OCTOBER, by=(dims.SEX, dims.AGE_BAND))
    assert both.get(sex="male", age_band="65-and-over") == 1
    no_district = cube("equity.referred", OCTOBER, by=(dims.SEX,), filters=Filters(district=NOT_RECORDED))
    assert (no_district.total, no_district.get(sex="male")) == (1, 1)


@pytest.mark.usefixtures("referred")
def test_percent_recorded_for_every_field_by_route_in() -> None:
    assert count("data_quality.referrals", OCTOBER) == 5
    # Sex: female, male and "prefer not to say" are recorded; two were never asked.
    assert percent("data_quality.recorded_sex_pct", OCTOBER) == 60.0
    assert percent("data_quality.recorded_ethnicity_pct", OCTOBER) == 20.0
    assert percent("data_quality.recorded_district_pct", OCTOBER) == 80.0
    assert percent("data_quality.recorded_age_pct", OCTOBER) == 80.0
    assert percent("data_quality.recorded_postcode_pct", OCTOBER) == 20.0
    assert percent("data_quality.recorded_contact_pct", OCTOBER) == 100.0
    by_source = {"by": (dims.SOURCE,)}
    assert percent("data_quality.recorded_sex_pct", OCTOBER, key(source="professional"), **by_source) == 75.0
    assert percent("data_quality.recorded_sex_pct", OCTOBER, key(source="self"), **by_source) == 0.0
    assert percent("data_quality.recorded_sex_pct", OCTOBER, key(source="police-transfer"), **by_source) is None


@pytest.mark.usefixtures("referred")
def test_a_provider_sees_only_its_own_services() -> None:
    rosa = Service.objects.get(slug="rosa")
    victim_support = Service.objects.get(slug="victim-support")
    assert cube("equity.referred", OCTOBER, scope=Scope(services=frozenset({rosa.pk}), label="RoSA")).total == 1
    mine = cube("equity.referred", OCTOBER, by=(dims.SERVICE,), scope=Scope(services=frozenset({victim_support.pk})))
    assert (mine.total, mine.get(service="victim-support"), mine.get(service="rosa")) == (4, 4, 0)
    assert count("equity.referred", OCTOBER, filters=Filters(offence_group="rape")) == 1
    assert count("equity.referred", OCTOBER, filters=Filters(age_band="65-and-over")) == 1


def test_a_breakdown_a_measure_does_not_have_says_so() -> None:
    with pytest.raises(BreakdownError, match="one of sex and ethnicity at a time"):
        cube("equity.referred", OCTOBER, by=(dims.SEX, dims.ETHNICITY))
    with pytest.raises(BreakdownError, match="Feedback received cannot be broken down by district"):
        cube("outcomes.feedback", OCTOBER, by=(dims.DISTRICT,))
