"""Published tables as files a commissioner's analyst can open: CSV, XLSX and ODS (the government's open
standard for spreadsheets), each with its metadata: the period, the scope and filters, when it was made,
every measure's definition, and the disclosure-control note (docs/insights-output.md, ADR 0023).

The tables have already passed disclosure control (`onedoor.insights.tables`): a withheld figure reaches this
module only as "[c]", and is written as that text, never as a number.

Layout follows the Government Analysis Function's "Releasing statistics in spreadsheets": in XLSX and ODS a
"Metadata" sheet first (the cover, contents and notes), then one sheet per table starting in A1 (title,
period, notes, then the table: no merged cells, no blank rows, units in the column headers, numbers stored
as numbers). The CSV holds the same blocks one after another, tables first, the metadata last.

Every text cell is inert: a CSV cell that a spreadsheet would run as a formula gets a leading apostrophe
(OWASP's "CSV injection"), and in XLSX and ODS text is stored as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from odf import teletype
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
from odf.table import Table as OdsTable
from odf.table import TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from onedoor.core.contact import FORMULA_START
from onedoor.core.errors import DomainError
from onedoor.insights.tables import NOT_APPLICABLE_TEXT, SUPPRESSED_TEXT, UNIT_LABELS, Figure, Table, Unit

CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}

METADATA_SHEET = "Metadata"
# Excel refuses these in a sheet name, and LibreOffice the same; a name is at most 31 characters, and
# "History" is Excel's own.
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
_RESERVED_SHEET_NAMES = {METADATA_SHEET.casefold(), "history"}
# Control characters (tab, line feed and carriage return are kept): in a label they are a data-entry
# accident; XML 1.0 cannot hold most of them, and the C1 set does not survive a round trip through ODS.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

SYMBOL_NOTES = (
    (SUPPRESSED_TEXT, "Confidential: withheld so that no person can be identified (see Disclosure control)."),
    (NOT_APPLICABLE_TEXT, "Not applicable: the figure cannot be worked out, for example a percentage of none."),
)

Cell = str | int | float


class ExportError(DomainError):
    """An export that cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class ExportMeta:
    """What the metadata sheet says about the export as a whole. `definitions` are (measure title, its
    plain-English definition) pairs, one for each measure the tables show; `filters_label` is empty when no
    filter is applied; `generated_at` must be timezone-aware."""

    title: str
    period_label: str
    generated_at: datetime
    scope_label: str
    filters_label: str
    definitions: Sequence[tuple[str, str]]
    suppression_note: str


def export_tables(tables: Sequence[Table], *, fmt: str, meta: ExportMeta) -> bytes:
    """The tables and their metadata as a file in `fmt` ("csv", "xlsx" or "ods")."""
    if fmt not in CONTENT_TYPES:
        raise ExportError(f"Cannot export as {fmt!r}: choose one of {', '.join(CONTENT_TYPES)}.")
    if timezone.is_naive(meta.generated_at):
        raise ExportError("The export's generated_at must be timezone-aware (use django.utils.timezone.now()).")
    for table in tables:
        _check_shape(table)
    if fmt == "csv":
        return _csv(tables, meta)
    names = sheet_names([t.title for t in tables])
    blocks = [(name, table_rows(table)) for name, table in zip(names, tables, strict=True)]
    metadata = (METADATA_SHEET, metadata_rows(meta, tables, names))
    if fmt == "xlsx":
        return _xlsx([metadata, *blocks], meta)
    return _ods([metadata, *blocks])


def export_filename(meta: ExportMeta, fmt: str) -> str:
    """A file name for the download: the title and period as lower-case words, never anything personal."""
    words = re.sub(r"[^a-z0-9]+", "-", f"{meta.title} {meta.period_label}".lower()).strip("-")
    return f"onedoor-{words[:80].rstrip('-') or 'export'}.{fmt}"


# --- what goes in the cells ------------------------------------------------------------------------------


class _Block:
    """The rows of one sheet (or one CSV block), and which of them are headings, to be shown in bold."""

    def __init__(self) -> None:
        self.rows: list[list[Cell]] = []
        self.bold: set[int] = set()
        self.units: dict[int, Unit] = {}  # column index -> unit, for number formats

    def add(self, *cells: Cell, bold: bool = False) -> None:
        if bold:
            self.bold.add(len(self.rows))
        self.rows.append(list(cells))


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value)


