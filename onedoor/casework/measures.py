"""Validated measures: PHQ-9, GAD-7 and CORE-10. Pure domain code, no database.

The scoring rules are data (MEASURES below), taken from docs REFERENCE facts: item counts, item ranges,
reverse-scored items, bands, risk items and reliable-change thresholds. Values the reference marks
[verify], or that it does not give, carry `verify=True` so that they can be checked and corrected.

Scores guide support. They are never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onedoor.core.errors import DomainError


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    name: str
    items: int
    item_max: int
    bands: tuple[Band, ...]
    reverse_items: frozenset[int] = frozenset()  # 1-based item numbers
    risk_items: frozenset[int] = frozenset()  # 1-based; a risk item answered above 0 raises an alert
    reliable_change: int = 0
    reliable_change_verify: bool = False
    clinical_cutoff: int = 0  # a score at or above this is in the clinical range
    clinical_cutoff_verify: bool = False

    @property
    def max_total(self) -> int:
        return self.items * self.item_max


MEASURES: dict[str, MeasureSpec] = {
    "phq9": MeasureSpec(
        code="phq9",
        name="PHQ-9",
        items=9,
        item_max=3,
        bands=(
            Band(0, 4, "Minimal"),
            Band(5, 9, "Mild"),
            Band(10, 14, "Moderate"),
            Band(15, 19, "Moderately severe"),
            Band(20, 27, "Severe"),
        ),
        risk_items=frozenset({9}),
        reliable_change=6,
        reliable_change_verify=True,
        clinical_cutoff=10,
        clinical_cutoff_verify=True,  # not in the reference: the usual caseness threshold
    ),
    "gad7": MeasureSpec(
        code="gad7",
        name="GAD-7",
        items=7,
        item_max=3,
        bands=(Band(0, 4, "Minimal"), Band(5, 9, "Mild"), Band(10, 14, "Moderate"), Band(15, 21, "Severe")),
        reliable_change=4,
        reliable_change_verify=True,
        clinical_cutoff=8,
        clinical_cutoff_verify=True,  # not in the reference: the usual caseness threshold
    ),
    "core10": MeasureSpec(
        code="core10",
        name="CORE-10",
        items=10,
        item_max=4,
        bands=(Band(0, 10, "Below the clinical cut-off"), Band(11, 40, "At or above the clinical cut-off")),
        reverse_items=frozenset({2, 3}),
        risk_items=frozenset({6}),
        reliable_change=6,
        reliable_change_verify=True,  # not in the reference
        clinical_cutoff=11,
    ),
}


class MeasureError(DomainError, ValueError):
    """Answers that cannot be scored."""


@dataclass(frozen=True)
class Score:
    code: str
    total: int
    band: str
    risk_items: tuple[int, ...]  # 1-based risk items answered above 0

    @property
    def has_risk(self) -> bool:
        return bool(self.risk_items)


def spec(code: str) -> MeasureSpec:
    try:
        return MEASURES[code]
    except KeyError:
        raise MeasureError(f"Unknown measure {code!r}") from None


def band_for(code: str, total: int) -> str:
    s = spec(code)
    for b in s.bands:
        if b.low <= total <= b.high:
            return b.label
    raise MeasureError(f"{s.name} total {total} is outside 0 to {s.max_total}")


def score(code: str, answers: Sequence[int]) -> Score:
    """Score one administration from its item answers (item 1 first), as given on the form: reverse-scored
    items are reversed here, never by the person entering them."""
    s = spec(code)
    if len(answers) != s.items:
        raise MeasureError(f"{s.name} has {s.items} items; {len(answers)} answers were given")
    total = 0
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= s.item_max:
            raise MeasureError(f"{s.name} item {number} must be a whole number from 0 to {s.item_max}")
        total += s.item_max - value if number in s.reverse_items else value
    risk = tuple(n for n in sorted(s.risk_items) if answers[n - 1] > 0)
    return Score(code=code, total=total, band=band_for(code, total), risk_items=risk)


@dataclass(frozen=True)
class Change:
    code: str
    first: int
    last: int
    change: int  # last - first; negative is improvement
    reliable_improvement: bool
    reliable_deterioration: bool
    recovered: bool  # started at or above the cut-off and ended below it
    reliable_recovery: bool  # recovered, with a reliable improvement


def change_between(code: str, first: int, last: int) -> Change:
    s = spec(code)
    for t in (first, last):
        if not 0 <= t <= s.max_total:
            raise MeasureError(f"{s.name} total {t} is outside 0 to {s.max_total}")
    diff = last - first
    improved = -diff >= s.reliable_change
    recovered = first >= s.clinical_cutoff > last
    return Change(
        code=code,
        first=first,
        last=last,
        change=diff,
        reliable_improvement=improved,
        reliable_deterioration=diff >= s.reliable_change,
        recovered=recovered,
        reliable_recovery=recovered and improved,
    )
