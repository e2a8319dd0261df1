"""import_police_uk on constructed files: telling the kinds apart, several months, idempotence, replacement,
and every kind of bad input with a message that says what to fix, valid rows kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.core.models import AuditEvent
from onedoor.insights.context.lookup import LookupFile, LookupRow, lsoa_lookup_load
from onedoor.insights.context.models import FileKind, Location, PublicCrimeCount, PublicCrimeMonth
from tests.insights.context.helpers import (
    NORTH_LSOA,
    WARWICK_LSOA,
    import_files,
    load_context,
    outcome_row,
    public_file,
    run_command,
    street_row,
)

pytestmark = pytest.mark.django_db

OUTSIDE_LSOA = "E01009305"  # Birmingham 045C


@pytest.fixture(autouse=True)
def lookups() -> None:
    load_context()
    lsoa_lookup_load(
        lookup=LookupFile(
            lookup="LSOA11-LAD19", rows=[LookupRow(OUTSIDE_LSOA, "Birmingham 045C", "E08000025", "Birmingham", 1200)]
        ),
        area_districts=frozenset({"E07000218", "E07000219", "E07000220", "E07000221", "E07000222"}),
        actor=None,
    )


def test_street_and_outcome_files_are_told_apart_and_counted() -> None:
    street = public_file(
        [
            street_row(),
            street_row(**{"LSOA code": NORTH_LSOA}),
            street_row(**{"Crime ID": "", "Crime type": "Anti-social behaviour", "Last outcome category": ""}),
            street_row(**{"LSOA code": OUTSIDE_LSOA}),
            street_row(**{"LSOA code": "", "LSOA name": "", "Location": "No location"}),
        ]
    )
    outcomes = public_file(
        [outcome_row(), outcome_row(**{"Outcome type": "Offender given a caution"})], FileKind.OUTCOMES
    )
    summary = import_files(("street.csv", street), ("outcomes.csv", outcomes))
    assert {k: v for k, v in summary.items() if not k.startswith("_")} == {
        "rows": 7,
        "crimes": 6,
        "asb": 1,
        "months": ["2019-07"],
        "by_district": {"E07000218": 1, "E07000222": 4},
        "crimes_by_district": {"E07000218": 1, "E07000222": 3},
        "outside_area": 1,
        "no_location": 1,
        "created": 2,
        "replaced": 0,
        "errors": 0,
    }
    stored = PublicCrimeCount.objects.filter(kind=FileKind.STREET, location=Location.IN_AREA, asb=True).get()
    assert (stored.district_code, stored.crime_type, stored.outcome, stored.n) == (
        "E07000222",
        "anti-social-behaviour",
        "",
        1,
    )
    assert sorted(PublicCrimeCount.objects.filter(kind=FileKind.OUTCOMES).values_list("outcome", flat=True)) == [
        "offender-given-a-caution",
        "suspect-charged",
    ]


def test_several_months_and_the_same_file_again_changes_nothing() -> None:
    data = public_file([street_row(), street_row(Month="2019-08"), street_row(Month="2019-08")])
    first = import_files(("two-months.csv", data))
    assert (first["months"], first["created"]) == (["2019-07", "2019-08"], 2)
    rows = list(PublicCrimeCount.objects.order_by("id").values_list("id", "month", "n"))
    audits = AuditEvent.objects.count()
    again = import_files(("two-months.csv", data))
    assert (again["created"], again["replaced"], again["errors"], again["_notices"]) == (0, 0, 0, [])
    assert list(PublicCrimeCount.objects.order_by("id").values_list("id", "month", "n")) == rows
    assert AuditEvent.objects.count() == audits


def test_a_newer_file_for_the_same_month_replaces_it_and_says_so() -> None:
    import_files(("july.csv", public_file([street_row(), street_row()])))
    newer = import_files(
        ("july-v2.csv", public_file([street_row(), street_row(), street_row(**{"LSOA code": NORTH_LSOA})]))
    )
    assert (newer["created"], newer["replaced"]) == (0, 1)
    assert newer["_notices"] == [
        "july-v2.csv: replaced the street-level crimes figures for 2019-07 from Warwickshire Police (E23000017): "
        "2 rows before, 3 now"
    ]
    month = PublicCrimeMonth.objects.get()
    assert (month.rows, month.file_name, month.replaced_count) == (3, "july-v2.csv", 1)
    assert sum(PublicCrimeCount.objects.values_list("n", flat=True)) == 3


def test_a_file_from_another_force_is_refused_with_a_clear_message() -> None:
    other = public_file([street_row(**{"Reported by": "Thames Valley Police", "Falls within": "Thames Valley Police"})])
    summary = import_files(("tvp.csv", other), ("ours.csv", public_file([street_row()])))
    assert summary["_messages"] == [
        "tvp.csv: this file is from Thames Valley Police (E23000029), a force outside this area. Import only files "
        "for Warwickshire Police (E23000017); nothing from this file was stored."
    ]
    assert (summary["errors"], summary["created"], summary["by_district"]) == (1, 1, {"E07000222": 1})
    assert list(PublicCrimeMonth.objects.values_list("force_code", flat=True)) == ["E23000017"]


def test_a_wrong_header_is_refused_saying_what_is_expected() -> None:
    summary = import_files(("odd.csv", b"Crime ID,Month,Where\r\nx,2019-07,here\r\n"))
    (message,) = summary["_messages"]
    assert message.startswith("odd.csv: The header is not a data.police.uk street or outcomes file: it reads ")
    assert "street-level crimes: Crime ID,Month,Reported by,Falls within" in message
    assert (
        "outcomes: Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
        in message
    )
    assert (summary["errors"], PublicCrimeMonth.objects.count()) == (1, 0)


def test_bad_rows_are_reported_and_every_valid_row_is_kept() -> None:
    data = public_file(
        [
            street_row(),
            street_row(Month="2019-13"),
            street_row(**{"LSOA code": "E01999999"}),
            street_row(**{"LSOA code": "CV34 4RL"}),
            street_row(**{"Crime type": "Burglry"}),
            street_row(**{"Last outcome category": "Sent to the moon"}),
            street_row(),
        ]
    )
    data += b"abc,2019-07,Warwickshire Police\r\n"
    summary = import_files(("mixed.csv", data))
    assert summary["_messages"] == [
        "mixed.csv line 3: Month '2019-13' is not a month such as 2019-07",
        "mixed.csv line 4: LSOA E01999999 is not in the LSOA lookup loaded; load the ONS lookup that has it "
        "(manage.py load_lsoa_lookup FILE), then import the file again",
        "mixed.csv line 5: LSOA code 'CV34 4RL' is not an LSOA code such as E01031000",
        "mixed.csv line 6: Crime type 'Burglry' is not in the public crime types (version "
        "data-police-uk-street-2019-1); correct it or add it to the vocabulary",
        "mixed.csv line 7: outcome 'Sent to the moon' is not in the outcome categories (version "
        "data-police-uk-outcomes-2019-1); add it, with its group, to the vocabulary",
        "mixed.csv line 9: 3 columns where the header has 12; the row is malformed (a stray comma or quote?)",
    ]
    assert (summary["rows"], summary["errors"], summary["by_district"]) == (8, 6, {"E07000222": 2})
    assert PublicCrimeMonth.objects.get().rows == 2


def test_the_command_prints_errors_above_and_the_summary_last(tmp_path: Path) -> None:
    path = tmp_path / "2019-07-street.csv"
    path.write_bytes(public_file([street_row(), street_row(Month="July")]))
    _lines, errors, summary = run_command(path)
    assert errors == ["2019-07-street.csv line 3: Month 'July' is not a month such as 2019-07"]
    assert summary["errors"] == 1 and summary["rows"] == 2 and list(summary)[-1] == "errors"
    with pytest.raises(Exception, match="No such file"):
        call_command("import_police_uk", str(tmp_path / "missing.csv"), stdout=io.StringIO())


_ROW = st.sampled_from(["in", "north", "outside", "none", "asb", "bad-month", "bad-lsoa"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(_ROW, max_size=30))
def test_every_row_is_placed_exactly_once(kinds: list[str]) -> None:
    PublicCrimeMonth.objects.all().delete()
    made = {
        "in": street_row(),
        "north": street_row(**{"LSOA code": NORTH_LSOA}),
        "outside": street_row(**{"LSOA code": OUTSIDE_LSOA}),
        "none": street_row(**{"LSOA code": ""}),
        "asb": street_row(**{"Crime ID": "", "Crime type": "Anti-social behaviour", "Last outcome category": ""}),
        "bad-month": street_row(Month="19-07"),
        "bad-lsoa": street_row(**{"LSOA code": "E0"}),
    }
    summary = import_files(("f.csv", public_file([made[k] for k in kinds])))
    placed = sum(summary["by_district"].values()) + summary["outside_area"] + summary["no_location"]
    assert placed + summary["errors"] == summary["rows"] == len(kinds)
    assert summary["by_district"].get("E07000218", 0) == kinds.count("north")
    assert summary["asb"] == kinds.count("asb")
    assert summary["crimes"] == len(kinds) - kinds.count("asb") - kinds.count("bad-month") - kinds.count("bad-lsoa")
    assert WARWICK_LSOA  # the in-area rows are Warwick's
