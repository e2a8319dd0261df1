"""Disclosure control with exact figures: primary and secondary suppression, tables of one population
together, relations between populations, the area's own threshold, and no dependence on when it is asked."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings

from onedoor.accounts.models import User
from onedoor.areas.files import AREAS_DIR, area_problems
from onedoor.insights import dimensions as dims
from onedoor.insights import periods
from onedoor.insights.cells import TOTAL, Category, Cube, build_cube, key
from onedoor.insights.disclosure import (
    SUPPRESSION_NOTE,
    Protected,
    Suppression,
    protect,
    suppression_note,
    threshold,
)
from onedoor.insights.query import Query, compute
from onedoor.insights.rollups import rollups_refresh
from onedoor.referrals.models import Referral
from tests.referrals.factories import make_referral

SERVICES = (Category("isva", "City ISVA"), Category("victim-care", "City Victim Care"), Category("not-recorded", "-"))
OFFENCES = (Category("sexual", "Sexual offences"), Category("violence", "Violence"), Category("not-recorded", "-"))


def _by_code(result: Protected, dimension: str) -> dict[str, int | None]:
    """The published figures of a one-way table, by category code, with the total as "total"."""
    out: dict[str, int | None] = {"total": result.shown[TOTAL]}
    for c in result.cube.categories[dimension]:
        out[c.code] = result.shown[key(**{dimension: c.code})]
    return out


def _service_cube(population: str, counts: dict[str, int]) -> Cube:
    return build_cube(
        population=population, categories={"service": SERVICES}, counts={(s,): n for s, n in counts.items()}
    )


def test_counts_from_1_to_k_minus_1_are_withheld_and_zeros_are_shown() -> None:
    cube = build_cube(
        population="p",
        categories={"d": tuple(Category(c, c) for c in ("zero", "one", "four", "five", "twenty"))},
        counts={("one",): 1, ("four",): 4, ("five",): 5, ("twenty",): 20},
    )
    result = protect([cube], k=5)["p"]
    # 1 and 4 are primary; together they would be known to sum to 5 (30 - 0 - 5 - 20), each then 1 to 4,
    # so the smallest other non-zero count (5) is withheld with them: now each is anywhere from 1 to 8.
    assert _by_code(result, "d") == {"total": 30, "zero": 0, "one": None, "four": None, "five": None, "twenty": 20}
    assert result.withheld == {
        key(d="one"): Suppression.PRIMARY,
        key(d="four"): Suppression.PRIMARY,
        key(d="five"): Suppression.SECONDARY,
    }


def test_the_city_example_can_no_longer_be_recovered() -> None:
    """The issue's leak: "City ISVA: fewer than 5" beside a total of 34 and "City Victim Care: 33"."""
    cube = _service_cube("received", {"isva": 1, "victim-care": 33})
    result = protect([cube], k=5)["received"]
    assert _by_code(result, "service") == {"total": 34, "isva": None, "victim-care": None, "not-recorded": 0}
    assert result.withheld[key(service="isva")] is Suppression.PRIMARY
    assert result.withheld[key(service="victim-care")] is Suppression.SECONDARY
    # All that can be worked out now: ISVA + Victim Care = 34, so ISVA is anywhere from 1 to 33.


def test_the_city_example_with_a_second_table_of_the_same_referrals() -> None:
    """The page also shows received referrals by service and offence: the same population, so the same cells.
    Protected one at a time, the breakdown would show ISVA's sexual-offence cell's siblings and give it away."""
    by_service = _service_cube("received", {"isva": 1, "victim-care": 33})
    by_both = build_cube(
        population="received",
        categories={"service": SERVICES, "offence_group": OFFENCES},
        counts={("isva", "sexual"): 1, ("victim-care", "sexual"): 12, ("victim-care", "violence"): 21},
    )
    result = protect([by_service, by_both], k=5)["received"]
    assert result.cubes == (by_service, by_both)
    assert _by_code(result, "service") == {"total": 34, "isva": None, "victim-care": None, "not-recorded": 0}
    assert _by_code(result, "offence_group") == {"total": 34, "sexual": 13, "violence": 21, "not-recorded": 0}
    assert result.shown[key(service="isva", offence_group="sexual")] is None
    assert result.shown[key(service="victim-care", offence_group="sexual")] is None
    assert result.shown[key(service="victim-care", offence_group="violence")] == 21
    assert result.shown[key(service="isva", offence_group="violence")] == 0
    # Now ISVA's sexual-offence cell and its total are known only to be from 1 to 12 (13 less Victim Care's
    # sexual-offence cell, itself at least 1), and Victim Care's total from 22 to 33.


