"""The commissioner's overview (the headline of each group) and one page per group of measures. Both are
generic over the registry: a measure registered in a group appears on its page with no change here."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.insights import charts
from onedoor.insights.assemble import BlockSpec, assemble
from onedoor.insights.forms import BY_DEFAULT, BY_TOTAL, InsightsForm
from onedoor.insights.registry import GROUP_TITLES, Group, Measure, measures_in
from onedoor.insights.views.common import download_response, group_slug, read_page, render_page, shown

VIEWERS = (Role.COMMISSIONER_ANALYST, Role.TEAM_LEAD)


def group_of(slug: str) -> Group:
    for group in Group:
        if group.value == slug.replace("-", "_"):
            return group
    raise Http404


def breakdown_for(measure: Measure, choice: str) -> str | None:
    if choice == BY_TOTAL:
        return None
    if choice == BY_DEFAULT:
        return measure.dimensions[0] if measure.dimensions else None
    return choice if choice in measure.dimensions else None


@roles(*VIEWERS)
def overview(request: AuthedHttpRequest) -> HttpResponse:
    page = read_page(request, InsightsForm)
    headlines = []
    if page.ctx is not None:
        specs = [BlockSpec(measure=ms[0], section=g.value) for g in Group if (ms := measures_in(g))]
        assembled = assemble(page.ctx, specs)
        if response := download_response(request, page, assembled, page_key="overview", title="Commissioner overview"):
            return response
        by_group = {b.section: b for b in assembled.blocks}
        for g in Group:
            block = by_group.get(g.value)
            headlines.append(
                {
                    "title": GROUP_TITLES[g],
                    "slug": group_slug(g),
                    "measure": block.measure if block else None,
                    "row": block.table.rows[-1] if block else None,
                    "columns": block.table.columns if block else (),
                }
            )
    return render_page(request, "insights/overview.html", page, {"headlines": headlines})


@roles(*VIEWERS)
def group_page(request: AuthedHttpRequest, group: str) -> HttpResponse:
    chosen = group_of(group)
    page = read_page(request, InsightsForm)
    context: dict[str, object] = {"group_title": GROUP_TITLES[chosen], "group_slug": group_slug(chosen)}
    if page.ctx is not None:
        measures = measures_in(chosen)
        choice = page.form.breakdown
        specs = [BlockSpec(measure=m, by=breakdown_for(m, choice)) for m in measures]
        trend_of = next((m for m in measures if not m.snapshot), None)
        assembled = assemble(page.ctx, specs, trend_of=trend_of)
        title = f"{GROUP_TITLES[chosen]}: commissioner figures"
        if response := download_response(request, page, assembled, page_key=group_slug(chosen), title=title):
            return response
        trend = assembled.trend
        context.update(
            blocks=shown(assembled.blocks, page.form, page.ctx.period.label),
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
        )
    return render_page(request, "insights/group.html", page, context)
