"""What a figure is asked for: a period, the page's filters, whose services it may cover, and the dimensions
to break it down by. Every measure's computation takes a `Query` and returns a `Cube` of counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from onedoor.insights.cells import Cube
from onedoor.insights.periods import Period


@dataclass(frozen=True)
class Filters:
    """At most one category per filter dimension (`dimensions.FILTER_DIMENSIONS`); None is "all"."""

    service: str | None = None
    district: str | None = None
    offence_group: str | None = None
    source: str | None = None
    age_band: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in vars(self).items() if value is not None]

    @property
    def code(self) -> str:
        return ",".join(f"{name}={value}" for name, value in self.items())


@dataclass(frozen=True)
class Scope:
    """Whose figures: `services` None for the commissioner (every service), otherwise the ids of the services
    a provider's organisation runs. A provider's scope never widens to another provider's services."""

    services: frozenset[int] | None = None
    label: str = "All services"

    @property
    def is_everything(self) -> bool:
        return self.services is None


EVERYTHING = Scope()


@dataclass(frozen=True)
class Query:
    period: Period
    filters: Filters = field(default_factory=Filters)
    scope: Scope = EVERYTHING
    by: tuple[str, ...] = ()

    def population(self, measure_id: str) -> str:
        """The cube's population name: the same measure, period, filters and scope is the same population,
        whatever it is broken down by, so tables of it on one page share their cells."""
        services = "all" if self.scope.services is None else "+".join(str(s) for s in sorted(self.scope.services))
        return f"{measure_id}|{self.period.code}|{self.filters.code}|{services}"


Computation = Callable[[Query], Cube]
_COMPUTATIONS: dict[str, Computation] = {}


def computes(measure_id: str) -> Callable[[Computation], Computation]:
    """Register the function that counts a registered measure."""

    def decorate(func: Computation) -> Computation:
        if measure_id in _COMPUTATIONS:
            raise ValueError(f"measure {measure_id} has two computations")
        _COMPUTATIONS[measure_id] = func
        return func

    return decorate


def compute(measure_id: str, query: Query) -> Cube:
    return _COMPUTATIONS[measure_id](query)


# Counts a page asks for together: (count measure id, query) pairs. A rollup can read many of them in one
# query (every period of a page, every fact broken down the same way), so a page's query count depends on the
# breakdowns it shows, not on how many measures and periods it shows them for.
Request = tuple[str, Query]
Batch = Callable[[Sequence[Request]], list[Cube]]
_BATCHES: dict[str, Batch] = {}


def computes_together(measure_id: str, batch: Batch) -> None:
    """Say that `batch` can count `measure_id` together with the other measures it is registered for. The
    measure's single computation (`computes`) stays, and must give the same cube as the batch."""
    if measure_id not in _COMPUTATIONS:
        raise ValueError(f"measure {measure_id} has no computation to batch")
    _BATCHES[measure_id] = batch


def compute_many(requests: Sequence[Request]) -> list[Cube]:
    """The cube of every request, in order: the ones a batch can count, together (one call of each batch),
    the rest one by one."""
    out: list[Cube | None] = [None] * len(requests)
    batched: dict[Batch, list[int]] = defaultdict(list)
    for i, (measure_id, query) in enumerate(requests):
        batch = _BATCHES.get(measure_id)
        if batch is None:
            out[i] = compute(measure_id, query)
        else:
            batched[batch].append(i)
    for batch, indexes in batched.items():
        for i, cube in zip(indexes, batch([requests[i] for i in indexes]), strict=True):
            out[i] = cube
    return [cube for cube in out if cube is not None]


def computable() -> frozenset[str]:
    return frozenset(_COMPUTATIONS)
