"""Victims' Code compliance: the four things OneDoor can evidence of Right 4 are each a registered measure,
labelled with the right and paragraph it evidences (REFERENCE.md), and each is in the quarterly return."""

from __future__ import annotations

from onedoor.insights.layouts import QUARTERLY_RETURN
from onedoor.insights.registry import MEASURES, Group
from onedoor.insights.tables import Unit

CODE_MEASURES = {
    "compliance.referred_within_time": "Right 4, paragraph 4.5",  # police referral within 2 working days
    "compliance.contacted_within_target": "Right 4",  # contact by the service within its target
    "compliance.needs_assessed_pct": "Right 4",  # a needs assessment
    "compliance.enhanced_rights_considered_pct": "Right 4",  # the Enhanced Rights flag considered
}


def test_each_thing_the_code_asks_for_is_measured_with_its_paragraph() -> None:
    for measure_id, paragraph in CODE_MEASURES.items():
        m = MEASURES[measure_id]
        assert m.group is Group.COMPLIANCE and m.unit is Unit.PERCENT, measure_id
        assert m.code_paragraph.startswith(paragraph), (measure_id, m.code_paragraph)
        # A percentage names the two counts it is made from, both registered.
        assert m.numerator_id in MEASURES and m.denominator_id in MEASURES, measure_id


def test_the_quarterly_return_shows_every_code_measure() -> None:
    code = next(s for s in QUARTERLY_RETURN if s.key == "code")
    shown = {spec.measure.id for spec in code.specs()}
    assert set(CODE_MEASURES) <= shown
