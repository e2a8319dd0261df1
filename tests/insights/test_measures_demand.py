"""Demand measures, with exact figures on referrals and routing outcomes made through the services."""

from __future__ import annotations

from datetime import date

import pytest

from onedoor.accounts.models import User
from onedoor.core.models import District
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, key
from onedoor.insights.figures import rate_figure
from onedoor.insights.periods import quarter
from onedoor.insights.query import Filters, Query, Scope, compute
from onedoor.insights.registry import MEASURES
from onedoor.referrals.services import referral_create
from tests.insights.facts_a import APRIL, Clock, clock_fixture, counts, row  # noqa: F401  (a fixture)
from tests.insights.helpers import as_is
from tests.referrals.factories import details, make_referral

pytestmark = pytest.mark.django_db

WARWICK = "E07000222"
NUNEATON = "E07000219"


@pytest.fixture
def april(referrer: User, clock: Clock) -> None:
    """April 2026: four Victim Support burglaries (one with no district, one aged 70), one ROSA rape in
    Nuneaton; one more burglary on 1 May; two signpostings and a gap in April."""
    clock.on(date(2026, 4, 1))
    make_referral(referrer=referrer)
    make_referral(referrer=referrer)
    clock.on(date(2026, 4, 30), hour=23)  # 23:00 BST on 30 April is still April locally
    make_referral(referrer=referrer, age=70)
    make_referral(referrer=referrer, district=None)
    make_referral(referrer=referrer, offence="rape", age=30, district=District.objects.get(gss_code=NUNEATON))
    clock.on(date(2026, 5, 1))
    make_referral(referrer=referrer)
    clock.on(date(2026, 4, 10))
    for _ in range(2):
        referral_create(
            details=details(offence="criminal-damage-arson", flag_slugs=["domestic-abuse"]),
            source="self",
            referrer=None,
        )
    gap = referral_create(
        details=details(offence=None, age=None, flag_slugs=["cj-substance-use"]),
        source="professional",
        referrer=referrer,
    )
    assert gap.signpost_record is not None and gap.signpost_record.gap


def test_received_by_every_dimension(april: None) -> None:
    cube = counts("demand.received", by=(dims.DISTRICT,))
    assert cube.total == 5
    assert row(cube, dims.DISTRICT) == {WARWICK: 3, NUNEATON: 1, NOT_RECORDED: 1}
    assert row(counts("demand.received", by=(dims.SERVICE,), refresh=False), dims.SERVICE) == {
        "victim-support": 4,
        "rosa": 1,
    }
    ages = row(counts("demand.received", by=(dims.AGE_BAND,), refresh=False), dims.AGE_BAND)
    assert ages == {"25-to-34": 4, "65-and-over": 1}
    by_source = row(counts("demand.received", by=(dims.SOURCE,), refresh=False), dims.SOURCE)
    assert by_source == {"professional": 5}
    assert counts("demand.received", quarter(2026, 1), refresh=False).total == 6


def test_a_breakdown_by_three_dimensions_reads_the_day_rows_and_agrees(april: None) -> None:
    cube = counts("demand.received", by=(dims.SERVICE, dims.DISTRICT, dims.AGE_BAND))
    assert cube.get(service="victim-support", district=WARWICK, age_band="25-to-34") == 2
    assert cube.get(service="victim-support", district=WARWICK, age_band="65-and-over") == 1
    assert cube.get(service="victim-support", district=NOT_RECORDED) == 1
    assert cube.get(district=NUNEATON) == 1
    assert cube.total == 5


def test_received_filtered_and_scoped(april: None) -> None:
    assert counts("demand.received", filters=Filters(district=NOT_RECORDED)).total == 1
    assert counts("demand.received", filters=Filters(age_band="65-and-over"), refresh=False).total == 1
    assert counts("demand.received", filters=Filters(service="rosa", district=NUNEATON), refresh=False).total == 1
    rosa = Scope(services=frozenset(Service.objects.filter(slug="rosa").values_list("pk", flat=True)), label="ROSA")
    scoped = counts("demand.received", by=(dims.DISTRICT,), scope=rosa, refresh=False)
    assert scoped.total == 1 and row(scoped, dims.DISTRICT) == {NUNEATON: 1}
    # With a filter too, three columns are involved: the day rows answer, and agree.
    assert (
        counts(
            "demand.received", by=(dims.DISTRICT,), scope=rosa, filters=Filters(age_band="25-to-34"), refresh=False
        ).total
        == 1
    )
    assert counts("demand.received", scope=Scope(services=frozenset(), label="none"), refresh=False).total == 0


def test_signposted_and_gaps_with_their_offence_age_band_and_district(april: None) -> None:
    signposted = counts("demand.signposted", by=(dims.OFFENCE_GROUP,))
    assert signposted.total == 2 and row(signposted, dims.OFFENCE_GROUP) == {"criminal-damage-arson": 2}
    assert row(counts("demand.signposted", by=(dims.SOURCE,), refresh=False), dims.SOURCE) == {"self": 2}
    gaps = counts("demand.gaps", by=(dims.AGE_BAND, dims.DISTRICT), refresh=False)
    assert gaps.total == 1
    assert gaps.get(age_band=NOT_RECORDED, district=WARWICK) == 1
    assert counts("demand.gaps", by=(dims.OFFENCE_GROUP,), refresh=False).get(offence_group=NOT_RECORDED) == 1


def test_the_rate_names_its_count_and_the_breakdowns_are_checked(april: None) -> None:
    rate = MEASURES["demand.received_rate"]
    assert rate.numerator_id == "demand.received" and rate.dimensions == (dims.DISTRICT,)
    with pytest.raises(ValueError, match="cannot be broken down by service"):
        compute("demand.signposted", Query(period=APRIL, by=(dims.SERVICE,)))


def test_the_rate_per_1000_residents_of_a_district(april: None) -> None:
    cube = counts("demand.received", by=(dims.DISTRICT,))
    shown = as_is([cube])[cube.population]  # no suppression here: the arithmetic is under test
    warwick = District.objects.get(gss_code=WARWICK)
    assert warwick.population
    figure = rate_figure(shown, key(district=WARWICK), population=warwick.population)
    assert figure.value == pytest.approx(3000 / warwick.population)
    assert rate_figure(shown, key(district=NOT_RECORDED), population=None).value is None
