"""Census comparators load from Nomis bulk tables with their table, year and source; other tables in the same
format (TS021 ethnicity, TS008 sex) load with no code change; a wrong file says what is wrong."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from onedoor.areas.current import area_data
from onedoor.insights.context.census import comparator, read_census
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.models import CensusTable
from tests.insights.context.helpers import load_context

pytestmark = pytest.mark.django_db
AREA = frozenset({"E07000218", "E07000219", "E07000220", "E07000221", "E07000222"})


def test_ts007_age_bands_agree_with_the_area_files_census_figures() -> None:
    load_context()
    age = comparator("age_band")
    assert age is not None
    assert (age.table.table, age.table.year) == ("TS007", 2021)
    assert age.table.label == "Census 2021, table TS007 (Nomis, Census 2021 TS007, lower-tier local authorities)"
    for district in area_data()["districts"]:
        mine = comparator("age_band", district=district["gss_code"])
        assert mine is not None
        expected = [band["persons"] for band in district["census"]["age_bands"]]
        order = ["under-16", "16-to-24", "25-to-34", "35-to-44", "45-to-54", "55-to-64", "65-and-over"]
        assert [mine.persons[c] for c in order] == expected
    north = comparator("age_band", district="E07000218")
    assert north is not None and north.total == 65035


def test_2011_ethnicity_loads_as_five_groups_labelled_2011() -> None:
    load_context()
    ethnicity = comparator("ethnicity", district="E07000218")
    assert ethnicity is not None
    assert ethnicity.table.year == 2011 and ethnicity.table.table == "KS201EW"
    assert ethnicity.persons == {
        "white": 60709,
        "mixed-or-multiple-ethnic-groups": 506,
        "asian-or-asian-british": 580,
        "black-black-british-caribbean-or-african": 172,
        "other-ethnic-group": 47,
    }
    assert ethnicity.total == 62014


TS021 = (
    '"date","geography","geography code","Ethnic group: Total: All usual residents; measures: Value",'
    '"Ethnic group: Asian, Asian British or Asian Welsh; measures: Value",'
    '"Ethnic group: Black, Black British, Black Welsh, Caribbean or African; measures: Value",'
    '"Ethnic group: Mixed or Multiple ethnic groups; measures: Value","Ethnic group: White; measures: Value",'
    '"Ethnic group: Other ethnic group; measures: Value"\n'
    '2021,"Warwick","E07000222",148450,14000,2500,5000,125000,1950\n'
    '2021,"Somewhere else","E06000001",1,1,0,0,0,0\n'
)
TS008 = (
    '"date","geography","geography code","Sex: All persons; measures: Value","Sex: Female; measures: Value",'
    '"Sex: Male; measures: Value"\n2021,"Warwick","E07000222",148450,75500,72950\n'
)


def test_an_administrator_loads_ts021_and_ts008_in_the_same_format(tmp_path: pytest.TempPathFactory) -> None:
    for name, text, characteristic, table in (
        ("ts021.csv", TS021, "ethnicity", "TS021"),
        ("ts008.csv", TS008, "sex", "TS008"),
    ):
        path = tmp_path / name  # type: ignore[operator]
        path.write_text(text)
        out = io.StringIO()
        call_command(
            "load_census",
            str(path),
            "--characteristic",
            characteristic,
            "--table",
            table,
            "--year",
            "2021",
            "--title",
            "A table",
            "--source",
            f"Nomis, Census 2021 {table}",
            stdout=out,
            stderr=io.StringIO(),
        )
        assert '"cells": ' in out.getvalue()
    ethnicity = comparator("ethnicity")
    assert ethnicity is not None and ethnicity.table.table == "TS021"  # the newer Census wins
    assert ethnicity.persons["asian-or-asian-british"] == 14000
    sex = comparator("sex")
    assert sex is not None and sex.persons == {"female": 75500, "male": 72950}
    assert CensusTable.objects.filter(characteristic="sex").get().source == "Nomis, Census 2021 TS008"


def test_a_file_without_the_categories_says_which_column_is_missing() -> None:
    with pytest.raises(ContextDataError, match="no column for 'Female' \\(sex\\): expected one headed 'Sex: Female'"):
        read_census(
            io.StringIO('"date","geography","geography code","Sex: Male; measures: Value"\n'),
            characteristic="sex",
            districts=AREA,
        )
    with pytest.raises(ContextDataError, match="no 'geography code' column"):
        read_census(io.StringIO('"area","Sex: Female; measures: Value"\n'), characteristic="sex", districts=AREA)
    read = read_census(
        io.StringIO(TS008.replace("75500", "lots")), characteristic="sex", districts=frozenset({"E07000222"})
    )
    assert read.errors == [
        "line 2, Sex: Female: 'lots' is not a whole number of persons",
        "district E07000222 is not in the file; the comparator will have no figures for it",
    ]
