"""What a commissioner page, an export, a chart and the report all show: tables of figures that have already
passed disclosure control. Nothing here holds a raw count that was suppressed, so nothing downstream can leak
one."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The ONS convention for a figure withheld to protect confidentiality.
SUPPRESSED_TEXT = "[c]"
# A figure that cannot be worked out (a percentage of nothing, a median of no waits).
NOT_APPLICABLE_TEXT = "[x]"


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    WORKING_DAYS = "working_days"
    RATE_PER_1000 = "rate_per_1000"
    SCORE = "score"
    RATIO = "ratio"


UNIT_LABELS = {
    Unit.COUNT: "count",
    Unit.PERCENT: "%",
    Unit.WORKING_DAYS: "working days",
    Unit.RATE_PER_1000: "per 1,000 residents",
    Unit.SCORE: "score",
    Unit.RATIO: "ratio",
}


@dataclass(frozen=True)
class Figure:
    """One published figure. `value` is None when suppressed or not applicable."""

    value: int | float | None
    unit: Unit = Unit.COUNT
    suppressed: bool = False
    # Words shown instead of a number (a flag such as "Lower than the population"); value stays None.
    label: str = ""

    @property
    def text(self) -> str:
        if self.suppressed:
            return SUPPRESSED_TEXT
        if self.label:
            return self.label
        if self.value is None:
            return NOT_APPLICABLE_TEXT
        if self.unit is Unit.COUNT:
            return f"{int(self.value):,}"
        if self.unit is Unit.PERCENT:
            return f"{self.value:.1f}%"
        if self.unit is Unit.WORKING_DAYS:
            return f"{self.value:g}"
        if self.unit is Unit.RATIO:
            return f"{self.value:.2f}"
        return f"{self.value:,.1f}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit = Unit.COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    figures: tuple[Figure, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    """A table as published: a caption, its columns and rows, the measures it shows (registry ids, for the
    definitions beside it), the period it belongs to (its code and label) or "as at" a day for a snapshot,
    and any note (the suppression note, the source)."""

    key: str
    title: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    measure_ids: tuple[str, ...] = ()
    period_label: str = ""
    snapshot: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def figure(self, row_key: str, column_key: str) -> Figure:
        index = [c.key for c in self.columns].index(column_key)
        for row in self.rows:
            if row.key == row_key:
                return row.figures[index]
        raise KeyError(row_key)
