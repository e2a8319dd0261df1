"""Validated measures: PHQ-9, GAD-7 and CORE-10. Pure domain code, no database.

The scoring rules are data (MEASURES below), taken from docs REFERENCE facts: bands, cut-offs and
reliable-change thresholds. Values the reference marks [verify], or that it does not give, carry
`verify=True` so that they can be checked and corrected. The questions themselves (stem, item wording,
answer options, which items are reverse-scored and which are risk items) are in `data/measures.json`, as
their copyright holders publish them; the item count and range follow from that file.

Scores guide support. They are never a diagnosis.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from onedoor.core.errors import DomainError


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Question:
    number: int  # 1-based
    text: str
    reverse: bool = False
    risk: bool = False


@dataclass(frozen=True)
class Published:
    """A measure as its copyright holder publishes it (data/measures.json): shown unmodified."""

    stem: str
    options: tuple[str, ...]  # the answer options as printed, the one scored 0 first
    questions: tuple[Question, ...]
    copyright: str


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    name: str
    published: Published
    bands: tuple[Band, ...]
    reliable_change: int = 0
    reliable_change_verify: bool = False
    clinical_cutoff: int = 0  # a score at or above this is in the clinical range
    clinical_cutoff_verify: bool = False

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.published.questions

    @property
    def items(self) -> int:
        return len(self.questions)

    @property
    def item_max(self) -> int:
        return len(self.published.options) - 1

    @cached_property
    def reverse_items(self) -> frozenset[int]:
        """1-based item numbers scored from the highest option down."""
        return frozenset(q.number for q in self.questions if q.reverse)

    @cached_property
    def risk_items(self) -> frozenset[int]:
        """1-based; a risk item answered above 0 raises an alert."""
        return frozenset(q.number for q in self.questions if q.risk)

    @property
    def reverse_numbers(self) -> tuple[int, ...]:
        return tuple(sorted(self.reverse_items))

    @property
    def risk_numbers(self) -> tuple[int, ...]:
        return tuple(sorted(self.risk_items))

    @property
    def max_total(self) -> int:
        return self.items * self.item_max

    def option_value(self, number: int, answer: int) -> int:
        """What an answer (the option's position, 0 first, as on the form) scores on item `number`."""
        return self.item_max - answer if number in self.reverse_items else answer


DATA = Path(__file__).resolve().parent / "data" / "measures.json"


def _published(code: str) -> Published:
    with DATA.open(encoding="utf-8") as fh:
        raw = json.load(fh)[code]
    return Published(
        stem=raw["stem"],
        options=tuple(raw["options"]),
        copyright=raw["copyright"],
        questions=tuple(
            Question(number=n, text=i["text"], reverse=bool(i.get("reverse")), risk=bool(i.get("risk")))
            for n, i in enumerate(raw["items"], start=1)
        ),
    )


MEASURES: dict[str, MeasureSpec] = {
    "phq9": MeasureSpec(
        code="phq9",
        published=_published("phq9"),
        name="PHQ-9",
        bands=(
            Band(0, 4, "Minimal"),
            Band(5, 9, "Mild"),
            Band(10, 14, "Moderate"),
            Band(15, 19, "Moderately severe"),
            Band(20, 27, "Severe"),
        ),
        reliable_change=6,
        reliable_change_verify=True,
        clinical_cutoff=10,
        clinical_cutoff_verify=True,  # not in the reference: the usual caseness threshold
    ),
    "gad7": MeasureSpec(
        code="gad7",
        published=_published("gad7"),
        name="GAD-7",
        bands=(Band(0, 4, "Minimal"), Band(5, 9, "Mild"), Band(10, 14, "Moderate"), Band(15, 21, "Severe")),
        reliable_change=4,
        reliable_change_verify=True,
        clinical_cutoff=8,
        clinical_cutoff_verify=True,  # not in the reference: the usual caseness threshold
    ),
    "core10": MeasureSpec(
        code="core10",
        published=_published("core10"),
        name="CORE-10",
        bands=(Band(0, 10, "Below the clinical cut-off"), Band(11, 40, "At or above the clinical cut-off")),
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
        total += s.option_value(number, value)
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
