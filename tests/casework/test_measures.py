"""Scoring for PHQ-9, GAD-7 and CORE-10, exactly as in the reference: every band boundary, reverse scoring,
risk items, reliable change and recovery."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.casework import measures


def answers_totalling(code: str, total: int) -> list[int]:
    """Answers (as entered) whose score is `total`, with reverse-scored items entered at their maximum so
    that they score 0."""
    s = measures.spec(code)
    out = [s.item_max if n in s.reverse_items else 0 for n in range(1, s.items + 1)]
    remaining = total
    for i in range(s.items):
        if (i + 1) in s.reverse_items:
            continue
        take = min(s.item_max, remaining)
        out[i] = take
        remaining -= take
    for i in range(s.items):
        if (i + 1) in s.reverse_items and remaining:
            take = min(s.item_max, remaining)
            out[i] = s.item_max - take
            remaining -= take
    assert remaining == 0
    return out


PHQ9_BOUNDARIES = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Moderately severe"),
    (19, "Moderately severe"),
    (20, "Severe"),
    (27, "Severe"),
]
GAD7_BOUNDARIES = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Severe"),
    (21, "Severe"),
]
CORE10_BOUNDARIES = [
    (0, "Below the clinical cut-off"),
    (10, "Below the clinical cut-off"),
    (11, "At or above the clinical cut-off"),
    (40, "At or above the clinical cut-off"),
]


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [("phq9", t, b) for t, b in PHQ9_BOUNDARIES]
    + [("gad7", t, b) for t, b in GAD7_BOUNDARIES]
    + [("core10", t, b) for t, b in CORE10_BOUNDARIES],
)
def test_every_band_boundary(code: str, total: int, band: str) -> None:
    result = measures.score(code, answers_totalling(code, total))
    assert result.total == total
    assert result.band == band


def test_core10_items_2_and_3_are_reverse_scored() -> None:
    all_zero = measures.score("core10", [0] * 10)
    assert all_zero.total == 8  # items 2 and 3 entered as 0 score 4 each
    items_2_3_max = measures.score("core10", [0, 4, 4, 0, 0, 0, 0, 0, 0, 0])
    assert items_2_3_max.total == 0
    item_2_only = measures.score("core10", [0, 1, 4, 0, 0, 0, 0, 0, 0, 0])
    assert item_2_only.total == 3
    assert measures.score("core10", [4, 0, 0, 4, 4, 4, 4, 4, 4, 4]).total == 40


def test_phq9_and_gad7_have_no_reverse_items() -> None:
    assert measures.score("phq9", [1] * 9).total == 9
    assert measures.score("gad7", [3] * 7).total == 21


def test_risk_items() -> None:
    assert measures.score("phq9", [0] * 8 + [1]).risk_items == (9,)
    assert measures.score("phq9", [3] * 8 + [0]).risk_items == ()
    assert measures.score("core10", [0, 4, 4, 0, 0, 2, 0, 0, 0, 0]).risk_items == (6,)
    assert not measures.score("gad7", [3] * 7).has_risk


@pytest.mark.parametrize(
    ("answers", "message"),
    [([0] * 8, "has 9 items"), ([0] * 8 + [4], "item 9"), ([0] * 8 + [-1], "item 9"), ([True] + [0] * 8, "item 1")],
)
def test_bad_answers_are_refused(answers: list[int], message: str) -> None:
    with pytest.raises(measures.MeasureError, match=message):
        measures.score("phq9", answers)


def test_unknown_measure() -> None:
    with pytest.raises(measures.MeasureError):
        measures.score("bdi", [0])


@pytest.mark.parametrize(
    ("code", "first", "last", "reliable", "recovered"),
    [
        ("phq9", 18, 12, True, False),
        ("phq9", 18, 13, False, False),
        ("phq9", 15, 9, True, True),
        ("phq9", 9, 3, True, False),  # started below the cut-off: improvement, not recovery
        ("gad7", 12, 8, True, False),  # 8 is still at the cut-off
        ("gad7", 12, 7, True, True),
        ("gad7", 12, 9, False, False),
        ("core10", 20, 10, True, True),
    ],
)
def test_reliable_change_and_recovery(code: str, first: int, last: int, reliable: bool, recovered: bool) -> None:
    change = measures.change_between(code, first, last)
    assert change.reliable_improvement is reliable
    assert change.recovered is recovered
    assert change.reliable_recovery is (reliable and recovered)
    assert not change.reliable_deterioration


def test_reliable_deterioration() -> None:
    assert measures.change_between("phq9", 5, 11).reliable_deterioration


@pytest.mark.parametrize("code", sorted(measures.MEASURES))
def test_every_total_is_in_range(code: str) -> None:
    s = measures.spec(code)

    @given(st.lists(st.integers(0, s.item_max), min_size=s.items, max_size=s.items))
    def check(answers: list[int]) -> None:
        result = measures.score(code, answers)
        assert 0 <= result.total <= s.max_total
        assert result.band == measures.band_for(code, result.total)
        reversed_sum = sum(s.item_max - a if n in s.reverse_items else a for n, a in enumerate(answers, 1))
        assert result.total == reversed_sum

    check()


def test_bands_cover_the_whole_range_without_gaps() -> None:
    for s in measures.MEASURES.values():
        covered = [t for b in s.bands for t in range(b.low, b.high + 1)]
        assert covered == list(range(s.max_total + 1))
