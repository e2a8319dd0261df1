"""What every commissioner page shares: reading the period and filters, the viewer's scope, the blocks a page
shows with their charts, and the downloads (every one audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from onedoor.core.http import AuthedHttpRequest
from onedoor.insights import charts, exports
from onedoor.insights.assemble import Assembled, Block, PageContext, suppression_note
from onedoor.insights.forms import InsightsForm
from onedoor.insights.registry import GROUP_TITLES, MEASURES, Group, Measure
from onedoor.insights.selectors import Viewer, insights_viewer
from onedoor.insights.services import insights_export_record
from onedoor.insights.tables import UNIT_LABELS, Table

FORMATS = ("csv", "xlsx", "ods")
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "ods": "OpenDocument (ODS)"}


def group_slug(group: Group) -> str:
    return group.value.replace("_", "-")


@dataclass(frozen=True)
class Download:
    fmt: str
    label: str
    url: str


@dataclass(frozen=True)
class ShownBlock:
    """A block as the template shows it: the measure's definition, its chart and its table, and downloads."""

    measure: Measure
    table: Table
    chart: SafeString | None
    downloads: tuple[Download, ...]
    unit_label: str


@dataclass(frozen=True)
class PageRequest:
    viewer: Viewer
    form: InsightsForm
    ctx: PageContext | None  # None when the form is invalid


def read_page(request: AuthedHttpRequest, form_class: type[InsightsForm]) -> PageRequest:
    viewer = insights_viewer(user=request.user)
    form = form_class(request.GET, services=viewer.services, today=timezone.localdate())
    if not form.is_valid():
        return PageRequest(viewer=viewer, form=form, ctx=None)
    ctx = PageContext(period=form.chosen_period, filters=form.filters, scope=viewer.scope, services=viewer.services)
    return PageRequest(viewer=viewer, form=form, ctx=ctx)


def query_string(form: InsightsForm, **extra: str) -> str:
    data = {name: form.data.get(name, "") for name in form.fields}
    data.update(extra)
    return "?" + urlencode({k: v for k, v in data.items() if v})


def downloads(form: InsightsForm, *, table: str = "") -> tuple[Download, ...]:
    extra = {"table": table} if table else {}
    return tuple(Download(fmt=f, label=FORMAT_LABELS[f], url=query_string(form, download=f, **extra)) for f in FORMATS)


def chart_for(block: Block, period_label: str) -> SafeString | None:
    if block.chart_table is None:
        return None
    title = f"{block.table.title}, {period_label}"
    return charts.bar_chart(
        block.chart_table,
        column_key=block.chart_table.columns[0].key,
        title=title,
        description=(
            f"A bar for each {block.table.row_heading.lower()}, its length the figure for the period. "
            "The table gives every figure, with the previous period and the same period last year."
        ),
    )


def shown(blocks: Sequence[Block], form: InsightsForm, period_label: str) -> list[ShownBlock]:
    return [
        ShownBlock(
            measure=b.measure,
            table=b.table,
            chart=chart_for(b, period_label),
            downloads=downloads(form, table=b.table.key),
            unit_label=UNIT_LABELS[b.measure.unit],
        )
        for b in blocks
    ]


def download_response(
    request: AuthedHttpRequest, page: PageRequest, assembled: Assembled, *, page_key: str, title: str
) -> HttpResponse | None:
    """The download the request asks for (`?download=csv|xlsx|ods`, and `table=` for one table), audited; None
    when it asks for none. An unknown format or table gets a 400 that says what to choose."""
    fmt = request.GET.get("download", "")
    if not fmt or page.ctx is None:
        return None
    if fmt not in FORMATS:
        return HttpResponse(
            f"There is no download format “{fmt[:20]}”: choose csv, xlsx or ods.", status=400, content_type="text/plain"
        )
    wanted = request.GET.get("table", "")
    tables = [t for t in assembled.tables if not wanted or t.key == wanted]
    if not tables:
        return HttpResponse(
            "That table is not on this page: download it from the page's own link.",
            status=400,
            content_type="text/plain",
        )
    ctx = page.ctx
    ids = list(dict.fromkeys(i for t in tables for i in t.measure_ids))
    meta = exports.ExportMeta(
        title=title,
        period_label=ctx.period.label,
        generated_at=timezone.now(),
        scope_label=ctx.scope.label,
        filters_label=page.form.filters_label(),
        definitions=[(MEASURES[i].title, MEASURES[i].definition) for i in ids if i in MEASURES],
        suppression_note=suppression_note(),
    )
    body = exports.export_tables(tables, fmt=fmt, meta=meta)
    insights_export_record(
        actor=request.user, page=page_key, period=ctx.period, fmt=fmt, filters=ctx.filters.code, table=wanted
    )
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    name = f"onedoor-{page_key}-{ctx.period.code}{'-' + wanted if wanted else ''}.{fmt}".replace("..", "-to-")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def render_page(request: AuthedHttpRequest, template: str, page: PageRequest, context: dict[str, Any]) -> HttpResponse:
    return render(
        request,
        template,
        {
            "form": page.form,
            "viewer": page.viewer,
            "ctx": page.ctx,
            "suppression_note": suppression_note(),
            "filters_label": page.form.filters_label() if page.ctx else "",
            "page_downloads": downloads(page.form) if page.ctx else (),
            "insights_groups": [{"slug": group_slug(g), "title": GROUP_TITLES[g]} for g in Group],
            **context,
        },
        status=200 if page.ctx else 400,
    )
