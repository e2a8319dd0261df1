"""A file the csv module cannot read cleanly is reported, never silently half-imported."""

from __future__ import annotations

import io

import pytest

from onedoor.police.models import BatchStatus, PoliceBatch, PoliceRowError, PoliceVictimRecord
from onedoor.police.parser import COLUMNS, HEADER_LIMIT, FileRejected, read_rows
from onedoor.police.services import police_batch_import
from tests.police.helpers import NOON, csv_bytes, row

pytestmark = pytest.mark.django_db


def _victims(n: int) -> list[dict[str, str]]:
    return [row(victim_reference=f"V{i}", phone="", email=f"v{i}@example.org") for i in range(1, n + 1)]


def _import(data: bytes) -> PoliceBatch:
    return police_batch_import(f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON)


def test_stray_quote_reports_every_line_it_swallowed_and_imports_the_rest() -> None:
    # Line 4's last name opens a quoted field that the csv module would run on to the end of the file,
    # taking lines 5 to 7 (three more victims) with it.
    rows = _victims(6)
    rows[2]["last_name"] = "QOPEN"
    data = csv_bytes(rows).replace(b"QOPEN", b'"Morgan')
    batch = _import(data)
    assert batch.status == BatchStatus.COMPLETED
    reported = sorted(PoliceRowError.objects.values_list("line", flat=True))
    assert reported == [4, 5, 6, 7]
    assert batch.errors == 4 and batch.rows == 6 and batch.created == 2
    assert set(PoliceVictimRecord.objects.values_list("victim_reference", flat=True)) == {"V1", "V2"}
    first = PoliceRowError.objects.get(line=4)
    assert "line 4" in first.expected and "line 7" in first.expected and first.column == "(row)"
    assert "line 4" in PoliceRowError.objects.get(line=6).expected
    assert not PoliceRowError.objects.exclude(value="").exists()  # no victim's details in the report


def test_stray_quote_closed_by_a_later_quote_reports_the_lines_between() -> None:
    # The quote opened on line 3 is closed by one on line 5: lines 3 to 5 are one merged "row".
    rows = _victims(6)
    rows[1]["last_name"] = "QOPEN"
    rows[3]["last_name"] = "QCLOSE"
    data = csv_bytes(rows).replace(b"QOPEN", b'"Morgan').replace(b"QCLOSE", b'Morgan"')
    lines = [line for line, raw, ok in read_rows(io.BytesIO(data), "utf-8") if "__csv_error__" in raw]
    assert lines == [3, 4, 5]
    batch = _import(data)
    assert batch.errors == 3 and batch.created == 3


def test_a_runaway_field_over_the_size_limit_reports_each_line_it_took() -> None:
    # The csv module gives up when the runaway field passes its size limit (131,072 characters), some
    # hundreds of lines on, and carries on after it: every line it took is reported, the rest imported.
    rows = _victims(1000)
    rows[0]["last_name"] = "QOPEN"
    data = csv_bytes(rows).replace(b"QOPEN", b'"Morgan')
    read = list(read_rows(io.BytesIO(data), "utf-8"))
    bad = [line for line, raw, _ in read if "__csv_error__" in raw]
    assert bad == list(range(2, bad[-1] + 1)) and 300 < len(bad) < 1000
    assert "field larger than field limit" in str(read[0][1]["__csv_error__"])
    good = [raw["victim_reference"] for line, raw, ok in read if ok]
    assert len(read) == 1000  # every line is a row or an error (where it gave up, a row's tail: a width error)
    assert good[-1] == "V1000"


def test_quoted_line_breaks_in_a_description_are_still_one_row() -> None:
    data = csv_bytes(
        [row(offence_description="Broke in, took laptop\nand keys, and the car"), row(victim_reference="V2")]
    )
    batch = _import(data)
    assert (batch.rows, batch.created, batch.errors) == (2, 2, 0)


def test_header_only_file_says_it_has_no_rows() -> None:
    batch = _import(",".join(COLUMNS).encode() + b"\r\n\r\n")
    assert batch.status == BatchStatus.REJECTED
    assert "no rows" in batch.failure
    assert not PoliceVictimRecord.objects.exists()


@pytest.mark.parametrize("data", [b"\r\n\r\n\n  \r\n", b"\n"])
def test_file_of_blank_lines_is_refused_with_a_clear_message(data: bytes) -> None:
    batch = _import(data)
    assert batch.status == BatchStatus.REJECTED
    assert "only blank lines" in batch.failure


def test_empty_file_is_refused() -> None:
    assert "empty" in _import(b"").failure


def test_blank_lines_before_the_header_are_skipped_and_counted_in_line_numbers() -> None:
    data = b"\r\n\r\n" + csv_bytes([row(), row(victim_reference="V2", recorded_at="nope")])
    batch = _import(data)
    assert (batch.created, batch.errors) == (1, 1)
    assert PoliceRowError.objects.get().line == 5


@pytest.mark.parametrize("header", [b"force_code," * 6_000_000, b'"' + b"x" * (1 << 20)])
def test_a_huge_header_line_is_refused_not_a_traceback(header: bytes) -> None:
    # 60 MB of column names (or one enormous quoted name): a clear refusal, read in bounded memory.
    data = header + b"\r\n" + csv_bytes([row()]).split(b"\r\n", 1)[1]
    with pytest.raises(FileRejected, match=f"longer than {HEADER_LIMIT:,} characters"):
        list(read_rows(io.BytesIO(data), "utf-8"))
    batch = _import(data)
    assert batch.status == BatchStatus.REJECTED
    assert "header row" in batch.failure