def test_two_cubes_of_one_population_must_agree() -> None:
    a = _service_cube("received", {"isva": 6, "victim-care": 33})
    b = _service_cube("received", {"isva": 7, "victim-care": 33})
    with pytest.raises(ValueError, match=r"received: two cubes count the total differently \(39 and 40\)"):
        protect([a, b], k=5)


def test_a_part_of_a_whole_cannot_reveal_a_small_difference() -> None:
    """Engaged of received, for a percentage: 12 received and 9 engaged in S2 would show that 3 did not
    engage. The difference is protected like a count."""
    received = _service_cube("received", {"isva": 10, "victim-care": 12})
    engaged = _service_cube("engaged", {"isva": 10, "victim-care": 9})
    result = protect([received, engaged], k=5, nested=[("engaged", "received")])
    assert _by_code(result["received"], "service") == {"total": 22, "isva": 10, "victim-care": 12, "not-recorded": 0}
    assert _by_code(result["engaged"], "service") == {"total": None, "isva": 10, "victim-care": None, "not-recorded": 0}
    # Without the relation both tables are published whole, and 12 - 9 = 3.
    alone = protect([received, engaged], k=5)
    assert alone["engaged"].withheld == {} and alone["received"].withheld == {}


def test_a_quarter_beside_its_months_cannot_be_differenced() -> None:
    months = [
        _service_cube("m1", {"isva": 10, "victim-care": 12}),
        _service_cube("m2", {"isva": 8, "victim-care": 15}),
        _service_cube("m3", {"isva": 2, "victim-care": 20}),
    ]
    q = _service_cube("q", {"isva": 20, "victim-care": 47})
    unlinked = protect([q, *months], k=5)
    # Without the relation, ISVA's 2 in the third month is 20 - 10 - 8.
    assert unlinked["m3"].shown[key(service="isva")] is None
    assert (
        unlinked["q"].shown[key(service="isva")]  # type: ignore[operator]
        - unlinked["m1"].shown[key(service="isva")]
        - unlinked["m2"].shown[key(service="isva")]
        == 2
    )
    linked = protect([q, *months], k=5, sums=[("q", ["m1", "m2", "m3"])])
    assert _by_code(linked["q"], "service") == {"total": 67, "isva": 20, "victim-care": 47, "not-recorded": 0}
    for m, total in (("m1", 22), ("m2", 23), ("m3", 22)):
        assert _by_code(linked[m], "service") == {"total": total, "isva": None, "victim-care": None, "not-recorded": 0}


def test_a_relation_must_name_cubes_given_and_a_part_cannot_exceed_its_whole() -> None:
    a = _service_cube("a", {"isva": 10})
    b = _service_cube("b", {"isva": 12})
    with pytest.raises(ValueError, match="'c', which is not among the cubes given"):
        protect([a, b], k=5, sums=[("a", ["b", "c"])])
    with pytest.raises(ValueError, match=r"b is declared part of a but counts more at the total"):
        protect([a, b], k=5, nested=[("b", "a")])


def test_the_order_of_the_cubes_changes_nothing() -> None:
    by_service = _service_cube("received", {"isva": 3, "victim-care": 33})
    other = _service_cube("closed", {"isva": 2, "victim-care": 9})
    one = protect([by_service, other], k=5)
    two = protect([other, by_service], k=5)
    assert {p: r.shown for p, r in one.items()} == {p: r.shown for p, r in two.items()}


def test_a_threshold_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2, not 1"):
        protect([_service_cube("p", {"isva": 3})], k=1)


