"""The police import's exports: a batch's row errors as CSV, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from onedoor.core.contact import FORMULA_START
from onedoor.police.models import PoliceBatch


def csv_safe(value: object) -> str:
    """A cell no spreadsheet will run as a formula: leading = + - @ tab or CR get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def errors_csv_lines(batch: PoliceBatch) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)

    def row(cells: Iterable[object]) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([csv_safe(c) for c in cells])
        return buf.getvalue()

    yield row(["line", "column", "value", "expected"])
    for e in batch.row_errors.order_by("line", "id").iterator(chunk_size=2000):
        yield row([e.line, e.column, e.value, e.expected])
