"""The commissioner's context pages: reach against recorded crime and population (with the district map),
equity against the Census, recorded crime by deprivation and outcome, and the police profile. Commissioner
analysts only; aggregates only, all through disclosure control (`evidence`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.core.models import District
from onedoor.insights.context import evidence, report
from onedoor.insights.context.census import comparator
from onedoor.insights.context.models import CensusTable, PublicCrimeMonth
from onedoor.insights.context.svgmap import describe, district_map
from onedoor.insights.periods import EXAMPLES, Period, PeriodError, check_publishable, last_complete_quarter, parse
from onedoor.insights.tables import Table

PAGES = (
    ("reach", "Reach against recorded crime"),
    ("equity", "Equity against the population"),
    ("deprivation", "Deprivation and outcomes"),
    ("police-profile", "Police profile"),
)


@dataclass(frozen=True)
class Chosen:
    period: Period
    text: str
    error: str


def chosen_period(request: AuthedHttpRequest) -> Chosen:
    """The period asked for (`?period=`), or the last complete quarter, with what was wrong with the request."""
    today = timezone.localdate()
    default = last_complete_quarter(today=today)
    text = request.GET.get("period", "").strip()
    if not text:
        return Chosen(default, default.code, "")
    try:
        return Chosen(check_publishable(parse(text), today=today), text, "")
    except PeriodError as exc:
        return Chosen(default, text, f"{exc} Showing {default.label} instead.")


def _render(
    request: AuthedHttpRequest, page: str, chosen: Chosen, tables: list[Table], **extra: object
) -> HttpResponse:
    months = PublicCrimeMonth.objects.order_by("-month").values_list("month", flat=True).distinct()[:1]
    return render(
        request,
        f"insights/context/{page}.html",
        {
            "pages": PAGES,
            "page": page,
            "title": dict(PAGES)[page],
            "period": chosen.period,
            "period_text": chosen.text,
            "period_error": chosen.error,
            "examples": EXAMPLES,
            "tables": tables,
            "latest_public_month": months[0] if months else None,
            "comparators": CensusTable.objects.order_by("characteristic", "-year"),
            **extra,
        },
    )


@roles(Role.COMMISSIONER_ANALYST)
def reach(request: AuthedHttpRequest) -> HttpResponse:
    chosen = chosen_period(request)
    page = report.reach_page(chosen.period)
    by_district = evidence.reach_by_district(page)
    rate_column = f"{evidence.RECORDED}:rate"
    names = dict(District.objects.values_list("gss_code", "name"))
    figures = {code: by_district.figure(code, rate_column) for code in names}
    what = "Recorded crimes per 1,000 residents"
    svg = district_map(
        figures=figures,
        names=names,
        title=f"{what}, {chosen.period.label}",
        description=describe(figures, names, what=what),
    )
    tables = [
        by_district,
        evidence.reach_by_month(page),
        evidence.crimes_by_district_and_month(page),
        evidence.reach_by_type(page),
    ]
    return _render(request, "reach", chosen, tables, map=svg, map_table=by_district.key)


@roles(Role.COMMISSIONER_ANALYST)
def equity(request: AuthedHttpRequest) -> HttpResponse:
    chosen = chosen_period(request)
    missing = [c for _, c in evidence.EQUITY if comparator(c) is None]
    return _render(request, "equity", chosen, report.tables_for("equity", chosen.period), missing=missing)


@roles(Role.COMMISSIONER_ANALYST)
def deprivation(request: AuthedHttpRequest) -> HttpResponse:
    chosen = chosen_period(request)
    return _render(request, "deprivation", chosen, report.tables_for("deprivation", chosen.period))


@roles(Role.COMMISSIONER_ANALYST)
def police_profile(request: AuthedHttpRequest) -> HttpResponse:
    chosen = chosen_period(request)
    return _render(request, "police-profile", chosen, report.tables_for("police-profile", chosen.period))
