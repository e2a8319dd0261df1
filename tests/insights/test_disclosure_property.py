"""The property behind secondary suppression, checked by an attacker written independently of the code:
for every withheld cell, the whole numbers it could be, given every published cell, every margin equation
and that a withheld count is at least 1 (zeros are shown), span at least k.

The attacker here is scipy's mixed-integer solver over the cube's own equations (`Cube.additivity`), not
the audit inside `protect`: a different formulation and a stronger (integer) question."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from onedoor.insights.cells import Category, CellKey, Cube, build_cube
from onedoor.insights.disclosure import Protected, protect

SMALL_MOSTLY = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 40))


Place = tuple[str, CellKey]  # (population, cell)


def _interval(cubes: list[Cube], shown: Mapping[CellKey, int | None], target: CellKey) -> tuple[float, float]:
    """The least and greatest whole value of `target` consistent with what is shown (inf when unbounded)."""
    population = cubes[0].population
    return _interval_of(cubes, {population: shown}, [], {(population, target): 1.0})


def _interval_of(
    cubes: list[Cube],
    shown: Mapping[str, Mapping[CellKey, int | None]],
    sums: list[tuple[Place, list[Place]]],
    target: Mapping[Place, float],
    at_most: list[tuple[Place, Place]] | None = None,
) -> tuple[float, float]:
    """The least and greatest value of a sum of cells (`target`: place -> coefficient) over every assignment
    of whole numbers of at least 1 to the withheld cells that satisfies the cubes' margins, the extra
    equations `sums` (a whole = the sum of its parts) and the inequalities `at_most` (a part <= its whole)."""
    equations: list[tuple[Place, list[Place]]] = [
        ((cube.population, parent), [(cube.population, c) for c in children])
        for cube in cubes
        for parent, children in cube.additivity()
    ]
    equations += sums
    unknown = sorted(
        ((p, key) for p, cells in shown.items() for key, v in cells.items() if v is None),
        key=lambda place: (place[0], sorted(place[1])),
    )
    column = {place: j for j, place in enumerate(unknown)}

    def linear(terms: list[tuple[Place, float]]) -> tuple[np.ndarray, float]:
        row = np.zeros(len(unknown))
        known = 0.0
        for place, sign in terms:
            value = shown[place[0]][place[1]]
            if value is None:
                row[column[place]] += sign
            else:
                known += sign * value
        return row, known

    rows: list[tuple[np.ndarray, float, float]] = []  # (coefficients, least, greatest)
    for parent, children in equations:
        row, known = linear([(parent, 1.0), *((c, -1.0) for c in children)])
        if row.any():
            rows.append((row, -known, -known))
    for part, whole in at_most or []:
        row, known = linear([(part, 1.0), (whole, -1.0)])
        if row.any():
            rows.append((row, -np.inf, -known))
    # One constraint matrix, not one object a row: scipy's per-object checks were most of the suite's time.
    constraints = (
        [LinearConstraint(np.vstack([r for r, _, _ in rows]), [lo for _, lo, _ in rows], [hi for _, _, hi in rows])]
        if rows
        else []
    )
    objective, offset = linear(list(target.items()))
    if not objective.any():
        return offset, offset
    found = []
    for sense in (1.0, -1.0):
        result = milp(
            sense * objective,
            integrality=np.ones(len(unknown)),
            bounds=Bounds(np.ones(len(unknown)), np.full(len(unknown), np.inf)),
            constraints=constraints,
            # scipy's HiGHS presolve (1.17) reported 3 as the greatest value of a cell that can be 4 in
            # `test_the_attacker_finds_the_greatest_whole_value`; without it the answer is exact.
            options={"presolve": False},
        )
        if result.status == 3 or (result.status != 0 and sense < 0):  # unbounded above
            found.append(np.inf)
            continue
        assert result.status == 0, result.message
        found.append(float(objective @ result.x) + offset)
    return found[0], found[1]


@st.composite
def cubes(draw: st.DrawFn) -> Cube:
    n_dims = draw(st.integers(1, 3))
    sizes = [draw(st.integers(2, 6 if n_dims < 3 else 3)) for _ in range(n_dims)]
    categories = {f"d{i}": tuple(Category(f"c{j}", f"C{j}") for j in range(size)) for i, size in enumerate(sizes)}
    combos: list[tuple[str, ...]] = [()]
    for size in sizes:
        combos = [(*c, f"c{j}") for c in combos for j in range(size)]
    counts = {combo: draw(SMALL_MOSTLY) for combo in combos}
    return build_cube(population="p", categories=categories, counts=counts)


def _check(cubes_shown: list[Cube], result: Protected) -> None:
    for cell in result.withheld:
        low, high = _interval(cubes_shown, result.shown, cell)
        assert high - low >= result.k, f"{sorted(cell)} is {result.cube[cell]}, pinned to [{low}, {high}]"
    for cell, value in result.shown.items():
        assert value is None or value == 0 or value >= result.k
        assert (value is None) == (cell in result.withheld)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cube=cubes(), k=st.integers(3, 10))
def test_no_withheld_cell_can_be_narrowed_below_k(cube: Cube, k: int) -> None:
    _check([cube], protect([cube], k=k)["p"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cube=cubes(), k=st.integers(3, 10), data=st.data())
def test_tables_of_one_population_on_one_page_are_protected_together(cube: Cube, k: int, data: st.DataObject) -> None:
    """Two tables of the same population (its margins by each dimension, and the full breakdown) shown side
    by side: the attacker combines them, and still cannot pin a withheld cell down."""
    dims = cube.dimensions
    keep = data.draw(st.sampled_from(dims))
    margin = build_cube(
        population="p",
        categories={keep: cube.categories[keep]},
        counts={(c.code,): cube.get(**{keep: c.code}) for c in cube.categories[keep]},
    )
    result = protect([margin, cube], k=k)["p"]
    _check([margin, cube], result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=cubes(), k=st.integers(3, 10), data=st.data())
def test_a_quarter_beside_its_months_cannot_be_differenced(shape: Cube, k: int, data: st.DataObject) -> None:
    """A quarter and its months on one page, declared with `sums`: subtracting months from the quarter
    pins no withheld cell either."""
    full = [key for key in shape.cells if len(key) == len(shape.dimensions)]
    months = []
    for m in range(data.draw(st.integers(2, 3))):
        counts = {tuple(code for _, code in sorted(key)): data.draw(SMALL_MOSTLY) for key in full}
        months.append(build_cube(population=f"m{m}", categories=shape.categories, counts=counts))
    quarter = build_cube(
        population="q",
        categories=shape.categories,
        counts={tuple(code for _, code in sorted(key)): sum(m[key] for m in months) for key in full},
    )
    out = protect([quarter, *months], k=k, sums=[("q", [m.population for m in months])])
    shown = {p: r.shown for p, r in out.items()}
    sums = [(("q", key), [(m.population, key) for m in months]) for key in quarter.cells]
    for population, result in out.items():
        for cell in result.withheld:
            low, high = _interval_of([quarter, *months], shown, sums, {(population, cell): 1.0})
            assert high - low >= k, f"{population} {sorted(cell)} is {result.cube[cell]}, pinned to [{low}, {high}]"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(whole=cubes(), k=st.integers(3, 10), data=st.data())
def test_a_part_beside_its_whole_hides_a_small_difference(whole: Cube, k: int, data: st.DataObject) -> None:
    """A numerator beside its denominator (engaged of received), declared with `nested`: the attacker knows
    part <= whole cell by cell, and still cannot pin a withheld cell, nor a small difference, to fewer than k
    values."""
    full = [key for key in whole.cells if len(key) == len(whole.dimensions)]
    counts = {tuple(c for _, c in sorted(key)): data.draw(st.integers(0, whole[key])) for key in full}
    part = build_cube(population="part", categories=whole.categories, counts=counts)
    out = protect([whole, part], k=k, nested=[("part", "p")])
    shown = {p: r.shown for p, r in out.items()}
    at_most = [(("part", key), ("p", key)) for key in part.cells]
    for population, result in out.items():
        for cell in result.withheld:
            low, high = _interval_of([whole, part], shown, [], {(population, cell): 1.0}, at_most)
            assert high - low >= k, f"{population} {sorted(cell)} is {result.cube[cell]}, pinned to [{low}, {high}]"
    for cell in whole.cells:
        if 0 < whole[cell] - part[cell] < k:
            low, high = _interval_of([whole, part], shown, [], {("p", cell): 1.0, ("part", cell): -1.0}, at_most)
            # The difference may be 0, so its least value is 0 rather than 1.
            assert high - low >= k, f"{sorted(cell)}: {whole[cell] - part[cell]} left, pinned to [{low}, {high}]"


def test_the_attacker_finds_the_greatest_whole_value() -> None:
    """A part beside its whole where a withheld part cell can be 1 to 4 (in whole numbers): the audit
    publishes it, and the attacker must not claim to pin it to 1 to 3 (scipy's presolve once did)."""
    categories = {"d0": tuple(Category(f"c{j}", f"C{j}") for j in range(2))}
    categories["d1"] = tuple(Category(f"c{j}", f"C{j}") for j in range(4))
    whole_counts: dict[tuple[str, ...], int] = {("c0", "c0"): 2, ("c0", "c1"): 2, ("c0", "c2"): 4, ("c0", "c3"): 3}
    whole_counts |= {("c1", "c0"): 4, ("c1", "c1"): 1, ("c1", "c2"): 2, ("c1", "c3"): 1}
    part_counts: dict[tuple[str, ...], int] = {("c0", "c0"): 0, ("c0", "c1"): 1, ("c0", "c2"): 1, ("c0", "c3"): 3}
    part_counts |= {("c1", "c0"): 0, ("c1", "c1"): 0, ("c1", "c2"): 2, ("c1", "c3"): 1}
    whole = build_cube(population="p", categories=categories, counts=whole_counts)
    part = build_cube(population="part", categories=categories, counts=part_counts)
    out = protect([whole, part], k=3, nested=[("part", "p")])
    shown = {p: r.shown for p, r in out.items()}
    at_most = [(("part", key), ("p", key)) for key in part.cells]
    d1_c1 = frozenset({("d1", "c1")})
    assert shown["part"][d1_c1] is None
    assert _interval_of([whole, part], shown, [], {("part", d1_c1): 1.0}, at_most) == (1.0, 4.0)
    for population, result in out.items():
        for cell in result.withheld:
            low, high = _interval_of([whole, part], shown, [], {(population, cell): 1.0}, at_most)
            assert high - low >= 3, f"{population} {sorted(cell)} pinned to [{low}, {high}]"
