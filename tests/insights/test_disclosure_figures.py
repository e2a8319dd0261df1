"""Figures derived from protected counts, with exact values: a percentage, a rate or a working-day statistic
built on a withheld count is withheld too, and a median over fewer than k waits is never shown."""

from __future__ import annotations

import pytest

from onedoor.insights.cells import TOTAL, Category, build_cube, key
from onedoor.insights.disclosure import protect
from onedoor.insights.figures import count_figure, percent_figure, rate_figure, statistic_figure
from onedoor.insights.tables import Figure, Unit

SERVICES = (Category("isva", "ISVA"), Category("victim-care", "Victim Care"), Category("not-recorded", "-"))


def _counts(population: str, counts: dict[str, int]) -> dict[tuple[str, ...], int]:
    return {(s,): n for s, n in counts.items()}


def test_a_percentage_of_withheld_counts_is_withheld() -> None:
    received = build_cube(
        population="received", categories={"service": SERVICES}, counts=_counts("r", {"isva": 3, "victim-care": 40})
    )
    engaged = build_cube(
        population="engaged", categories={"service": SERVICES}, counts=_counts("e", {"isva": 2, "victim-care": 30})
    )
    out = protect([received, engaged], k=5)
    isva, care = key(service="isva"), key(service="victim-care")
    assert percent_figure(out["engaged"], out["received"], isva) == Figure(None, Unit.PERCENT, suppressed=True)
    assert percent_figure(out["engaged"], out["received"], isva).text == "[c]"
    # Victim Care's counts are withheld as complements (3 + 40 = 43 and 2 + 30 = 32 are shown), so its
    # percentage is withheld too, though 30 of 40 is not small.
    assert out["received"].shown[care] is None and out["engaged"].shown[care] is None
    assert percent_figure(out["engaged"], out["received"], care).text == "[c]"
    assert percent_figure(out["engaged"], out["received"], TOTAL) == Figure(100 * 32 / 43, Unit.PERCENT)
    assert percent_figure(out["engaged"], out["received"], TOTAL).text == "74.4%"
    # Nothing received: not applicable, not withheld.
    nothing = key(service="not-recorded")
    assert percent_figure(out["engaged"], out["received"], nothing) == Figure(None, Unit.PERCENT)
    assert percent_figure(out["engaged"], out["received"], nothing).text == "[x]"


def test_a_percentage_is_withheld_when_only_its_denominator_is() -> None:
    received = build_cube(
        population="received", categories={"service": SERVICES}, counts=_counts("r", {"isva": 4, "victim-care": 40})
    )
    engaged = build_cube(
        population="engaged", categories={"service": SERVICES}, counts=_counts("e", {"victim-care": 30})
    )
    out = protect([received, engaged], k=5)
    isva = key(service="isva")
    assert out["engaged"].shown[isva] == 0 and out["received"].shown[isva] is None
    assert percent_figure(out["engaged"], out["received"], isva).suppressed


def test_a_rate_of_a_withheld_count_is_withheld() -> None:
    cube = build_cube(
        population="received",
        categories={"district": (Category("a", "A"), Category("b", "B"), Category("c", "C"))},
        counts={("a",): 3, ("b",): 20, ("c",): 17},
    )
    out = protect([cube], k=5)["received"]
    assert rate_figure(out, key(district="a"), population=8000) == Figure(None, Unit.RATE_PER_1000, suppressed=True)
    # 3 is primary and 17 (the smallest other) its complement; 20 of 8,000 residents is 2.5 per 1,000.
    assert out.shown[key(district="c")] is None
    assert rate_figure(out, key(district="b"), population=8000) == Figure(2.5, Unit.RATE_PER_1000)
    assert rate_figure(out, key(district="b"), population=8000).text == "2.5"
    assert rate_figure(out, key(district="b"), population=None).text == "[x]"
    assert count_figure(out, key(district="a")).text == "[c]"
    assert count_figure(out, TOTAL).text == "40"


DAYS = tuple(Category(str(d), f"{d} working days") for d in range(8))


def test_a_median_over_fewer_than_k_waits_is_withheld() -> None:
    # ISVA: 4 waits (0, 1, 1, 6 days); Victim Care: 9 waits.
    cube = build_cube(
        population="waits",
        categories={"service": SERVICES, "days": DAYS},
        counts={
            ("isva", "0"): 1,
            ("isva", "1"): 2,
            ("isva", "6"): 1,
            ("victim-care", "1"): 2,
            ("victim-care", "2"): 3,
            ("victim-care", "3"): 3,
            ("victim-care", "7"): 1,
        },
    )
    out = protect([cube], k=5, unpublished={"waits": ["days"]})["waits"]
    isva, care = key(service="isva"), key(service="victim-care")
    assert out.shown[key(service="isva", days="1")] is None and out.withheld.get(key(service="isva", days="1")) is None
    median = statistic_figure(out, isva, dimension="days", statistic="median")
    assert median == Figure(None, Unit.WORKING_DAYS, suppressed=True) and median.text == "[c]"
    assert statistic_figure(out, isva, dimension="days", statistic="max").suppressed
    # ISVA's 4 is withheld, and so Victim Care's 9 beside it (13 is shown); Victim Care's median goes with it.
    assert out.shown[care] is None
    assert statistic_figure(out, care, dimension="days", statistic="median").suppressed
    # Over all 13 waits: the 7th is on day 2, the 12th (90th percentile, nearest rank) on day 6, the longest 7.
    assert statistic_figure(out, TOTAL, dimension="days", statistic="median") == Figure(2, Unit.WORKING_DAYS)
    assert statistic_figure(out, TOTAL, dimension="days", statistic="p90") == Figure(6, Unit.WORKING_DAYS)
    assert statistic_figure(out, TOTAL, dimension="days", statistic="max").text == "7"
    # No waits at all: not applicable.
    assert statistic_figure(out, key(service="not-recorded"), dimension="days", statistic="median").text == "[x]"


def test_a_median_over_exactly_k_waits_is_shown_when_its_days_are_not() -> None:
    cube = build_cube(
        population="waits",
        categories={"service": SERVICES[:1], "days": DAYS},
        counts={("isva", "0"): 1, ("isva", "2"): 1, ("isva", "3"): 1, ("isva", "4"): 1, ("isva", "5"): 1},
    )
    isva = key(service="isva")
    out = protect([cube], k=5, unpublished={"waits": ["days"]})["waits"]
    # Five waits of 0, 2, 3, 4 and 5 days: the median is the 3rd, 3 days; the days themselves are not shown.
    assert out.shown[isva] == 5 and out.withheld == {}
    assert statistic_figure(out, isva, dimension="days", statistic="median") == Figure(3, Unit.WORKING_DAYS)
    # Were the histogram published too, its five 1s beside a total of 5 would each be pinned to 1: the total
    # goes, and the median with it.
    shown_whole = protect([cube], k=5)["waits"]
    assert shown_whole.shown[isva] is None
    assert statistic_figure(shown_whole, isva, dimension="days", statistic="median").suppressed


def test_only_a_dimension_of_the_cube_can_be_left_unpublished() -> None:
    cube = build_cube(population="waits", categories={"days": DAYS}, counts={("1",): 6})
    with pytest.raises(ValueError, match="waits has no dimension 'day' to leave unpublished"):
        protect([cube], k=5, unpublished={"waits": ["day"]})
