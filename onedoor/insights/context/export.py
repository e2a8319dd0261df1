"""Exports of the context pages (CSV, XLSX, ODS) through `onedoor.insights.exports.export_tables`, at
`/insights/context/<page>/export.<fmt>`. The tables are exactly the ones the pages show, already protected;
every download is audited like the other commissioner downloads."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.insights import exports
from onedoor.insights.context import evidence
from onedoor.insights.context.report import PAGE_NAMES, tables_for
from onedoor.insights.context.views import PAGES, chosen_period
from onedoor.insights.registry import MEASURES
from onedoor.insights.services import insights_export_record


@roles(Role.COMMISSIONER_ANALYST)
def context_export(request: AuthedHttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    if name not in PAGE_NAMES:
        raise Http404
    period = chosen_period(request).period
    tables = tables_for(name, period)
    ids = sorted({m for t in tables for m in t.measure_ids if m in MEASURES})
    meta = exports.ExportMeta(
        title=dict(PAGES)[name],
        period_label=period.label,
        generated_at=timezone.now(),
        scope_label="All services",
        filters_label="None",
        definitions=[(MEASURES[m].title, MEASURES[m].definition) for m in ids],
        suppression_note=evidence.SUPPRESSION,
    )
    body = exports.export_tables(tables, fmt=fmt, meta=meta)
    insights_export_record(actor=request.user, page=f"context-{name}", period=period, fmt=fmt, filters="", table="")
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="onedoor-context-{name}.{fmt}"'
    return response
