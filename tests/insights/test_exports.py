"""Exports: every format opened again with a real reader (csv, openpyxl, odfpy), exact cells, inert text, and
the metadata sheet. No database: exports work on published tables only."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odf import teletype
from odf.opendocument import load
from odf.table import Table as OdsTable
from odf.table import TableCell, TableRow

from onedoor.core.contact import FORMULA_START
from onedoor.insights.exports import (
    CONTENT_TYPES,
    SHEET_NAME_MAX,
    ExportError,
    ExportMeta,
    clean_text,
    csv_safe,
    export_filename,
    export_tables,
    sheet_names,
)
from onedoor.insights.tables import Column, Figure, Row, Table, Unit

GENERATED = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # 10:30 in London (BST)

SERVICES = Table(
    key="by-service",
    title="Referrals received in the period, by service",
    row_heading="Service",
    columns=(
        Column("received", "Received"),
        Column("in_target", "Contacted within target", Unit.PERCENT),
        Column("median", "First contact, median", Unit.WORKING_DAYS),
    ),
    rows=(
        Row("a", "General victim recovery", (Figure(1234), Figure(81.25, Unit.PERCENT), Figure(2, Unit.WORKING_DAYS))),
        Row(
            "b",
            '=HYPERLINK("http://x","click")',
            (
                Figure(None, suppressed=True),
                Figure(None, Unit.PERCENT, suppressed=True),
                Figure(None, Unit.WORKING_DAYS),
            ),
        ),
        Row("c", "+1 sexual abuse", (Figure(0), Figure(None, Unit.PERCENT), Figure(None, Unit.WORKING_DAYS))),
        Row("t", "Total", (Figure(1240), Figure(80.0, Unit.PERCENT), Figure(2.5, Unit.WORKING_DAYS)), is_total=True),
    ),
    measure_ids=("demand.received",),
    period_label="2026-27 Q1 (April 2026 to June 2026)",
    notes=("Source: OneDoor referrals.",),
)

OPEN_NOW = Table(
    key="open-now",
    title="Open now, by district",
    row_heading="District",
    columns=(Column("open", "Open"),),
    rows=(Row("n", "@North Warwickshire", (Figure(7),)), Row("x", "Not recorded", (Figure(None, suppressed=True),))),
    period_label="30 June 2026",
    snapshot=True,
)

META = ExportMeta(
    title="Demand",
    period_label="2026-27 Q1 (April 2026 to June 2026)",
    generated_at=GENERATED,
    scope_label="All services",
    filters_label="Route in: police",
    definitions=(("Referrals received", "Referrals made to a service in the period, by the day they arrived."),),
    suppression_note="Counts from 1 to 4 are withheld, with others where needed so that none can be worked out.",
)

SERVICES_ROWS: list[list[Any]] = [
    ["Referrals received in the period, by service"],
    ["Period: 2026-27 Q1 (April 2026 to June 2026)"],
    ["Source: OneDoor referrals."],
    ["Service", "Received", "Contacted within target (%)", "First contact, median (working days)"],
    ["General victim recovery", 1234, 81.2, 2],
    ['=HYPERLINK("http://x","click")', "[c]", "[c]", "[x]"],
    ["+1 sexual abuse", 0, "[x]", "[x]"],
    ["Total", 1240, 80.0, 2.5],
]
OPEN_NOW_ROWS: list[list[Any]] = [
    ["Open now, by district"],
    ["As at: 30 June 2026"],
    ["District", "Open"],
    ["@North Warwickshire", 7],
    ["Not recorded", "[c]"],
]


def metadata_rows(*, sheets: bool) -> list[list[Any]]:
    tables = ["sheet Referrals received in the perio: ", "sheet Open now, by district: "] if sheets else ["", ""]
    return [
        ["About this export: Demand"],
        ["Item", "Detail"],
        ["Title", "Demand"],
        ["Period", "2026-27 Q1 (April 2026 to June 2026)"],
        ["Scope", "All services"],
        ["Filters", "Route in: police"],
        ["Generated at", "2026-07-01 10:30 BST"],
        ["Source", "OneDoor, from its own records of referrals and casework"],
        [
            "Table 1",
            f"{tables[0]}Referrals received in the period, by service (Period: 2026-27 Q1 (April 2026 to June 2026))",
        ],
        ["Table 2", f"{tables[1]}Open now, by district (As at: 30 June 2026)"],
        ["Disclosure control", META.suppression_note],
        ["[c]", "Confidential: withheld so that no person can be identified (see Disclosure control)."],
        ["[x]", "Not applicable: the figure cannot be worked out, for example a percentage of none."],
        ["Measure: Referrals received", "Referrals made to a service in the period, by the day they arrived."],
    ]


def csv_text(rows: list[list[Any]]) -> list[list[str]]:
    """What csv.reader gives back for rows written by the export: text, with formula cells quoted."""
    return [[csv_safe(c) if isinstance(c, str) else str(c) for c in row] for row in rows]


# --- CSV -------------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_and_holds_every_table_then_the_metadata() -> None:
    data = export_tables([SERVICES, OPEN_NOW], fmt="csv", meta=META)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    expected = [*csv_text(SERVICES_ROWS), [], *csv_text(OPEN_NOW_ROWS), [], *csv_text(metadata_rows(sheets=False))]
    assert rows == expected
    assert rows[5][0] == '\'=HYPERLINK("http://x","click")'
    assert rows[6][0] == "'+1 sexual abuse"
    assert rows[12][0] == "'@North Warwickshire"
    assert CONTENT_TYPES["csv"] == "text/csv; charset=utf-8"


def test_csv_lines_end_with_crlf() -> None:
    data = export_tables([OPEN_NOW], fmt="csv", meta=META).decode("utf-8-sig")
    assert data.split("\r\n")[:3] == ['"Open now, by district"', "As at: 30 June 2026", "District,Open"]


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(st.text(max_size=30))
def test_no_csv_text_cell_can_start_a_formula(text: str) -> None:
    safe = csv_safe(text)
    assert not safe.lstrip(" ").startswith(FORMULA_START)
    # Only the apostrophe is added, and only when needed; control characters XML cannot hold are gone.
    cleaned = "".join(ch for ch in text if ch in "\t\n\r" or not (ord(ch) < 32 or 127 <= ord(ch) <= 159))
    assert safe in (cleaned, "'" + cleaned)
    assert (safe == "'" + cleaned) == cleaned.lstrip(" ").startswith(FORMULA_START)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("16-24", "16-24"),
        ("Not recorded", "Not recorded"),
        ("a\x00b\x1fc", "abc"),
    ],
)
def test_csv_safe(value: str, expected: str) -> None:
    assert csv_safe(value) == expected


# --- XLSX ------------------------------------------------------------------------------------------------


def xlsx_rows(data: bytes) -> dict[str, list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook
    }


def test_xlsx_has_the_metadata_sheet_then_one_sheet_per_table_with_exact_cells() -> None:
    data = export_tables([SERVICES, OPEN_NOW], fmt="xlsx", meta=META)
    sheets = xlsx_rows(data)
    assert list(sheets) == ["Metadata", "Referrals received in the perio", "Open now, by district"]
    assert sheets["Metadata"] == metadata_rows(sheets=True)
    assert sheets["Referrals received in the perio"] == SERVICES_ROWS
    assert sheets["Open now, by district"] == OPEN_NOW_ROWS


def test_xlsx_numbers_are_numbers_and_text_is_never_a_formula() -> None:
    data = export_tables([SERVICES], fmt="xlsx", meta=META)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Referrals received in the perio"]
    assert (sheet["B5"].value, sheet["B5"].data_type, sheet["B5"].number_format) == (1234, "n", "#,##0")
    assert (sheet["C5"].value, sheet["C5"].number_format) == (81.2, "0.0")
    assert (sheet["B6"].value, sheet["B6"].data_type) == ("[c]", "s")
    formula = sheet["A6"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ('=HYPERLINK("http://x","click")', "s", True)
    assert sheet["A5"].quotePrefix is False
    assert sheet["A8"].font.b is True and sheet["A5"].font.b is False  # the total row, and the header, in bold
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.creator == "OneDoor"


# --- ODS -------------------------------------------------------------------------------------------------


def ods_sheets(data: bytes) -> dict[str, list[list[tuple[str, str, str]]]]:
    """Each sheet's rows as (value type, value, text) per cell."""
    document = load(io.BytesIO(data))
    out: dict[str, list[list[tuple[str, str, str]]]] = {}
    for sheet in document.spreadsheet.getElementsByType(OdsTable):
        out[sheet.getAttribute("name")] = [
            [
                (cell.getAttribute("valuetype"), cell.getAttribute("value") or "", teletype.extractText(cell))
                for cell in row.getElementsByType(TableCell)
            ]
            for row in sheet.getElementsByType(TableRow)
        ]
    return out