def test_a_cube_of_three_ways_of_ten_protects_in_time_for_a_page() -> None:
    ten = {d: tuple(Category(f"{d}{i}", f"{d}{i}") for i in range(10)) for d in ("a", "b", "c")}
    pattern = (0, 0, 1, 2, 3, 4, 5, 8, 12, 20)
    counts: dict[tuple[str, ...], int] = {
        (f"a{i}", f"b{j}", f"c{m}"): pattern[(i * 7 + j * 3 + m) % 10]
        for i in range(10)
        for j in range(10)
        for m in range(10)
    }
    cube = build_cube(population="p", categories=ten, counts=counts)
    started = time.perf_counter()
    result = protect([cube], k=5)["p"]
    elapsed = time.perf_counter() - started
    assert sum(1 for r in result.withheld.values() if r is Suppression.PRIMARY) == sum(
        1 for n in cube.cells.values() if 0 < n < 5
    )
    assert elapsed < 5, f"{elapsed:.2f} s"  # about 0.5 s on an idle development machine (ADR 0022)


def test_the_suppression_note_explains_c() -> None:
    assert SUPPRESSION_NOTE.startswith("[c] marks a figure withheld to protect confidentiality")
    assert suppression_note(7) == (
        "[c] marks a figure withheld to protect confidentiality: it is fewer than 7, or it would let a figure "
        "fewer than 7 be worked out from the figures shown. Zeros are shown."
    )


@pytest.mark.parametrize("area", ["warwickshire", "city-of-london"])
def test_the_bundled_areas_set_k_to_5(area: str) -> None:
    with override_settings(ONEDOOR_AREA=area):
        assert threshold() == 5


def test_an_area_sets_its_own_k_and_protect_uses_it(tmp_path: Path) -> None:
    data = json.loads((AREAS_DIR / "city-of-london.json").read_text(encoding="utf-8"))
    data["disclosure"] = {"threshold": 10}
    path = tmp_path / "stricter.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    cube = _service_cube("p", {"isva": 7, "victim-care": 33})
    with override_settings(ONEDOOR_AREA=str(path)):
        assert threshold() == 10
        result = protect([cube])["p"]
    assert result.k == 10
    assert result.withheld[key(service="isva")] is Suppression.PRIMARY
    del data["disclosure"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with override_settings(ONEDOOR_AREA=str(path)):
        assert threshold() == 5


def test_the_schema_refuses_a_threshold_below_3() -> None:
    data = json.loads((AREAS_DIR / "city-of-london.json").read_text(encoding="utf-8"))
    data["disclosure"] = {"threshold": 2}
    assert "disclosure.threshold: 2 is less than the minimum of 3" in area_problems(data)
    data["disclosure"] = {"k": 5}
    assert any(p.startswith("disclosure: ") and "'k'" in p for p in area_problems(data))


@pytest.mark.django_db
def test_what_is_published_for_a_period_does_not_depend_on_when_it_is_asked(referrer: User) -> None:
    """Fixed periods only: a month's figures, asked in the next month and again a year later with many more
    referrals since, are the same figures with the same cells withheld."""
    made = [make_referral(referrer=referrer) for _ in range(7)]
    made.append(make_referral(referrer=referrer, offence="rape"))
    Referral.objects.filter(pk__in=[r.pk for r in made]).update(received_on=date(2026, 5, 12))
    may = periods.check_publishable(periods.parse("2026-05"), today=date(2026, 6, 1))
    query = Query(period=may, by=(dims.SERVICE,))

    def published() -> dict[frozenset[tuple[str, str]], int | None]:
        rollups_refresh()
        cube = compute("demand.received", query)
        return dict(protect([cube], k=5)[cube.population].shown)

    first = published()
    assert first[TOTAL] == 8
    assert None in first.values()  # the single rape referral, and what would give it away
    later = [make_referral(referrer=referrer, offence="rape") for _ in range(3)]
    Referral.objects.filter(pk__in=[r.pk for r in later]).update(received_on=date(2026, 6, 3))
    assert periods.check_publishable(may, today=date(2027, 6, 1)) == may
    assert published() == first
