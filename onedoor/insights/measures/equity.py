"""Equity: who is referred, who starts support and whose case closes, by each protected characteristic and
age band, with "not recorded" (nobody asked) and "prefer not to say" (the person's choice) each apart."""

from __future__ import annotations

from collections.abc import Callable

from onedoor.insights import dimensions as dims
from onedoor.insights.query import Query
from onedoor.insights.registry import Group, Measure
from onedoor.insights.rollups_b import facts
from onedoor.insights.rollups_b.read import count_measure
from onedoor.insights.tables import Unit

BREAKDOWNS = (dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND, *dims.CHARACTERISTICS)

CATEGORIES_NOTE = (
    " Each characteristic uses the ONS harmonised categories; \u201cnot recorded\u201d (nobody asked, or the "
    "answer was not written down) and \u201cprefer not to say\u201d (the person chose not to) are shown apart. "
    "Break it down by one characteristic at a time, with age band and the page's filters."
)


def _fact(total: str, by: Callable[[str], str]) -> Callable[[Query], str]:
    def choose(query: Query) -> str:
        asked = [d for d in query.by if d in dims.CHARACTERISTICS]
        return by(asked[0]) if asked else total

    return choose


REFERRED = count_measure(
    Measure(
        id="equity.referred",
        group=Group.EQUITY,
        title="People referred, by protected characteristic",
        definition="Referrals received in the period, by the day received." + CATEGORIES_NOTE,
        unit=Unit.COUNT,
        numerator="Referrals received in the period",
        dimensions=BREAKDOWNS,
    ),
    _fact(facts.RECEIVED, facts.received_by),
)

ENGAGED = count_measure(
    Measure(
        id="equity.engaged",
        group=Group.EQUITY,
        title="People who started support, by protected characteristic",
        definition=(
            "Referrals whose support started (the service recorded the person as engaged) in the period, with the "
            "service that started it. Support started again after a case was re-opened counts again." + CATEGORIES_NOTE
        ),
        unit=Unit.COUNT,
        numerator="Starts of support in the period",
        dimensions=BREAKDOWNS,
    ),
    _fact(facts.ENGAGED, facts.engaged_by),
)

CLOSED = count_measure(
    Measure(
        id="equity.closed",
        group=Group.EQUITY,
        title="People whose case closed, by protected characteristic",
        definition="Cases closed in the period, by the day closed." + CATEGORIES_NOTE,
        unit=Unit.COUNT,
        numerator="Closures recorded in the period",
        dimensions=BREAKDOWNS,
    ),
    _fact(facts.CLOSED, facts.closed_by),
)