def csv_safe(value: str) -> str:
    """A CSV text cell no spreadsheet will run: one whose first non-blank character starts a formula gets a
    leading apostrophe, which Excel and LibreOffice show as text."""
    text = clean_text(value)
    stripped = text.lstrip(" ")
    if stripped.startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def figure_cell(figure: Figure) -> Cell:
    """A figure as a spreadsheet cell: a number, or the GSS shorthand for withheld or not applicable.
    Percentages and rates are rounded to one decimal place, as the page shows them."""
    if figure.suppressed:
        return SUPPRESSED_TEXT
    if figure.value is None:
        return NOT_APPLICABLE_TEXT
    if figure.unit is Unit.COUNT:
        return int(figure.value)
    if figure.unit is Unit.WORKING_DAYS and float(figure.value).is_integer():
        return int(figure.value)
    return round(float(figure.value), 1)


def column_heading(label: str, unit: Unit) -> str:
    """A column heading with its unit, as the spreadsheet guidance asks ("Within target (%)"); a count
    needs none."""
    if unit is Unit.COUNT:
        return label
    return f"{label} ({UNIT_LABELS[unit]})"


def period_line(table: Table) -> str:
    if table.snapshot:
        return f"As at: {table.period_label}"
    return f"Period: {table.period_label}"


def table_rows(table: Table) -> _Block:
    block = _Block()
    block.add(table.title, bold=True)
    if table.period_label:
        block.add(period_line(table))
    for note in table.notes:
        block.add(note)
    block.add(table.row_heading, *(column_heading(c.label, c.unit) for c in table.columns), bold=True)
    block.units = {i + 1: c.unit for i, c in enumerate(table.columns)}
    for row in table.rows:
        block.add(row.label, *(figure_cell(f) for f in row.figures), bold=row.is_total)
    return block


