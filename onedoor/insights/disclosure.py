"""Statistical disclosure control for everything the commissioner sees: small counts are suppressed so
that no figure can point to a person.

`protect` takes every cube a page or an export shows and returns what may be published of each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from onedoor.insights.cells import CellKey, Cube

# The default threshold k: counts from 1 to k-1 are never published. An area may set its own.
SUPPRESS_BELOW = 5


class Suppression(StrEnum):
    PRIMARY = "primary"  # a count from 1 to k-1
    SECONDARY = "secondary"  # withheld so that a primary one cannot be worked out from the others


@dataclass(frozen=True)
class Protected:
    """What may be published of a cube: every cell's count, or None where it is withheld, and why."""

    cube: Cube
    k: int
    shown: Mapping[CellKey, int | None]
    withheld: Mapping[CellKey, Suppression]

    def value(self, key: CellKey) -> int | None:
        return self.shown[key]


def protect(cubes: Sequence[Cube], *, k: int = SUPPRESS_BELOW) -> dict[str, Protected]:
    """Primary suppression of every cube, by population."""
    out: dict[str, Protected] = {}
    for cube in cubes:
        withheld = {key: Suppression.PRIMARY for key, n in cube.cells.items() if 0 < n < k}
        shown = {key: (None if key in withheld else n) for key, n in cube.cells.items()}
        out[cube.population] = Protected(cube=cube, k=k, shown=shown, withheld=withheld)
    return out


def safe_count(n: int) -> str:
    if n == 0:
        return "0"
    if n < SUPPRESS_BELOW:
        return f"fewer than {SUPPRESS_BELOW}"
    return f"{n:,}"
