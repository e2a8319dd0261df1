"""Statistical disclosure control for everything the commissioner sees: small counts are suppressed so
that no figure can point to a person, and no suppressed count can be worked out from the figures beside it.

`protect` takes every cube a page or an export shows and returns what may be published of each
(ADR 0022, docs/disclosure.md):

- primary suppression: a count from 1 to k-1 is withheld;
- secondary (complementary) suppression: more counts are withheld until no withheld one can be recovered, to
  within k, from what is published: the cube's own margins, the other cubes of the same population (the same
  cell is the same number wherever it appears), and any relation between populations the caller declares
  (`sums`, `nested`);
- an exact audit: for every withheld cell, the smallest and largest whole number consistent with everything
  published (an integer programme, `onedoor.insights.disclosure_audit`) must be at least k apart.

Zeros are always published and never withheld, so an attacker knows every "[c]" is at least 1; the audit
assumes exactly that and nothing more (a page never says whether a count was withheld as primary or as
secondary). The result depends only on the counts, k and the relations: never on the time of asking or the
order of the cubes, so the same figures give the same page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from onedoor.areas.current import area_data
from onedoor.insights.cells import Category, CellKey, Cube
from onedoor.insights.disclosure_audit import Cell, System, audit, first_complement

# The default threshold k: counts from 1 to k-1 are never published. An area may set its own
# (`disclosure.threshold` in the area file; `threshold()`).
SUPPRESS_BELOW = 5

# One sentence for pages and exports, beside any table that may hold "[c]".
SUPPRESSION_NOTE = (
    "[c] marks a figure withheld to protect confidentiality: it is a small number, or it would let a small "
    "number be worked out from the figures shown."
)


def suppression_note(k: int) -> str:
    """The note with the area's threshold in it, for a metadata sheet or a page footer."""
    return (
        f"[c] marks a figure withheld to protect confidentiality: it is fewer than {k}, or it would let a figure "
        f"fewer than {k} be worked out from the figures shown. Zeros are shown."
    )


def threshold() -> int:
    """The area's k (`disclosure.threshold` in its area file), or SUPPRESS_BELOW when it sets none."""
    settings = area_data().get("disclosure") or {}
    return int(settings.get("threshold", SUPPRESS_BELOW))


class Suppression(StrEnum):
    PRIMARY = "primary"  # a count from 1 to k-1
    SECONDARY = "secondary"  # withheld so that a primary one cannot be worked out from the others


@dataclass(frozen=True)
class Protected:
    """What may be published of a population: every cell's count, or None where it is withheld, and why.

    `cube` is the population's cube; when a page shows several cubes of one population (by service, and by
    service and district), it is their union (every cell of each; its `additivity` is then not meaningful),
    and `cubes` are the cubes as given. The reason in `withheld` is for tests and the audit trail: a page or
    an export shows "[c]" for both, never which it was."""

    cube: Cube
    k: int
    shown: Mapping[CellKey, int | None]
    withheld: Mapping[CellKey, Suppression]
    cubes: tuple[Cube, ...] = ()

    def value(self, key: CellKey) -> int | None:
        return self.shown[key]


def _canon(key: CellKey) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(key))


def _where(key: CellKey) -> str:
    return ", ".join(f"{d}={c}" for d, c in _canon(key)) or "the total"


def _merge(population: str, cubes: Sequence[Cube]) -> Cube:
    """One cube holding every cell of the population's cubes; the same cell must have the same count."""
    if len(cubes) == 1:
        return cubes[0]
    dimensions: list[str] = []
    categories: dict[str, tuple[Category, ...]] = {}
    cells: dict[CellKey, int] = {}
    for cube in cubes:
        for d in cube.dimensions:
            if d not in categories:
                dimensions.append(d)
                categories[d] = tuple(cube.categories[d])
            elif categories[d] != tuple(cube.categories[d]):
                raise ValueError(f"{population}: two cubes list different categories of {d}")
        for key, n in cube.cells.items():
            if cells.setdefault(key, n) != n:
                raise ValueError(
                    f"{population}: two cubes count {_where(key)} differently ({cells[key]} and {n}); cubes that "
                    "share a population must come from the same counts"
                )
    return Cube(population=population, dimensions=tuple(dimensions), categories=categories, cells=cells)


