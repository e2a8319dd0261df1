"""Disproportionality ratios and their 95% intervals, on constructed numbers, and the equity table built from
referrals against a comparator: "not recorded" left out of the ratio and shown beside it."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.accounts.models import User
from onedoor.core.models import DemographicCategory
from onedoor.insights.context import evidence
from onedoor.insights.context.equity import Direction, disproportionality
from onedoor.insights.periods import month
from onedoor.insights.query import Filters
from onedoor.referrals.models import Referral
from tests.insights.context.helpers import load_context
from tests.referrals.factories import make_referral


def test_a_ratio_and_its_interval_on_known_numbers() -> None:
    # 30 of 100 referred are in the group, against 1,000 of 10,000 residents: three times their share.
    r = disproportionality(in_group=30, recorded=100, population_in_group=1000, population=10000)
    assert r is not None
    spread = 1.959963984540054 * math.sqrt(1 / 30 - 1 / 100 + 1 / 1000 - 1 / 10000)
    assert r.value == pytest.approx(3.0)
    assert (r.low, r.high) == (pytest.approx(3 * math.exp(-spread)), pytest.approx(3 * math.exp(spread)))
    assert (round(r.low, 3), round(r.high, 3)) == (2.211, 4.07)
    assert r.direction is Direction.HIGHER and r.flagged


def test_an_interval_that_includes_one_is_not_flagged_and_a_low_share_is() -> None:
    even = disproportionality(in_group=11, recorded=100, population_in_group=1000, population=10000)
    assert even is not None and even.direction is Direction.NO_CLEAR_DIFFERENCE and not even.flagged
    low = disproportionality(in_group=20, recorded=1000, population_in_group=1000, population=10000)
    assert low is not None and low.value == pytest.approx(0.2) and low.direction is Direction.LOWER
    assert disproportionality(in_group=0, recorded=10, population_in_group=5, population=50) is None
    with pytest.raises(ValueError, match="larger than its whole"):
        disproportionality(in_group=11, recorded=10, population_in_group=5, population=50)


@given(
    a=st.integers(1, 500),
    extra=st.integers(0, 5000),
    c=st.integers(1, 50_000),
    extra_pop=st.integers(0, 500_000),
)
def test_the_interval_holds_the_ratio_and_the_flag_means_it_excludes_one(
    a: int, extra: int, c: int, extra_pop: int
) -> None:
    r = disproportionality(in_group=a, recorded=a + extra, population_in_group=c, population=c + extra_pop)
    assert r is not None
    assert r.low <= r.value * (1 + 1e-9) and r.value <= r.high * (1 + 1e-9)
    assert r.flagged == (r.low > 1 or r.high < 1)


@pytest.mark.django_db
def test_the_equity_table_leaves_not_recorded_out_of_the_ratio(referrer: User) -> None:
    load_context()
    white = DemographicCategory.objects.get(
        characteristic="ethnicity", code="white-english-welsh-scottish-northern-irish-or-british"
    )
    indian = DemographicCategory.objects.get(characteristic="ethnicity", code="asian-or-asian-british-indian")
    for i in range(20):
        make_referral(referrer=referrer, demographics={"ethnicity": white}, first_name=f"W{i}")
    for i in range(10):
        make_referral(referrer=referrer, demographics={"ethnicity": indian}, first_name=f"A{i}")
    for i in range(6):
        make_referral(referrer=referrer, first_name=f"N{i}")  # ethnicity not recorded
    day = Referral.objects.first().received_on  # type: ignore[union-attr]
    period = month(day.year, day.month)
    page = evidence.page_for(period=period, filters=Filters(), specs=evidence.equity_specs())
    table = next(t for t in evidence.equity_tables(page) if t.key == "equity-ethnicity")
    # Census 2011 for the area: Asian or Asian British 25,096 of 545,474 residents.
    asian = {c.key: table.figure("asian-or-asian-british", c.key).text for c in table.columns}
    expected = disproportionality(in_group=10, recorded=30, population_in_group=25096, population=545474)
    assert expected is not None
    assert asian["population"] == "25,096"
    assert asian["context.referred"] == "10"
    assert asian["context.referred:share"] == "33.3%"  # of the 30 with an ethnicity recorded, not of 36
    assert asian["context.referred:ratio"] == f"{expected.value:.2f}"
    assert asian["context.referred:low"] == f"{expected.low:.2f}"
    assert asian["context.referred:flag"] == "Higher than the population"
    assert table.figure("not-recorded", "context.referred").text == "6"
    assert table.figure("not-recorded", "context.referred:share").text == "16.7%"
    assert table.figure("not-recorded", "context.referred:ratio").text == "[x]"
    # Nobody engaged yet: counts of 0, no ratio.
    assert asian["context.engaged"] == "0" and asian["context.engaged:ratio"] == "[x]"
    assert any("Census 2011, table KS201EW" in n for n in table.notes)


@pytest.mark.django_db
def test_a_small_group_withholds_its_ratio(referrer: User, make_user: Callable[..., User]) -> None:
    load_context()
    white = DemographicCategory.objects.get(characteristic="ethnicity", code="white-irish")
    black = DemographicCategory.objects.get(characteristic="ethnicity", code="black-african")
    for i in range(8):
        make_referral(referrer=referrer, demographics={"ethnicity": white}, first_name=f"W{i}")
    make_referral(referrer=referrer, demographics={"ethnicity": black}, first_name="B")
    day = Referral.objects.first().received_on  # type: ignore[union-attr]
    page = evidence.page_for(period=month(day.year, day.month), filters=Filters(), specs=evidence.equity_specs())
    table = next(t for t in evidence.equity_tables(page) if t.key == "equity-ethnicity")
    row = "black-black-british-caribbean-or-african"
    assert [
        table.figure(row, k).text
        for k in ("context.referred", "context.referred:share", "context.referred:ratio", "context.referred:flag")
    ] == ["[c]"] * 4
