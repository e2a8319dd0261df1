"""The area file: its schema refuses what it does not know, with the path and the reason."""

from __future__ import annotations

import copy
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onedoor.areas.files import AREAS_DIR, AreaConfigError, area_problems, check_area, read_area
from onedoor.areas.loader import load_area
from onedoor.core.models import District
from onedoor.core.reference_data import load_reference
from onedoor.directory.loader import load_directory
from onedoor.directory.models import Service
from onedoor.referrals.models import RoutingRule


def _city() -> dict[str, Any]:
    return copy.deepcopy(json.loads((AREAS_DIR / "city-of-london.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("area", ["warwickshire", "city-of-london"])
def test_the_bundled_areas_are_valid(area: str) -> None:
    assert check_area(area) == []


def test_unknown_keys_are_refused_with_their_path_everywhere() -> None:
    data = _city()
    data["districts"][0]["census"]["colour"] = "blue"
    data["support_line"]["fax"] = "0"
    data["spare"] = 1
    problems = area_problems(data)
    assert any(p.startswith("districts[0].census: ") and "'colour'" in p for p in problems), problems
    assert any(p.startswith("support_line: ") and "'fax'" in p for p in problems), problems
    assert any(p.startswith("(the file): ") and "'spare'" in p for p in problems), problems


def test_a_wrong_value_names_its_path_and_the_reason() -> None:
    data = _city()
    data["services"][1]["first_contact_target_days"] = "two"
    data["force_codes"] = ["E10000031"]
    del data["commissioner"]["address"]
    problems = area_problems(data)
    assert "services[1].first_contact_target_days: 'two' is not of type 'integer'" in problems
    assert any(p.startswith("force_codes[0]: 'E10000031' does not match") for p in problems)
    assert "commissioner: 'address' is a required property" in problems


def test_cross_references_the_schema_cannot_see_are_checked() -> None:
    data = _city()
    data["police_offer"]["service"] = "nobody"
    data["routing_rules"][0]["service"] = "nowhere"
    data["districts"][0]["census"]["population"] += 1
    problems = area_problems(data)
    assert "police_offer.service: no service 'nobody' in this file" in problems
    assert "routing_rules[0].service: no service 'nowhere' in this file" in problems
    assert "districts[0].census.age_bands: the bands do not add up to the population" in problems


def test_an_unknown_schema_version_is_refused() -> None:
    data = _city()
    data["schema_version"] = 2
    assert area_problems(data) == ["schema_version: 2 is not a version this OneDoor reads (1)"]


def test_check_area_prints_every_problem_and_fails(tmp_path: Path) -> None:
    data = _city()
    data["name"] = ""
    data["languages"] = []
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("check_area", str(path), stderr=err)
    assert "name: '' should be non-empty" in err.getvalue()
    assert "languages: [] should be non-empty" in err.getvalue()
    out = io.StringIO()
    call_command("check_area", "city-of-london", stdout=out)
    assert "a valid area file" in out.getvalue()


@pytest.mark.django_db
def test_an_invalid_file_writes_nothing(tmp_path: Path) -> None:
    data = _city()
    data["services"][0]["colour"] = "x"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = Service.objects.count()
    with pytest.raises(CommandError, match=r"services\[0\]: Additional properties"):
        call_command("load_area", str(path), stdout=io.StringIO())
    assert Service.objects.count() == before
    with pytest.raises(AreaConfigError, match="No area file at"):
        read_area(str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_load_area_and_load_directory_take_any_path(tmp_path: Path) -> None:
    for name in ("city-of-london.json", "city-of-london.directory.json"):
        shutil.copy(AREAS_DIR / name, tmp_path / name)
    path = tmp_path / "city-of-london.json"
    counts = load_area(str(path))
    # On top of the default area: its own district and the service Warwickshire does not have.
    assert counts["districts_written"] == 1 and counts["services_written"] == 1
    assert Service.objects.get(slug="sexual-violence-support").phone == "0808 500 2222"
    assert load_directory(str(path))["services"] == 49
    assert District.objects.get(gss_code="E09000001").census["table"] == "TS007"
    again = load_area(str(path))
    assert again == dict.fromkeys(counts, 0)  # idempotent


@pytest.mark.django_db
def test_districts_come_only_from_the_area() -> None:
    RoutingRule.objects.all().delete()
    District.objects.all().delete()
    load_reference()
    assert not District.objects.exists()
    load_area("warwickshire", reset=True)
    assert District.objects.count() == 5
    assert District.objects.get(gss_code="E07000219").census["age_bands"][0] == {
        "min_age": 0,
        "max_age": 15,
        "persons": District.objects.get(gss_code="E07000219").census["age_bands"][0]["persons"],
    }
    assert sum(b["persons"] for b in District.objects.get(gss_code="E07000219").census["age_bands"]) == (
        District.objects.get(gss_code="E07000219").population
    )
