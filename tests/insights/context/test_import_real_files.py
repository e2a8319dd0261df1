"""import_police_uk on the real July 2019 Warwickshire files: every district count pinned, and computed again
here, independently, from the ONS lookup."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from django.core.management import call_command

from onedoor.insights.context.models import FileKind, PublicCrimeCount, PublicCrimeMonth
from tests.insights.context.helpers import (
    NATIONAL_LOOKUP,
    OUTCOMES,
    STREET,
    load_context,
    needs_public_data,
    run_command,
)

pytestmark = [pytest.mark.django_db, needs_public_data]

AREA = {"E07000218", "E07000219", "E07000220", "E07000221", "E07000222"}


def _independent() -> tuple[Counter[str], Counter[str]]:
    """All rows and crime rows by district, "outside" and "none", straight from the ONS lookup."""
    with NATIONAL_LOOKUP.open(encoding="utf-8-sig") as f:
        district = {r["LSOA11CD"]: r["LAD19CD"] for r in csv.DictReader(f)}
    every, crimes = Counter[str](), Counter[str]()
    with STREET.open(encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            lsoa = r["LSOA code"]
            where = "none" if not lsoa else district[lsoa] if district[lsoa] in AREA else "outside"
            every[where] += 1
            crimes[where] += 1 if r["Crime ID"] else 0
    return every, crimes


@pytest.fixture
def lookups() -> None:
    load_context()
    call_command("load_lsoa_lookup", str(NATIONAL_LOOKUP), stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_street_file_gives_the_pinned_district_counts(lookups: None) -> None:
    _lines, errors, summary = run_command(STREET)
    assert errors == []
    assert summary == {
        "rows": 4725,
        "crimes": 3511,
        "asb": 1214,
        "months": ["2019-07"],
        "by_district": {"E07000218": 516, "E07000219": 1282, "E07000220": 900, "E07000221": 880, "E07000222": 1087},
        "crimes_by_district": {
            "E07000218": 388,
            "E07000219": 889,
            "E07000220": 677,
            "E07000221": 695,
            "E07000222": 805,
        },
        "outside_area": 37,
        "no_location": 23,
        "created": 1,
        "replaced": 0,
        "errors": 0,
    }
    every, crimes = _independent()
    assert summary["by_district"] == {d: every[d] for d in sorted(AREA)}
    assert summary["crimes_by_district"] == {d: crimes[d] for d in sorted(AREA)}
    assert (summary["outside_area"], summary["no_location"]) == (every["outside"], every["none"])
    assert (crimes["outside"], crimes["none"]) == (34, 23)
    assert sum(summary["by_district"].values()) + summary["outside_area"] + summary["no_location"] == summary["rows"]


def test_importing_again_changes_nothing_and_the_outcomes_file_imports(lookups: None) -> None:
    run_command(STREET)
    before = list(PublicCrimeCount.objects.order_by("id").values_list("id", "lsoa_code", "crime_type", "outcome", "n"))
    lines, errors, again = run_command(STREET)
    assert (again["created"], again["replaced"], again["errors"]) == (0, 0, 0)
    assert again["rows"] == 4725
    assert (
        list(PublicCrimeCount.objects.order_by("id").values_list("id", "lsoa_code", "crime_type", "outcome", "n"))
        == before
    )
    assert len(lines) == 1  # nothing replaced, so nothing to say above the summary

    _lines, errors, outcomes = run_command(OUTCOMES)
    assert errors == []
    assert (outcomes["rows"], outcomes["created"], outcomes["months"]) == (3512, 1, ["2019-07"])
    assert PublicCrimeMonth.objects.filter(kind=FileKind.OUTCOMES).get().rows == 3512 - outcomes["errors"]
    assert sum(outcomes["by_district"].values()) + outcomes["outside_area"] + outcomes["no_location"] == 3512