def generated_text(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def metadata_rows(meta: ExportMeta, tables: Sequence[Table], names: Sequence[str] | None = None) -> _Block:
    """The metadata as (item, detail) rows under a title: what the export is, what each table is (with its
    sheet), the shorthand, the disclosure-control note and each measure's definition."""
    block = _Block()
    block.add(f"About this export: {meta.title}", bold=True)
    block.add("Item", "Detail", bold=True)
    block.add("Title", meta.title)
    block.add("Period", meta.period_label)
    block.add("Scope", meta.scope_label)
    block.add("Filters", meta.filters_label or "None")
    block.add("Generated at", generated_text(meta.generated_at))
    block.add("Source", "OneDoor, from its own records of referrals and casework")
    for i, table in enumerate(tables, start=1):
        where = f"sheet {names[i - 1]}: " if names else ""
        when = f" ({period_line(table)})" if table.period_label else ""
        block.add(f"Table {i}", f"{where}{table.title}{when}")
    block.add("Disclosure control", meta.suppression_note)
    for symbol, explanation in SYMBOL_NOTES:
        block.add(symbol, explanation)
    for name, definition in meta.definitions:
        block.add(f"Measure: {name}", definition)
    return block


def sheet_names(titles: Sequence[str]) -> list[str]:
    """A sheet name for each title: the characters spreadsheets refuse removed, at most 31 characters, no
    leading or trailing apostrophe, never "Metadata" or "History", and unique ignoring case (" (2)", " (3)"
    ... added where two would clash)."""
    taken: set[str] = set(_RESERVED_SHEET_NAMES)
    names: list[str] = []
    for i, title in enumerate(titles, start=1):
        base = _SHEET_NAME_FORBIDDEN.sub(" ", clean_text(title).replace("\t", " ").replace("\n", " "))
        base = re.sub(r"\s+", " ", base).strip(" '") or f"Table {i}"
        name = _fit(base, "")
        n = 1
        while name.casefold() in taken:
            n += 1
            name = _fit(base, f" ({n})")
        taken.add(name.casefold())
        names.append(name)
    return names


def _fit(base: str, suffix: str) -> str:
    return base[: SHEET_NAME_MAX - len(suffix)].rstrip(" '") + suffix


def _check_shape(table: Table) -> None:
    for row in table.rows:
        if len(row.figures) != len(table.columns):
            raise ExportError(
                f"Table {table.key!r}, row {row.key!r} has {len(row.figures)} figures for {len(table.columns)} "
                "columns: every row needs one figure per column."
            )


# --- CSV -------------------------------------------------------------------------------------------------


def _csv(tables: Sequence[Table], meta: ExportMeta) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    blocks = [table_rows(t) for t in tables] + [metadata_rows(meta, tables)]
    for i, block in enumerate(blocks):
        if i:
            writer.writerow([])  # a blank line between blocks, so each title stands out
        for row in block.rows:
            writer.writerow([csv_safe(c) if isinstance(c, str) else c for c in row])
    # With a byte-order mark, Excel reads the file as UTF-8, so accents and dashes in labels survive.
    return out.getvalue().encode("utf-8-sig")


# --- XLSX ------------------------------------------------------------------------------------------------

_XLSX_NUMBER_FORMATS = {
    Unit.COUNT: "#,##0",
    Unit.PERCENT: "0.0",
    Unit.RATE_PER_1000: "0.0",
    Unit.SCORE: "0.0",
    Unit.WORKING_DAYS: "General",
}


def _xlsx(sheets: Sequence[tuple[str, _Block]], meta: ExportMeta) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = clean_text(meta.title)
    workbook.properties.creator = "OneDoor"
    bold = Font(bold=True)
    for name, block in sheets:
        sheet = workbook.create_sheet(title=name)
        widths: dict[int, int] = {}
        for r, row in enumerate(block.rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    text = clean_text(value)
                    cell.value = text
                    # openpyxl takes any string starting "=" for a formula: say it is text, and set Excel's
                    # own "quote prefix", so that editing the cell keeps it text too.
                    cell.data_type = "s"
                    if text.lstrip(" ").startswith(FORMULA_START):
                        cell.quotePrefix = True
                else:
                    cell.value = value
                    cell.number_format = _XLSX_NUMBER_FORMATS[block.units.get(c - 1, Unit.COUNT)]
                if r - 1 in block.bold:
                    cell.font = bold
                if name == METADATA_SHEET and c == 2:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[c] = max(widths.get(c, 0), min(len(str(value)), 80))
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = max(10, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- ODS -------------------------------------------------------------------------------------------------


def _ods(sheets: Sequence[tuple[str, _Block]]) -> bytes:
    document = OpenDocumentSpreadsheet()
    bold = Style(name="heading", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    wrap = Style(name="wrapped", family="table-cell")
    wrap.addElement(TableCellProperties(wrapoption="wrap"))
    narrow = Style(name="narrow", family="table-column")
    narrow.addElement(TableColumnProperties(columnwidth="3.5cm"))
    wide = Style(name="wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="7cm"))
    widest = Style(name="widest", family="table-column")
    widest.addElement(TableColumnProperties(columnwidth="14cm"))
    for style in (bold, wrap, narrow, wide, widest):
        document.automaticstyles.addElement(style)
    for name, block in sheets:
        sheet = OdsTable(name=name)
        columns = max((len(row) for row in block.rows), default=1)
        for c in range(columns):
            width = wide if c == 0 else (widest if name == METADATA_SHEET else narrow)
            sheet.addElement(TableColumn(stylename=width))
        for r, row in enumerate(block.rows):
            tr = TableRow()
            for value in row:
                style = bold if r in block.bold else (wrap if name == METADATA_SHEET else None)
                tr.addElement(_ods_cell(value, style))
            sheet.addElement(tr)
        document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _ods_cell(value: Cell, style: Style | None) -> TableCell:
    # A string cell is text whatever it starts with: ODS keeps formulas in their own attribute, never set here.
    kwargs: dict[str, object] = {"stylename": style} if style is not None else {}
    if isinstance(value, str):
        cell = TableCell(valuetype="string", **kwargs)
        text = clean_text(value)
    else:
        cell = TableCell(valuetype="float", value=value, **kwargs)
        text = str(value)
    paragraph = P()
    teletype.addTextToElement(paragraph, text)
    cell.addElement(paragraph)
    return cell
