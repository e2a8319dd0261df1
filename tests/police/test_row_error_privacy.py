"""Row errors give the line, the column and the reason; a value only for columns of codes (issue 9,
section 6). Checked where a row error can end up: the database, the batch page, the errors CSV and the
import command's output."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from onedoor.accounts.models import Role, User
from onedoor.police.models import PoliceBatch, PoliceRowError
from onedoor.police.parser import COLUMNS, VALUE_SHOWN_COLUMNS, RowError, Vocabulary, row_error_value, validate_row
from onedoor.police.services import errors_csv_lines
from tests.police.helpers import csv_bytes, row, run

pytestmark = pytest.mark.django_db

# One bad value per column that holds personal details, each distinctive enough to search for.
PERSONAL = {
    "crime_reference": "CR QUILL 77!",
    "victim_reference": "VIC#QUILL",
    "recorded_at": "quill-o-clock",
    "offence_description": "Quillon " * 70,
    "first_name": "Zebquill<>",
    "last_name": "Quillfeather;",
    "date_of_birth": "1984-13-45",
    "sex": "quillish-sex",
    "ethnicity": "quillish-ethnicity",
    "postcode": "QQ9 ZZZZ",
    "phone": "5550199999999999999",
    "email": "zeb.quill@@example",
    "officer_email": "pc.quill@",
    "preferred_language": "quillish",
    "consent_to_share": "perhaps-quill",
    "contact_permitted": "maybe-quill",
    "safe_to_text": "sometimes-quill",
    "safe_to_email": "rarely-quill",
}
# Codes sent wrongly: shown, so the sender can fix their mapping.
CODES = {"offence_group": "burglary-residental", "district": "E07009999", "flags": "not-a-flag"}
# A victim's details under a code column's heading: withheld all the same.
SWAPPED = {"district": "07700 900555", "flags": "sam.quill@example.org", "offence_group": "CV21 9QX"}


def _rows() -> list[dict[str, str]]:
    rows = [row(**{"victim_reference": f"P{n}", column: value}) for n, (column, value) in enumerate(PERSONAL.items())]
    rows += [row(**{"victim_reference": f"C{n}", column: value}) for n, (column, value) in enumerate(CODES.items())]
    rows += [row(**{"victim_reference": f"S{n}", column: value}) for n, (column, value) in enumerate(SWAPPED.items())]
    rows += [row(victim_reference="V-DUPE-77"), row(victim_reference="V-DUPE-77")]
    return rows


def _secrets() -> list[str]:
    return [v.strip() for v in PERSONAL.values()] + list(SWAPPED.values()) + ["V-DUPE-77"]


def _assert_no_secret(text: str, where: str) -> None:
    lowered = text.casefold()
    for secret in _secrets():
        assert secret.casefold() not in lowered, f"{secret!r} is in the {where}"


def test_no_victim_value_is_stored_shown_exported_or_printed(
    tmp_path: Path, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    path = tmp_path / "overnight.csv"
    path.write_bytes(csv_bytes(_rows()))

    err = io.StringIO()
    call_command("import_police", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    _assert_no_secret(err.getvalue(), "dry run's output")
    err = io.StringIO()
    call_command("import_police", str(path), stdout=io.StringIO(), stderr=err)
    printed = err.getvalue()
    _assert_no_secret(printed, "command's output")

    batch = PoliceBatch.objects.get()
    stored = list(PoliceRowError.objects.filter(batch=batch).values_list("line", "column", "value", "expected"))
    _assert_no_secret(repr(stored), "database")
    # Every bad row is still reported, by line and column, with what was expected.
    reported = {(line, column) for line, column, _, _ in stored}
    for n, column in enumerate(PERSONAL):
        assert (n + 2, column) in reported
        assert f"line {n + 2}, {column}: expected " in printed
    assert all(expected for *_, expected in stored)

    csv_text = "".join(errors_csv_lines(batch))
    _assert_no_secret(csv_text, "errors CSV")
    officer = make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")
    page = signed_in_client(officer).get(reverse("police:batch", args=[batch.pk])).content.decode()
    _assert_no_secret(page, "batch page")
    assert 'id="values-note"' in page

    # The codes sent wrongly are shown, where they help and cannot be a person's.
    for value in CODES.values():
        assert value.casefold() in csv_text.casefold()
        assert value.casefold() in page.casefold()
        assert repr(value) in printed or repr(value.upper()) in printed or repr(value.lower()) in printed


_VOCAB = Vocabulary.from_reference_data(frozenset({"E23000017"}))
_postcodes = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True)
_phones = st.from_regex(r"\+?[0-9][0-9 ()-]{9,16}[0-9]", fullmatch=True).filter(
    lambda v: sum(ch.isdigit() for ch in v) >= 10
)
_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)).map(date.isoformat)
_victim_values = st.one_of(st.emails(), _phones, _dates, _postcodes)


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(COLUMNS), value=_victim_values)
def test_contact_details_dates_or_postcodes_under_any_heading_never_reach_a_row_error(column: str, value: str) -> None:
    raw: dict[str, str | None] = dict(row())
    raw[column] = value
    result = validate_row(5, raw, True, _VOCAB, date(2026, 6, 1))
    if isinstance(result, list):
        for error in result:
            assert error.line == 5 and error.column and error.expected
            assert value.strip().casefold() not in error.value.casefold()
            assert error.value == "" or error.column in VALUE_SHOWN_COLUMNS


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from([*sorted(set(COLUMNS) - VALUE_SHOWN_COLUMNS), "(row)"]), value=st.text(max_size=80))
def test_nothing_sent_in_a_personal_column_is_kept(column: str, value: str) -> None:
    assert RowError(3, column, value, "something").value == ""


def test_a_malformed_row_is_reported_without_its_text() -> None:
    raw: dict[str, str | None] = {"__csv_error__": "line contains NUL"}
    [error] = validate_row(9, raw, False, _VOCAB, date(2026, 6, 1))  # type: ignore[misc]
    assert (error.line, error.column, error.value) == (9, "(row)", "")
    assert "line contains NUL" in error.expected


def test_the_migration_withholds_values_already_stored() -> None:
    batch = run([row(phone="5550199999999999999")])
    PoliceRowError.objects.bulk_create(  # as rows were written before values were withheld
        [
            PoliceRowError(batch=batch, line=7, column="first_name", value="Zebquill<>", expected="a name"),
            PoliceRowError(batch=batch, line=8, column="district", value="07700 900555", expected="a code"),
            PoliceRowError(batch=batch, line=9, column="district", value="E07009999", expected="a code"),
            PoliceRowError(batch=batch, line=10, column="(row)", value="Sam,Quill,07700", expected="a row"),
        ]
    )
    migration = import_module("onedoor.police.migrations.0003_row_error_values_withheld")
    migration.withhold(apps, None)
    values = dict(PoliceRowError.objects.filter(batch=batch).values_list("line", "value"))
    assert values == {2: "", 7: "", 8: "", 9: "E07009999", 10: ""}


def test_what_a_code_column_shows() -> None:
    assert row_error_value("offence_group", "burglary-residental") == "burglary-residental"
    assert row_error_value("force_code", "E23000099") == "E23000099"
    for withheld in ("07700900123", "sam@example.org", "CV34 4RL", "cv344rl", "1984-07-21", "=cmd()", "x" * 61):
        assert row_error_value("district", withheld) == "", withheld
