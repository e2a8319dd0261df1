"""A STAND-IN for the render branch's exports (issue 12): the agreed interface, CSV only. The render branch's
module replaces this file at merge, with real XLSX and ODS and a metadata sheet; until then every format is
written as formula-safe CSV so the pages, their audit and their tests can be built against the interface."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from onedoor.insights.tables import Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class ExportMeta:
    title: str
    period_label: str
    generated_at: datetime
    scope_label: str
    filters_label: str
    definitions: Sequence[tuple[str, str]]
    suppression_note: str


def _safe(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_tables(tables: Sequence[Table], *, fmt: str, meta: ExportMeta) -> bytes:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"no export format {fmt!r}")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([_safe(meta.title)])
    w.writerow(["Period", _safe(meta.period_label)])
    w.writerow(["Scope", _safe(meta.scope_label)])
    w.writerow(["Filters", _safe(meta.filters_label)])
    w.writerow(["Generated", meta.generated_at.isoformat()])
    for table in tables:
        w.writerow([])
        w.writerow([_safe(table.title)])
        w.writerow([_safe(table.row_heading), *(_safe(c.label) for c in table.columns)])
        for row in table.rows:
            w.writerow([_safe(row.label), *(f.text for f in row.figures)])
    w.writerow([])
    for title, definition in meta.definitions:
        w.writerow([_safe(title), _safe(definition)])
    w.writerow([_safe(meta.suppression_note)])
    return out.getvalue().encode()
