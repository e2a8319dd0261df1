"""The area's context reference data: the LSOA lookup it names, a national lookup beside it, IMD deciles, the
district outlines, and the police profile rollup keeping past days when records are deleted."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from onedoor.core.models import AuditEvent
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.lookup import imd_decile, read_lookup
from onedoor.insights.context.models import DistrictShape, LsoaArea
from onedoor.insights.models import FactDay
from onedoor.insights.rollups import rollups_refresh
from onedoor.police.models import PoliceVictimRecord
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db


def test_load_context_loads_what_the_area_file_names_and_again_changes_nothing() -> None:
    out = io.StringIO()
    call_command("load_context", stdout=out, stderr=io.StringIO())
    loaded = json.loads(out.getvalue())
    assert loaded == {
        "lsoa_lookup": {"created": 339, "updated": 0, "unchanged": 0, "in_area": 339},
        "census TS007 (2021)": 35,
        "census KS201EW (2011)": 25,
        "boundaries": 5,
    }
    assert LsoaArea.objects.filter(in_area=True).count() == 339
    assert LsoaArea.objects.get(code="E01031254").district_code == "E07000222"
    assert sorted(DistrictShape.objects.values_list("district_code", flat=True)) == [
        "E07000218",
        "E07000219",
        "E07000220",
        "E07000221",
        "E07000222",
    ]
    assert AuditEvent.objects.filter(action="context.lsoa_lookup_loaded").count() == 1
    again = io.StringIO()
    call_command("load_context", stdout=again, stderr=io.StringIO())
    assert json.loads(again.getvalue())["lsoa_lookup"] == {"created": 0, "updated": 0, "unchanged": 339, "in_area": 339}


def test_a_lookup_without_its_columns_says_what_it_needs_and_bad_rows_are_named() -> None:
    with pytest.raises(
        ContextDataError, match=r"no district code \(such as LAD19CD\) column. Its columns are: LSOA11CD, NAME\."
    ):
        read_lookup(io.StringIO("LSOA11CD,NAME\nE01000001,x\n"))
    lookup = read_lookup(
        io.StringIO(
            "\ufeffLSOA21CD,LSOA21NM,LAD22CD,LAD22NM\nE01000001,A,E09000001,City\nE1,B,E09000001,City\nE01000001,A,E09000001,City\n"
        )
    )
    assert lookup.lookup == "LSOA21-LAD22"
    assert [r.code for r in lookup.rows] == ["E01000001"]
    assert lookup.errors == [
        "line 3, LSOA21CD: 'E1' is not an LSOA code such as E01031000",
        "line 4: LSOA E01000001 appears twice; keep one row for it",
    ]


@pytest.mark.parametrize(("rank", "decile"), [(1, 1), (3284, 1), (3285, 2), (16422, 5), (16423, 6), (32844, 10)])
def test_imd_deciles_of_the_32844_lsoas(rank: int, decile: int) -> None:
    assert imd_decile(rank, lsoas=32844) == decile


def test_deleting_old_police_records_leaves_the_profile_of_past_days_alone() -> None:
    run([row(crime_reference=f"23/000000{i}/26", phone=f"07700 90010{i}", email=f"p{i}@example.org") for i in range(6)])
    rollups_refresh(full=True)
    assert sum(FactDay.objects.filter(fact="police_profile.victims").values_list("n", flat=True)) == 6
    PoliceVictimRecord.objects.filter(crime_reference="23/0000000/26").delete()  # retention, say
    rollups_refresh()
    assert sum(FactDay.objects.filter(fact="police_profile.victims").values_list("n", flat=True)) == 6
