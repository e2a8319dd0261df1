"""The exact audit behind disclosure control: how much an attacker could learn about each withheld count.

The published figures of a page are a system of linear equations (every margin is the sum of its cells, and
whatever relations between populations the caller declared). An attacker who knows the published cells, the
equations, and that every withheld count is a whole number of at least 1 (zeros are always published) can
narrow each withheld count to an interval. The audit bounds that interval with linear programmes (HiGHS,
through its own `highspy` interface), rounds the bounds inwards to whole numbers, and names every withheld
count whose interval is narrower than k. For one- and two-way tables with their margins the linear bounds
are the exact whole-number ones (the equations are totally unimodular); for three or more dimensions they
can be a little wider than an integer programme would find (ADR 0022 says why that is accepted).

Two things keep it fast enough for a page: the unknown cells fall apart into independent components (cells
that share no equation cannot inform each other), and every feasible point found while bounding one cell is
remembered, so a cell already seen to range over k values needs no programme of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import highspy
import numpy as np

# Solver tolerance when rounding a bound to a whole number.
EPSILON = 1e-6


class Cell(NamedTuple):
    """A cell of the system: its population and its key, as sorted (dimension, category) pairs."""

    population: str
    key: tuple[tuple[str, str], ...]


@dataclass
class System:
    """Every cell shown together, its count, and the equations (parent = sum of children) between them.
    A `virtual` cell is never published: the attacker does not see it, and knows only that it is at least
    zero. It is either the difference between a whole and a part of it, which must not be small and
    recoverable, or (`quiet`) a cell the page never shows, such as a day of a waiting-time histogram whose
    median alone is published, which needs no protection of its own."""

    cells: list[Cell] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    virtual: list[bool] = field(default_factory=list)
    quiet: list[bool] = field(default_factory=list)
    index: dict[Cell, int] = field(default_factory=dict)
    equations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    containing: dict[int, list[int]] = field(default_factory=dict)
    _seen: set[tuple[int, tuple[int, ...]]] = field(default_factory=set)

    def add(self, cell: Cell, value: int, *, virtual: bool = False, quiet: bool = False) -> int:
        if cell in self.index:
            raise ValueError(f"{cell.population}: the cell {cell.key} is given twice")
        self.index[cell] = len(self.cells)
        self.cells.append(cell)
        self.values.append(value)
        self.virtual.append(virtual or quiet)
        self.quiet.append(quiet)
        return self.index[cell]

    def equation(self, parent: Cell, children: Sequence[Cell]) -> None:
        p = self.index[parent]
        members = tuple(sorted(self.index[c] for c in children))
        if (p, members) in self._seen:
            return
        self._seen.add((p, members))
        self.equations.append((p, members))
        for m in (p, *members):
            self.containing.setdefault(m, []).append(len(self.equations) - 1)

    def members(self, e: int) -> tuple[int, ...]:
        parent, children = self.equations[e]
        return (parent, *children)

    def lowest(self, i: int) -> int:
        """The least an attacker knows the cell can be: 1 for a withheld count (zeros are shown), 0 for a
        virtual one."""
        return 0 if self.virtual[i] else 1

    def unknown(self, i: int, withheld: set[int]) -> bool:
        return i in withheld or self.virtual[i]

    def sensitive(self, i: int, withheld: set[int], k: int) -> bool:
        """Whether the cell's interval must be at least k wide: every withheld count, and a virtual one that
        is small (a whole minus its part that is from 1 to k-1)."""
        if self.virtual[i]:
            return not self.quiet[i] and 0 < self.values[i] < k
        return i in withheld

    def publishable(self, i: int, withheld: set[int]) -> bool:
        """Whether the cell could still be withheld as a complement: published, real and not zero."""
        return not self.virtual[i] and i not in withheld and self.values[i] > 0


def _components(system: System, withheld: set[int]) -> list[tuple[list[int], list[int]]]:
    """The unknown cells in groups that share equations, each with the equations that touch it."""
    root: dict[int, int] = {}

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    touching: list[tuple[int, list[int]]] = []
    for e, (parent, children) in enumerate(system.equations):
        unknown = [m for m in (parent, *children) if system.unknown(m, withheld)]
        if not unknown:
            continue
        for m in unknown:
            root.setdefault(m, m)
        for m in unknown[1:]:
            a, b = find(unknown[0]), find(m)
            if a != b:
                root[max(a, b)] = min(a, b)
        touching.append((e, unknown))
    cells: dict[int, list[int]] = {}
    for m in sorted(root):
        cells.setdefault(find(m), []).append(m)
    eqs: dict[int, list[int]] = {}
    for e, unknown in touching:
        eqs.setdefault(find(unknown[0]), []).append(e)
    return [(cells[r], eqs.get(r, [])) for r in sorted(cells)]


def audit(system: System, withheld: set[int], k: int, *, passed: set[int]) -> list[int]:
    """The sensitive cells whose interval is narrower than k, in order. Cells shown to be safe are added to
    `passed` (they stay safe when more is withheld, since that only removes what the attacker knows)."""
    failing: list[int] = []
    for cells, eqs in _components(system, withheld):
        targets = [i for i in cells if system.sensitive(i, withheld, k) and i not in passed]
        if targets:
            failing.extend(_audit_component(system, withheld, k, cells, eqs, targets, passed))
    # A sensitive cell in no equation at all (a cube with no dimensions) is known to be at least 1 and
    # nothing else: unbounded above, so safe.
    return sorted(failing)


def _audit_component(
    system: System,
    withheld: set[int],
    k: int,
    cells: list[int],
    eqs: list[int],
    targets: list[int],
    passed: set[int],
) -> list[int]:
    column = {c: j for j, c in enumerate(cells)}
    entries: list[list[tuple[int, float]]] = [[] for _ in cells]  # per column: (row, coefficient)
    rhs: list[float] = []
    for r, e in enumerate(eqs):
        parent, children = system.equations[e]
        known = 0
        for m, sign in ((parent, 1), *((c, -1) for c in children)):
            if system.unknown(m, withheld):
                entries[column[m]].append((r, float(sign)))
            else:
                known += sign * system.values[m]
        rhs.append(float(-known))
    matrix = _Columns(
        rows=len(eqs),
        start=np.cumsum([0, *(len(col) for col in entries)], dtype=np.int32),
        index=np.array([r for col in entries for r, _ in col], dtype=np.int32),
        value=np.array([v for col in entries for _, v in col], dtype=float),
    )
    # No withheld count can exceed every count shown together; the bound only keeps the programme finite,
    # and a cell that reaches it ranges over far more than k values.
    ceiling = 2 * max(system.values) + 2 * k + 1
    solver = _solver(matrix, np.array(rhs), [system.lowest(c) for c in cells], ceiling)
    everywhere = np.arange(len(cells), dtype=np.int32)
    low = np.array([system.values[c] for c in cells], dtype=float)
    high = low.copy()

    def explore(objective: np.ndarray) -> None:
        """Move as far as `objective` asks (from the last basis: each programme is a few pivots from the
        one before) and remember the point."""
        solver.changeColsCost(len(cells), everywhere, objective)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise AssertionError(f"the published figures of {system.cells[cells[0]].population} admit no solution")
        point = np.array(solver.getSolution().col_value)
        np.minimum(low, point, out=low)
        np.maximum(high, point, out=high)

    def wide(j: int) -> bool:
        # Whole numbers only: the attacker can round the bounds inwards.
        return bool(np.floor(high[j] + EPSILON) - np.ceil(low[j] - EPSILON) >= k)

    columns = [column[t] for t in targets]
    # Two programmes push every target up, then down, together: most cells are seen to be wide at once.
    together = np.zeros(len(cells))
    together[columns] = 1.0
    explore(-together)
    explore(together)
    failing = []
    for t, j in zip(targets, columns, strict=True):
        for sense in (-1.0, 1.0):  # the largest value first
            if wide(j):
                break
            objective = np.zeros(len(cells))
            objective[j] = sense
            explore(objective)
        if wide(j):
            passed.add(t)
        else:
            failing.append(t)
    return failing


@dataclass(frozen=True)
class _Columns:
    """A sparse matrix by columns, as HiGHS takes it."""

    rows: int
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray


def _solver(matrix: _Columns, rhs: np.ndarray, lowest: list[int], ceiling: int) -> highspy.Highs:
    """A HiGHS linear programme over the component's unknown cells: each equation holds exactly, each cell
    lies between its lowest value and the ceiling; the objective is set for each question asked."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(lowest)
    lp.num_row_ = matrix.rows
    lp.col_cost_ = np.zeros(len(lowest))
    lp.col_lower_ = np.array(lowest, dtype=float)
    lp.col_upper_ = np.full(len(lowest), float(ceiling))
    lp.row_lower_ = rhs
    lp.row_upper_ = rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.start
    lp.a_matrix_.index_ = matrix.index
    lp.a_matrix_.value_ = matrix.value
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("presolve", "off")  # keeps the basis from one question to the next
    solver.setOptionValue("simplex_strategy", 4)  # primal simplex: a new objective keeps the basis feasible
    solver.passModel(lp)
    return solver


def first_complement(system: System, withheld: set[int], i: int) -> int | None:
    """The cell to withhold next for a cell that failed the audit: the smallest published non-zero cell in
    an equation with it, or, when its equations have none, in the equations of the unknown cells next to it,
    and so on outwards."""
    seen = {i}
    frontier = [i]
    while frontier:
        candidates: set[int] = set()
        reached: set[int] = set()
        for cell in frontier:
            for e in system.containing.get(cell, []):
                parent, children = system.equations[e]
                for m in (parent, *children):
                    if system.publishable(m, withheld):
                        candidates.add(m)
                    elif m not in seen and system.unknown(m, withheld):
                        reached.add(m)
        if candidates:
            return min(candidates, key=lambda m: (system.values[m], system.cells[m]))
        seen |= reached
        frontier = sorted(reached)
    return None
