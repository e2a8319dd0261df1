"""Counts as cubes: the shape every measure hands to disclosure control, and every table is cut from.

A `Cube` holds the counts of one population (for example "referrals received in 2026-27 Q1, police route
only") broken down by some dimensions. Every cell is keyed by the set of (dimension, category) pairs it is
restricted to, so the grand total is the empty key, a margin is a key with fewer pairs, and a cell of the
full breakdown has one pair per dimension. Each dimension lists all its categories ("not recorded"
included), so any cell equals the sum of its children along any dimension it is not restricted on.

Two tables on one page that show the same population share cells (the same key is the same number); this is
what lets disclosure control reason about differencing across tables. Different populations are different
cubes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations, product

# The category code for a value that was never recorded (a referral with no district, say). It is a real
# category: it is shown, counted in totals, and never silently dropped.
NOT_RECORDED = "not-recorded"
NOT_RECORDED_LABEL = "Not recorded"

Dim = tuple[str, str]  # (dimension id, category code)
CellKey = frozenset[Dim]
TOTAL: CellKey = frozenset()


@dataclass(frozen=True)
class Category:
    code: str
    label: str


@dataclass(frozen=True)
class Cube:
    """Counts of one population over `dimensions`, with every margin. `cells` has an entry for every
    combination of categories of every subset of the dimensions (zeros included)."""

    population: str
    dimensions: tuple[str, ...]
    categories: Mapping[str, tuple[Category, ...]]
    cells: Mapping[CellKey, int] = field(default_factory=dict)

    def __getitem__(self, key: CellKey) -> int:
        return self.cells[key]

    @property
    def total(self) -> int:
        return self.cells[TOTAL]

    def get(self, **coordinates: str) -> int:
        return self.cells[key(**coordinates)]

    def children(self, parent: CellKey, dimension: str) -> list[CellKey]:
        """The cells that break `parent` down by `dimension`; they sum to it."""
        return [parent | {(dimension, c.code)} for c in self.categories[dimension]]

    def additivity(self) -> Iterator[tuple[CellKey, list[CellKey]]]:
        """Every (parent, children) equation the cube's cells satisfy."""
        for parent in self.cells:
            restricted = {d for d, _ in parent}
            for dimension in self.dimensions:
                if dimension not in restricted:
                    yield parent, self.children(parent, dimension)


def key(**coordinates: str) -> CellKey:
    return frozenset(coordinates.items())


def build_cube(
    *,
    population: str,
    categories: Mapping[str, Iterable[Category]],
    counts: Mapping[tuple[str, ...], int],
) -> Cube:
    """A cube from counts of the full breakdown. `categories` gives the dimensions in order and all their
    categories; `counts` maps a tuple of category codes (in that order) to a count, and may leave zeros out.
    A code that is not among a dimension's categories is a bug in the caller, and raises."""
    dims = tuple(categories)
    cats = {d: tuple(categories[d]) for d in dims}
    codes = {d: {c.code for c in cats[d]} for d in dims}
    for combo in counts:
        if len(combo) != len(dims):
            raise ValueError(f"{population}: {combo!r} does not have one code for each of {dims}")
        for d, code in zip(dims, combo, strict=True):
            if code not in codes[d]:
                raise ValueError(f"{population}: {code!r} is not a category of {d}")
    cells: dict[CellKey, int] = {}
    for size in range(len(dims) + 1):
        for subset in combinations(range(len(dims)), size):
            for chosen in product(*(cats[dims[i]] for i in subset)):
                cells[frozenset((dims[i], c.code) for i, c in zip(subset, chosen, strict=True))] = 0
    for combo, n in counts.items():
        if n < 0:
            raise ValueError(f"{population}: a negative count {n} for {combo!r}")
        for size in range(len(dims) + 1):
            for subset in combinations(range(len(dims)), size):
                cells[frozenset((dims[i], combo[i]) for i in subset)] += n
    return Cube(population=population, dimensions=dims, categories=cats, cells=cells)
