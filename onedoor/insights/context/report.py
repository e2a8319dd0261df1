"""The context tables by page, for exports and for the needs-assessment report (issue 12's report takes
`report_tables(period)`: the police profile, reach and equity, as the needs assessment's sections 5 and 6)."""

from __future__ import annotations

from onedoor.insights import dimensions as dims
from onedoor.insights.context import evidence
from onedoor.insights.periods import Period
from onedoor.insights.query import Filters
from onedoor.insights.tables import Table

PAGE_NAMES = ("reach", "equity", "deprivation", "police-profile")


def reach_page(period: Period) -> evidence.Page:
    return evidence.page_for(
        period=period,
        filters=Filters(),
        specs=[*evidence.reach_specs(), *evidence.reach_monthly_specs(), *evidence.type_specs()],
        monthly=[*evidence.reach_monthly_specs(), (evidence.RECORDED, (dims.DISTRICT,))],
    )


def tables_for(name: str, period: Period) -> list[Table]:
    """The tables page `name` shows for the period, protected together as the page protects them."""
    if name == "reach":
        page = reach_page(period)
        return [
            evidence.reach_by_district(page),
            evidence.reach_by_month(page),
            evidence.crimes_by_district_and_month(page),
            evidence.reach_by_type(page),
        ]
    if name == "equity":
        return evidence.equity_tables(
            evidence.page_for(period=period, filters=Filters(), specs=evidence.equity_specs())
        )
    if name == "deprivation":
        specs = [*evidence.deprivation_specs(), *evidence.outcome_specs()]
        page = evidence.page_for(period=period, filters=Filters(), specs=specs)
        return [evidence.deprivation_table(page), evidence.outcomes_table(page)]
    if name == "police-profile":
        return evidence.profile_tables(
            evidence.page_for(period=period, filters=Filters(), specs=evidence.profile_specs())
        )
    raise KeyError(f"no context page {name!r}; pages are {', '.join(PAGE_NAMES)}")


def report_tables(period: Period) -> list[Table]:
    """For the needs-assessment report: one page's worth of cubes, protected together."""
    specs = [*evidence.profile_specs(), *evidence.reach_specs(), *evidence.equity_specs()]
    page = evidence.page_for(period=period, filters=Filters(), specs=specs)
    return [*evidence.profile_tables(page), evidence.reach_by_district(page), *evidence.equity_tables(page)]
