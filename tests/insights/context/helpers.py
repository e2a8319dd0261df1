"""Shared helpers for the context tests: the public data files (when this machine has them), small
constructed public files, and the area's context reference data."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from onedoor.insights.context.area_files import load_area_context
from onedoor.insights.context.models import FileKind
from onedoor.insights.context.police_uk import HEADERS, police_uk_import

# The real public inputs (SOURCES.md beside them); the tests that need them are skipped where they are absent.
PUBLIC_DATA = Path(os.environ.get("ONEDOOR_PUBLIC_DATA", "/work/shared/data"))
STREET = PUBLIC_DATA / "police_uk/warwickshire/2019-07-warwickshire-street.csv"
OUTCOMES = PUBLIC_DATA / "police_uk/warwickshire/2019-07-warwickshire-outcomes.csv"
NATIONAL_LOOKUP = PUBLIC_DATA / "ons_lookups/lsoa11_to_lad19_imd19.csv"
needs_public_data = pytest.mark.skipif(
    not (STREET.is_file() and NATIONAL_LOOKUP.is_file()),
    reason=f"the public data files are not at {PUBLIC_DATA} (set ONEDOOR_PUBLIC_DATA)",
)

WARWICKSHIRE = "E23000017"
FORCES = frozenset({WARWICKSHIRE})
# Two LSOAs of the area's committed lookup: Warwick 001A and North Warwickshire 001A.
WARWICK_LSOA = "E01031254"
NORTH_LSOA = "E01031035"


def load_context() -> None:
    load_area_context(actor=None)


def street_row(**overrides: str) -> dict[str, str]:
    base = {
        "Crime ID": "a" * 64,
        "Month": "2019-07",
        "Reported by": "Warwickshire Police",
        "Falls within": "Warwickshire Police",
        "Longitude": "-1.5",
        "Latitude": "52.3",
        "Location": "On or near Somewhere",
        "LSOA code": WARWICK_LSOA,
        "LSOA name": "Warwick 001A",
        "Crime type": "Burglary",
        "Last outcome category": "Under investigation",
        "Context": "",
    }
    base.update(overrides)
    return base


def outcome_row(**overrides: str) -> dict[str, str]:
    row = street_row(**overrides)
    row["Outcome type"] = overrides.get("Outcome type", "Suspect charged")
    return row


def public_file(rows: list[dict[str, str]], kind: FileKind = FileKind.STREET, header: list[str] | None = None) -> bytes:
    columns = header or HEADERS[kind]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buf.getvalue().encode()


def import_files(*files: tuple[str, bytes]) -> dict[str, Any]:
    summary = police_uk_import(files=list(files), area_forces=FORCES, actor=None)
    out = summary.as_json()
    out["_messages"] = summary.messages
    out["_notices"] = summary.notices
    return out


def run_command(*paths: Path) -> tuple[list[str], list[str], dict[str, Any]]:
    """import_police_uk's stdout lines, stderr lines, and its last line parsed."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_police_uk", *[str(p) for p in paths], stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    return lines, err.getvalue().splitlines(), json.loads(lines[-1])
