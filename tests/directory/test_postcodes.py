"""ONSPD postcodes: loading the area's, "near me" on the public pages (no JavaScript), and the district derived
from a full postcode in the referral form and the self-referral form."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from onedoor.accounts.models import User
from onedoor.accounts.services import api_token_create
from onedoor.core.models import AuditEvent, District
from onedoor.directory.models import Location, Postcode, Service, ServiceAtLocation
from onedoor.directory.postcodes import miles_between, postcode_normalise
from onedoor.referrals.forms import ReferralForm
from onedoor.referrals.models import Referral
from tests.directory.onspd_sample import HEADER, write_sample

pytestmark = pytest.mark.django_db


def test_load_postcodes_keeps_the_areas_live_postcodes_with_a_grid_reference(tmp_path: Path) -> None:
    sample = tmp_path / "ONSPD_FEB_2024_UK.csv"
    written = write_sample(sample)
    out = io.StringIO()
    call_command("load_postcodes", str(sample), stdout=out)
    codes = set(Postcode.objects.values_list("postcode", flat=True))
    # 12 generated in each of 18 area postcode districts, plus the named ones kept: 6 in the area and CV23 8XX
    # (West Northamptonshire, but in an area postcode district: kept, with its own district).
    assert len(codes) == 18 * 12 + 7 == written - 12 - 3
    assert {"CV31 2BB", "CV23 8XX"} <= codes
    assert not codes & {"CV1 2GT", "CV32 9ZZ", "CV35 0ZZ"}  # Coventry, terminated, no grid reference
    assert not any(c.startswith("CV1 ") for c in codes)
    rugby = Postcode.objects.get(postcode="CV21 2SG")
    assert (rugby.outward, rugby.district_code, rugby.lsoa_code) == ("CV21", "E07000220", "E01060002")
    assert out.getvalue().startswith(f"{len(codes)} postcodes loaded for B46, B50, B78, CV10")
    event = AuditEvent.objects.get(action="postcodes.loaded")
    assert event.detail["postcodes"] == len(codes) and event.detail["source"] == sample.name
    # Loading again replaces: nothing doubles.
    call_command("load_postcodes", str(sample), stdout=io.StringIO())
    assert Postcode.objects.count() == len(codes)


def test_load_postcodes_says_what_is_wrong_with_a_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_postcodes", str(tmp_path / "missing.csv"))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,latitude\nCV34 4RL,52.2\n")
    with pytest.raises(CommandError, match="no column for postcode, latitude, longitude, district, terminated"):
        call_command("load_postcodes", str(wrong))
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text(",".join(HEADER) + "\n")
    with pytest.raises(CommandError, match="nothing loaded, the table is unchanged"):
        call_command("load_postcodes", str(elsewhere))


def test_postcodes_are_normalised_and_distances_are_straight_line_miles() -> None:
    assert postcode_normalise("  cv344rl ") == "CV34 4RL"
    assert postcode_normalise("b46 1aa") == "B46 1AA"
    assert postcode_normalise("CV34") is None
    # One degree of latitude is 69.1 miles.
    assert round(miles_between((52.0, -1.5), (53.0, -1.5)), 1) == 69.1


def _referral_data(**overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": "Sam",
        "age": "30",
        "interpreter_needed": "no",
        "phone": "07700 900123",
        "phone_is_own": "on",
        "safe_to_call": "on",
        "reported_to_police": "no",
        "offence_group": "burglary-residential",
        "reason": "Asked for help",
        "consent": "yes",
        "consent_given_by": "person",
    }
    data.update(overrides)
    return data


def test_the_referral_form_derives_the_district_from_a_known_postcode(onspd_loaded: None) -> None:
    form = ReferralForm(data=_referral_data(postcode="cv21 2sg"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["district"] == District.objects.get(gss_code="E07000220")
    assert form.cleaned_data["postcode"] == "CV21 2SG"


def test_the_referral_form_asks_when_the_postcode_is_not_known_or_disagrees(onspd_loaded: None) -> None:
    unknown = ReferralForm(data=_referral_data(postcode="CV21 9QQ"))
    assert not unknown.is_valid()
    assert unknown.errors["district"] == [
        "Choose the district where the person lives (we could not find that postcode)"
    ]
    chosen = ReferralForm(data=_referral_data(postcode="CV21 9QQ", district="E07000220"))
    assert chosen.is_valid(), chosen.errors
    wrong = ReferralForm(data=_referral_data(postcode="CV21 2SG", district="E07000222"))
    assert not wrong.is_valid()
    assert wrong.errors["district"] == [
        "CV21 2SG is in Rugby, not Warwick. Choose that district, or check the postcode"
    ]
    outside = ReferralForm(data=_referral_data(postcode="CV23 8XX"))
    assert not outside.is_valid()
    assert str(outside.errors["postcode"][0]).startswith("CV23 8XX is not in one of this area's districts")


def test_without_postcode_data_the_referral_form_asks_for_the_district() -> None:
    form = ReferralForm(data=_referral_data(postcode="CV21 2SG"))
    assert not form.is_valid()
    assert form.errors["district"] == ["Choose the district where the person lives"]
    assert ReferralForm(data=_referral_data(postcode="CV21 2SG", district="E07000220")).is_valid()


def test_the_referral_api_derives_the_district_too(onspd_loaded: None, client: Client, referrer: User) -> None:
    token = api_token_create(user=referrer)
    body = {
        "first_name": "Sam",
        "age": 30,
        "phone": "07700 900123",
        "phone_is_own": True,
        "safe_to_call": True,
        "reported_to_police": False,
        "offence_group": "burglary-residential",
        "reason": "Asked for help",
        "consent": True,
        "consent_given_by": "person",
        "postcode": "CV37 6HB",
    }
    response = client.post(
        "/api/v1/referrals", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert (referral.district.gss_code, referral.postcode) == ("E07000221", "CV37 6HB")  # type: ignore[union-attr]


def test_find_support_takes_a_postcode_instead_of_the_district_and_shows_the_nearest_place(
    onspd_loaded: None, client: Client
) -> None:
    office = Location.objects.create(
        name="Victim Support, Stratford", address_1="1 High Street", postal_code="CV37 6HB"
    )
    ServiceAtLocation.objects.create(service=Service.objects.get(slug="victim-support"), location=office)
    answers = {"happened": "break-in", "age": "30", "postcode": "cv34 4rl", "told_police": "no"}
    sent = client.post("/find-support/", answers)
    assert sent.status_code == 303 and sent["Location"] == "/find-support/results/"
    page = client.get("/find-support/results/").content.decode()
    card = page.split('data-service="victim-support"')[1].split("data-service=")[0]
    assert "Victim Support, Stratford, CV37 6HB</span>, 8.0 miles away in a straight line" in " ".join(card.split())
    assert page.count("Nearest place:") == 1  # the other services have no place to visit


def test_find_support_still_asks_where_you_live_without_a_known_postcode(client: Client) -> None:
    answers = {"happened": "other", "age": "30", "postcode": "CV34 4RL", "told_police": "no"}
    page = client.post("/find-support/", answers)
    assert page.status_code == 200
    assert "Choose where you live, or &#x27;Somewhere else&#x27;" in page.content.decode()


def test_near_me_on_the_services_page_works_without_javascript(onspd_loaded: None, client: Client) -> None:
    page = client.get("/services/").content.decode()
    assert 'id="near-me"' in page and 'method="post"' in page
    sent = client.post("/services/", {"postcode": "CV11 4AA"})
    assert sent.status_code == 200 and "We could not find that postcode in this area" in sent.content.decode()
    sent = client.post("/services/", {"postcode": "cv11 5bx"})
    assert sent.status_code == 303 and sent["Location"] == "/services/"  # never in the URL
    page = client.get("/services/").content.decode()
    assert "Places near CV11 5BX" in page and "in a straight line, in miles" in page
    rows = page.split('id="near-places"')[1].split("</table>")[0]
    assert rows.index("Change Grow Live, Nuneaton") < rows.index("Change Grow Live, Rugby")
    assert "0.0" in rows and "17.4" not in rows  # Nuneaton itself; Leamington (over 17 miles) still within 25


def test_without_postcode_data_the_services_page_has_no_near_me(client: Client) -> None:
    page = client.get("/services/").content.decode()
    assert 'id="near-me"' not in page
    refused = client.post("/services/", {"postcode": "CV11 5BX"}).content.decode()
    assert "Searching by postcode is not available at the moment" in refused
