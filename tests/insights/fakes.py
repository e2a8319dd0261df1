"""Measures registered for one test only, with computations over constructed counts, so the pages' handling
of every kind of measure (count, percentage, rate, working-day statistic, snapshot) is tested with exact
figures before, and whatever, the real measures arrive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from onedoor.insights import query as query_module
from onedoor.insights import registry
from onedoor.insights.cells import Category, Cube, build_cube
from onedoor.insights.query import Computation, Query
from onedoor.insights.registry import Measure

Counts = Mapping[str, Sequence[tuple[Mapping[str, str], int]]]  # period code -> [(coordinates, n)]


def fake_computation(measure_id: str, counts: Counts, categories: Mapping[str, tuple[Category, ...]]) -> Computation:
    def compute(q: Query) -> Cube:
        out: dict[tuple[str, ...], int] = {}
        for coords, n in counts.get(q.period.code, ()):
            combo = tuple(coords[d] for d in q.by)
            out[combo] = out.get(combo, 0) + n
        return build_cube(population=q.population(measure_id), categories={d: categories[d] for d in q.by}, counts=out)

    return compute


@contextmanager
def registered(*entries: tuple[Measure, Computation | None]) -> Iterator[None]:
    """Register measures (each with its computation, or None for a derived one) for the duration."""
    before_measures = dict(registry.MEASURES)
    before_computations = dict(query_module._COMPUTATIONS)
    try:
        for measure, computation in entries:
            registry.register(measure)
            if computation is not None:
                query_module.computes(measure.id)(computation)
        yield
    finally:
        registry.MEASURES.clear()
        registry.MEASURES.update(before_measures)
        query_module._COMPUTATIONS.clear()
        query_module._COMPUTATIONS.update(before_computations)
