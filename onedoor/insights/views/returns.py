"""The quarterly return (with the analyst's versioned commentary) and the needs-assessment report for a year,
as HTML, as downloads, and the report as a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.insights import charts, pdf
from onedoor.insights.assemble import Assembled, assemble, suppression_note
from onedoor.insights.forms import CommentaryForm, QuarterForm, YearForm
from onedoor.insights.layouts import NEEDS_ASSESSMENT_REPORT, QUARTERLY_RETURN, Section, specs_of
from onedoor.insights.periods import PeriodError, PeriodKind, check_publishable, parse
from onedoor.insights.registry import Group, measures_in
from onedoor.insights.selectors import commentary_history
from onedoor.insights.services import CommentaryError, commentary_save, insights_export_record
from onedoor.insights.views.common import PageRequest, download_response, query_string, read_page, render_page, shown

VIEWERS = (Role.COMMISSIONER_ANALYST, Role.TEAM_LEAD)


def _sections(page: PageRequest, sections: Sequence[Section], assembled: Assembled) -> list[dict[str, Any]]:
    assert page.ctx is not None
    blocks = shown(assembled.blocks, page.form, page.ctx.period.label)
    return [
        {
            "section": s,
            "blocks": [b for b, raw in zip(blocks, assembled.blocks, strict=True) if raw.section == s.key],
        }
        for s in sections
    ]


def _commentary(page: PageRequest) -> dict[str, Any]:
    """The commentary is the commissioner's, written for the board about every service: shown to the analyst."""
    if page.ctx is None or not page.viewer.is_commissioner:
        return {}
    history = commentary_history(period=page.ctx.period)
    latest = history[0] if history else None
    return {
        "commentary": latest,
        "commentary_history": history[1:],
        "commentary_form": CommentaryForm(initial={"text": latest.text if latest else ""}),
    }


@roles(*VIEWERS)
def quarterly_return(request: AuthedHttpRequest) -> HttpResponse:
    page = read_page(request, QuarterForm)
    context: dict[str, Any] = {}
    if page.ctx is not None:
        assembled = assemble(page.ctx, specs_of(QUARTERLY_RETURN))
        title = f"Quarterly return, {page.ctx.period.label}"
        if response := download_response(request, page, assembled, page_key="quarterly-return", title=title):
            return response
        context.update(
            sections=_sections(page, QUARTERLY_RETURN, assembled),
            missing=assembled.missing,
            **_commentary(page),
        )
    return render_page(request, "insights/return.html", page, context)


@roles(Role.COMMISSIONER_ANALYST)
@require_POST
def commentary(request: AuthedHttpRequest) -> HttpResponse:
    """Save a new version of a quarter's or a year's commentary, then back to the return or the report."""
    text = request.POST.get("period", "")
    try:
        period = check_publishable(parse(text), today=timezone.localdate())
    except PeriodError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    target = "insights:quarterly_return" if period.kind is PeriodKind.QUARTER else "insights:report"
    back = f"{reverse(target)}?period={period.code}"
    form = CommentaryForm(request.POST)
    if form.is_valid():
        try:
            saved = commentary_save(actor=request.user, period=period, text=form.cleaned_data["text"])
        except CommentaryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Commentary saved as version {saved.version}.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("text", [])))
    return HttpResponseRedirect(back + "#commentary")


@roles(*VIEWERS)
def report(request: AuthedHttpRequest) -> HttpResponse:
    page = read_page(request, YearForm)
    context: dict[str, Any] = {}
    if page.ctx is not None:
        demand = measures_in(Group.DEMAND)
        assembled = assemble(page.ctx, specs_of(NEEDS_ASSESSMENT_REPORT), trend_of=demand[0] if demand else None)
        title = f"Needs-assessment report, {page.ctx.period.label}"
        trend = assembled.trend
        context.update(
            title=title,
            sections=_sections(page, NEEDS_ASSESSMENT_REPORT, assembled),
            missing=assembled.missing,
            trend=trend,
            trend_chart=(
                charts.trend_chart(
                    points=trend.points,
                    title=trend.table.title,
                    description=(
                        "A line through each month's figure, oldest first; the table after it gives every month."
                    ),
                )
                if trend
                else None
            ),
            pdf_url=query_string(page.form, download="pdf"),
            **_commentary(page),
        )
        if request.GET.get("download") == "pdf":
            return _pdf(request, page, context)
        if response := download_response(request, page, assembled, page_key="report", title=title):
            return response
    return render_page(request, "insights/report.html", page, context)


def _pdf(request: AuthedHttpRequest, page: PageRequest, context: dict[str, Any]) -> HttpResponse:
    assert page.ctx is not None
    html = render_to_string(
        "insights/report_print.html",
        {"ctx": page.ctx, "viewer": page.viewer, "suppression_note": suppression_note(), **context},
        request=request,
    )
    body = pdf.html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    insights_export_record(
        actor=request.user, page="report", period=page.ctx.period, fmt="pdf", filters=page.ctx.filters.code, table=""
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="onedoor-report-{page.ctx.period.code}.pdf"'
    return response
