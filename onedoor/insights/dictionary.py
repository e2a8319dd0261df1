"""The data dictionary, `docs/insights.md`, written from the measure registry so that it can never disagree with
what the pages, exports, the quarterly return and the report show. `manage.py insights_dictionary` writes it;
a test fails when the committed file is not what the command would write."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.registry import GROUP_TITLES, Group, Measure, measures_in
from onedoor.insights.tables import UNIT_LABELS, Unit

PREAMBLE = """# Commissioner insights: the data dictionary

<!-- Generated from the measure registry (onedoor/insights/measures/) by `manage.py insights_dictionary`.
Do not edit by hand: change the measure's definition and run the command. -->

Every figure the commissioner's analyst (and a provider's team lead, for their own services) sees is one of
the measures below, defined once. The pages, the exports, the quarterly return and the needs-assessment
report all read this registry. How the pages work is in [insights-pages.md](insights-pages.md).

- **Periods.** Every figure belongs to a fixed period that has ended: a calendar month, a financial quarter
  (Q1 is April to June), a financial year, or a custom range of whole months. Each is shown beside the
  previous period and the same period last year. A *snapshot* measure is "as at" the last day of the period.
- **Not recorded.** Every breakdown has a "Not recorded" row: a referral with no district (say) is counted
  there, never dropped.
- **Disclosure control.** Counts from 1 to k-1 (k is 5 unless the area sets its own) are withheld and shown
  as `[c]`, with any figure from which one could be worked out; a percentage, rate or working-day statistic
  built on a withheld count is withheld too. `[x]` marks a figure that cannot be worked out.
- **Units.** Counts; percentages (numerator over denominator, both counted over the same period and filters);
  rates per 1,000 residents (Census 2021 population of the district, or of the area); whole working days
  (bank holidays excluded), as a median, a 90th percentile (nearest rank) or a maximum.
"""


def _dimension_list(measure: Measure) -> str:
    if not measure.dimensions:
        return "none (a total only)"
    return ", ".join(dims.DIMENSION_TITLES.get(d, d) for d in measure.dimensions)


def _made_from(measure: Measure) -> str:
    if measure.unit is Unit.PERCENT:
        return f"`{measure.numerator_id}` out of `{measure.denominator_id}`"
    if measure.unit is Unit.RATE_PER_1000:
        return f"`{measure.numerator_id}` per 1,000 residents"
    if measure.unit is Unit.WORKING_DAYS:
        return f"the {measure.statistic} of `{measure.numerator_id}` by `{measure.histogram}` (working days)"
    return "its own count"


def _measure(measure: Measure) -> list[str]:
    lines = [
        f"### {measure.title}",
        "",
        f"`{measure.id}`{' (snapshot: as at the end of the period)' if measure.snapshot else ''}",
        "",
        measure.definition,
        "",
        f"- Unit: {UNIT_LABELS[measure.unit]}",
        f"- Counts: {measure.numerator}",
    ]
    if measure.denominator:
        lines.append(f"- Out of: {measure.denominator}")
    lines.append(f"- Made from: {_made_from(measure)}")
    lines.append(f"- Breakdowns: {_dimension_list(measure)}")
    if measure.code_paragraph:
        lines.append(f"- Victims' Code: {measure.code_paragraph}")
    lines.append("")
    return lines


def dictionary_markdown() -> str:
    lines = [PREAMBLE]
    for group in Group:
        lines += [f"## {GROUP_TITLES[group]}", ""]
        measures = sorted(measures_in(group), key=lambda m: m.id)
        if not measures:
            lines += ["No measures yet.", ""]
        for measure in measures:
            lines += _measure(measure)
    return "\n".join(lines).rstrip() + "\n"