def _build(
    groups: Mapping[str, Sequence[Cube]],
    merged: Mapping[str, Cube],
    sums: Sequence[tuple[str, Sequence[str]]],
    nested: Sequence[tuple[str, str]],
    unpublished: Mapping[str, Sequence[str]],
    covers: Sequence[tuple[str, Sequence[str]]] = (),
) -> System:
    system = System()
    for population in sorted(merged):
        cells = merged[population].cells
        quiet = set(unpublished.get(population, ()))
        for key in sorted(cells, key=_canon):
            system.add(Cell(population, _canon(key)), cells[key], quiet=any(d in quiet for d, _ in key))
    for population in sorted(groups):
        for cube in groups[population]:
            for parent, children in cube.additivity():
                missing = [c for c in (parent, *children) if c not in cube.cells]
                if missing:
                    raise ValueError(
                        f"{population}: the cube has no cell for {_where(missing[0])}; make it with build_cube"
                    )
                system.equation(Cell(population, _canon(parent)), [Cell(population, _canon(c)) for c in children])
    for whole, parts in sums:
        _known(merged, whole, *parts)
        for key in sorted(merged[whole].cells, key=_canon):
            if all(key in merged[p].cells for p in parts):
                system.equation(Cell(whole, _canon(key)), [Cell(p, _canon(key)) for p in parts])
    for part, whole in nested:
        _rest(system, merged, whole, [part])
    for whole, parts in covers:
        _rest(system, merged, whole, parts)
    return system


def _rest(system: System, merged: Mapping[str, Cube], whole: str, parts: Sequence[str]) -> None:
    """whole = parts + what they leave out, a count nobody is shown (a virtual cell), at every shared key."""
    _known(merged, whole, *parts)
    for key in sorted(merged[whole].cells, key=_canon):
        if not all(key in merged[p].cells for p in parts):
            continue
        rest = merged[whole].cells[key] - sum(merged[p].cells[key] for p in parts)
        if rest < 0:
            raise ValueError(
                f"{' and '.join(parts)} {'is' if len(parts) == 1 else 'are'} declared part of {whole} but "
                f"count{'s' if len(parts) == 1 else ''} more at {_where(key)}"
            )
        hidden = Cell(f"{whole} minus {' and '.join(parts)}", _canon(key))
        system.add(hidden, rest, virtual=True)
        system.equation(Cell(whole, _canon(key)), [*(Cell(p, _canon(key)) for p in parts), hidden])


def _known(merged: Mapping[str, Cube], *populations: str) -> None:
    for population in populations:
        if population not in merged:
            raise ValueError(f"a relation names {population!r}, which is not among the cubes given")