def as_ods(rows: list[list[Any]]) -> list[list[tuple[str, str, str]]]:
    return [[("string", "", c) if isinstance(c, str) else ("float", str(c), str(c)) for c in row] for row in rows]


def test_ods_has_the_metadata_sheet_then_one_sheet_per_table_with_exact_cells() -> None:
    data = export_tables([SERVICES, OPEN_NOW], fmt="ods", meta=META)
    sheets = ods_sheets(data)
    assert list(sheets) == ["Metadata", "Referrals received in the perio", "Open now, by district"]
    assert sheets["Metadata"] == as_ods(metadata_rows(sheets=True))
    assert sheets["Referrals received in the perio"] == as_ods(SERVICES_ROWS)
    assert sheets["Open now, by district"] == as_ods(OPEN_NOW_ROWS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert b"table:formula" not in archive.read("content.xml")
    assert CONTENT_TYPES["ods"] == "application/vnd.oasis.opendocument.spreadsheet"


# --- sheet names, file names and refusals ----------------------------------------------------------------


def test_sheet_names_are_safe_short_and_unique() -> None:
    titles = [
        "Referrals: by service [2026/27]?",
        "Referrals: by service [2026/27]?",
        "'quoted'",
        "Metadata",
        "history",
        "",
        "A" * 40,
        "A" * 40,
    ]
    assert sheet_names(titles) == [
        "Referrals by service 2026 27",
        "Referrals by service 2026 2 (2)",  # 31 characters with its suffix
        "quoted",
        "Metadata (2)",
        "history (2)",
        "Table 6",
        "A" * 31,
        "A" * 27 + " (2)",
    ]


@settings(deadline=None)  # a shared, loaded machine: time is not what is tested
@given(st.lists(st.text(max_size=50), max_size=12))
def test_sheet_names_always_open_in_a_spreadsheet(titles: list[str]) -> None:
    names = sheet_names(titles)
    assert len(names) == len(titles)
    assert len({n.casefold() for n in names} | {"metadata"}) == len(names) + 1
    for name in names:
        assert 0 < len(name) <= SHEET_NAME_MAX
        assert not set(name) & set("\\/?*[]:") and not name.startswith("'") and not name.endswith("'")
        assert name == name.strip() and all(ord(ch) >= 32 for ch in name)


def test_a_title_with_every_forbidden_character_still_exports() -> None:
    table = Table(key="k", title="[]:*?/\\", row_heading="R", columns=(Column("n", "N"),), rows=())
    sheets = xlsx_rows(export_tables([table], fmt="xlsx", meta=META))
    assert list(sheets) == ["Metadata", "Table 1"]
    assert sheets["Table 1"] == [["[]:*?/\\"], ["R", "N"]]


def test_an_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(ExportError, match=r"^Cannot export as 'pdf': choose one of csv, xlsx, ods\.$"):
        export_tables([SERVICES], fmt="pdf", meta=META)


def test_a_naive_generation_time_is_refused() -> None:
    meta = replace(META, generated_at=datetime(2026, 7, 1, 9, 30))
    with pytest.raises(ExportError, match="timezone-aware"):
        export_tables([SERVICES], fmt="csv", meta=meta)


def test_a_row_with_the_wrong_number_of_figures_is_refused() -> None:
    table = Table(key="k", title="T", row_heading="R", columns=(Column("n", "N"),), rows=(Row("a", "A", ()),))
    with pytest.raises(ExportError, match="row 'a' has 0 figures for 1 columns"):
        export_tables([table], fmt="xlsx", meta=META)


def test_the_file_name_says_what_and_when() -> None:
    assert export_filename(META, "xlsx") == "onedoor-demand-2026-27-q1-april-2026-to-june-2026.xlsx"


# --- any table, any labels: what is read back is what was published ---------------------------------------

# Labels as an administrator might type them (accents, formula starts, tabs, stray control characters),
# never only characters that cleaning removes.
LABELS = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F) | st.sampled_from("=+-@\t\x00\x85"),
    min_size=1,
    max_size=20,
).filter(lambda s: clean_text(s) != "")
FIGURES = st.one_of(
    st.builds(Figure, st.integers(min_value=0, max_value=10**9)),
    st.builds(Figure, st.none(), st.just(Unit.COUNT), st.just(True)),
    st.builds(Figure, st.floats(min_value=0, max_value=100, allow_nan=False), st.just(Unit.PERCENT)),
    st.builds(Figure, st.none(), st.just(Unit.PERCENT)),
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    width = draw(st.integers(min_value=1, max_value=4))
    rows = draw(st.lists(st.tuples(LABELS, st.lists(FIGURES, min_size=width, max_size=width)), max_size=6))
    return Table(
        key="t",
        title=draw(LABELS),
        row_heading=draw(LABELS),
        columns=tuple(Column(f"c{i}", draw(LABELS)) for i in range(width)),
        rows=tuple(Row(str(i), label, tuple(figures)) for i, (label, figures) in enumerate(rows)),
    )


def published(table: Table) -> list[list[Any]]:
    """What every format must give back: the text as written (cleaned), numbers as the page rounds them."""
    rows: list[list[Any]] = [[clean_text(table.title)], [clean_text(table.row_heading)]]
    rows[1].extend(clean_text(c.label) for c in table.columns)
    for row in table.rows:
        cells: list[Any] = [clean_text(row.label)]
        for f in row.figures:
            if f.suppressed:
                cells.append("[c]")
            elif f.value is None:
                cells.append("[x]")
            else:
                cells.append(int(f.value) if f.unit is Unit.COUNT else round(float(f.value), 1))
        rows.append(cells)
    return rows


@settings(max_examples=30, deadline=None)
@given(tables())
def test_every_format_gives_back_exactly_what_was_published(table: Table) -> None:
    expected = published(table)
    [name] = sheet_names([table.title])
    assert xlsx_rows(export_tables([table], fmt="xlsx", meta=META))[name] == expected
    assert ods_sheets(export_tables([table], fmt="ods", meta=META))[name] == as_ods(expected)
    rows = list(csv.reader(io.StringIO(export_tables([table], fmt="csv", meta=META).decode("utf-8-sig"))))
    assert rows[: len(expected)] == csv_text(expected)