def protect(
    cubes: Sequence[Cube],
    *,
    k: int | None = None,
    sums: Sequence[tuple[str, Sequence[str]]] = (),
    nested: Sequence[tuple[str, str]] = (),
    unpublished: Mapping[str, Sequence[str]] | None = None,
    covers: Sequence[tuple[str, Sequence[str]]] = (),
) -> dict[str, Protected]:
    """What may be published of every cube shown together (one page, one export), by population.

    `k` is the threshold (the area's, `threshold()`, when not given). Cubes with the same `population` are
    the same counts broken down differently, and are protected as one. Two relations between populations can
    be declared so that subtracting one table from another recovers nothing either:
    - `sums`: (whole, parts): the whole's cells are the sum of the parts' same cells (a quarter and its three
      months, shown together in a trend);
    - `nested`: (part, whole): the part is a subset of the whole (engaged of received, for a percentage), so
      whole minus part is itself a count that must not be small and shown;
    - `covers`: (whole, parts): the parts are disjoint pieces of the whole that need not fill it (a quarter of
      last year and the one month of it a 13-month trend shows); what they leave out is a hidden count, as in
      `nested`.

    `unpublished` names, by population, dimensions whose cells the page never shows: a working-day histogram
    whose median, 90th percentile or longest wait alone is published. Those cells come back as None (not
    shown, and not in `withheld`), are unknown to the attacker, and need no protection of their own; the
    statistic is still withheld when fewer than k waits stand behind it (`figures.statistic_figure`).
    """
    k = threshold() if k is None else k
    if k < 2:
        raise ValueError(f"the disclosure threshold must be at least 2, not {k}")
    groups: dict[str, list[Cube]] = defaultdict(list)
    for cube in cubes:
        groups[cube.population].append(cube)
    merged = {population: _merge(population, group) for population, group in groups.items()}
    for population, dimensions in (unpublished or {}).items():
        _known(merged, population)
        unknown_dims = [d for d in dimensions if d not in merged[population].dimensions]
        if unknown_dims:
            raise ValueError(f"{population} has no dimension {unknown_dims[0]!r} to leave unpublished")
    system = _build(groups, merged, sums, nested, unpublished or {}, covers)
    primary = {i for i, n in enumerate(system.values) if 0 < n < k and not system.virtual[i]}
    withheld = _secure(system, primary, k)
    out: dict[str, Protected] = {}
    for population in sorted(merged):
        cube = merged[population]
        reasons: dict[CellKey, Suppression] = {}
        quiet: set[CellKey] = set()
        for key in cube.cells:
            i = system.index[Cell(population, _canon(key))]
            if system.quiet[i]:
                quiet.add(key)
            elif i in withheld:
                reasons[key] = Suppression.PRIMARY if i in primary else Suppression.SECONDARY
        shown = {key: (None if key in reasons or key in quiet else n) for key, n in cube.cells.items()}
        out[population] = Protected(cube=cube, k=k, shown=shown, withheld=reasons, cubes=tuple(groups[population]))
    return out


def _secure(system: System, primary: set[int], k: int) -> set[int]:
    """Primary cells plus complements: greedy to a fixpoint, then the exact audit, repeated until it passes.
    Withholding more only widens every interval, so a cell the audit has passed stays passed, and the loop
    ends (at worst with every non-zero cell withheld, which is always safe)."""
    withheld = set(primary)
    _greedy(system, withheld, k)
    passed: set[int] = set()
    while True:
        failing = audit(system, withheld, k, passed=passed)
        if not failing:
            return withheld
        added: set[int] = set()
        for i in failing:
            # One complement per neighbourhood per round: a cell next to one just withheld may pass now.
            if any(m in added for e in system.containing.get(i, []) for m in system.members(e)):
                continue
            extra = first_complement(system, withheld, i)
            if extra is not None:
                withheld.add(extra)
                added.add(extra)
        if not added:  # pragma: no cover - with every non-zero cell withheld nothing is bounded above
            raise AssertionError(f"nothing left to withhold around {system.cells[failing[0]]}")
        _greedy(system, withheld, k)


def _greedy(system: System, withheld: set[int], k: int) -> None:
    """Complementary suppression by the two rules an equation alone can show: an equation with exactly one
    unknown cell gives it away, and unknown children that must sum to a known amount too small to hide in
    (less than k above their smallest possible values) pin each other down. Either way the smallest published
    non-zero cell of the equation is withheld too (a child before the parent), and the rules run again until
    nothing changes."""
    changed = True
    while changed:
        changed = False
        for parent, children in system.equations:
            unknown = [m for m in (parent, *children) if m in withheld or system.virtual[m]]
            if not any(system.sensitive(m, withheld, k) for m in unknown):
                continue
            if len(unknown) > 1:
                if parent in unknown:
                    continue
                room = sum(system.values[m] for m in unknown) - sum(system.lowest(m) for m in unknown)
                if room >= k:
                    continue
            extra = _smallest_published(system, withheld, children)
            if extra is None:
                extra = _smallest_published(system, withheld, (parent,))
            if extra is not None:
                withheld.add(extra)
                changed = True


def _smallest_published(system: System, withheld: set[int], members: Iterable[int]) -> int | None:
    candidates = [m for m in members if system.publishable(m, withheld)]
    return min(candidates, key=lambda m: (system.values[m], system.cells[m])) if candidates else None
