"""The area-specific behaviour, run once for each bundled area (the `any_area` fixture)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts.models import Role, User
from onedoor.areas.checks import area_database_check
from onedoor.core.models import District
from onedoor.directory.models import Service
from onedoor.messaging.models import Message, MessageTemplate
from onedoor.referrals.routing import RoutingTable

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/find-support/", "/services/", "/your-rights/", "/privacy/", "/refer-yourself/", "/feedback/"]
WARWICKSHIRE = re.compile(
    r"Warwickshire|E10000031|E23000017|E0700021[89]|E0700022[012]|RoSA|Barnardo|Compass|Change Grow Live|Nuneaton|Rugby"
)


def test_loading_gives_the_area_its_districts(any_area: dict[str, Any]) -> None:
    assert sorted(District.objects.values_list("gss_code", flat=True)) == sorted(
        d["gss_code"] for d in any_area["districts"]
    )
    for d in any_area["districts"]:
        assert District.objects.get(gss_code=d["gss_code"]).population == d["census"]["population"]


def test_routing_follows_the_area_rules(any_area: dict[str, Any]) -> None:
    table = RoutingTable.load()
    burglary = table.route({"age": 40, "offence_group": "burglary-residential", "consent": True})
    assert burglary.primary == "victim-support"
    sexual = table.route({"age": 30, "offence_group": "rape", "consent": True})
    rule = next(r for r in any_area["routing_rules"] if r["key"] == "sexual-offence")
    assert sexual.primary == rule["service"]


def test_public_pages_speak_for_the_area(any_area: dict[str, Any], client: Any) -> None:
    home = client.get("/").content.decode()
    assert f"Support for victims of crime in {any_area['name']}" in home
    privacy = client.get("/privacy/").content.decode()
    controller = any_area["commissioner"]
    assert controller["name"] in privacy and controller["address"] in privacy
    rights = client.get("/your-rights/").content.decode()
    assert any_area["support_line"]["phone"] in rights and controller["name"] in rights


def test_translations_take_the_area_name(any_area: dict[str, Any], client: Any) -> None:
    assert f"Wsparcie dla ofiar przestępstw \N{EN DASH} {any_area['name']}" in client.get("/pl/").content.decode()


def test_with_the_city_loaded_no_page_or_message_mentions_warwickshire(any_area: dict[str, Any], client: Any) -> None:
    if any_area["area"] == "warwickshire":
        assert WARWICKSHIRE.search(client.get("/").content.decode())  # the pattern does find it
        return
    for page in PUBLIC_PAGES:
        html = client.get(page).content.decode()
        assert not WARWICKSHIRE.search(html), (page, WARWICKSHIRE.search(html))
    for template in MessageTemplate.objects.all():
        assert not WARWICKSHIRE.search(template.subject + template.body)


def test_the_police_file_for_the_area_imports_and_offers_support(any_area: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "police.csv"
    call_command("make_police_file", rows=40, seed=3, output=path, area=any_area["area"], stderr=io.StringIO())
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith(any_area["force_codes"][0] + ",")
    out = io.StringIO()
    call_command("import_police", str(path), stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["errors"] == 0 and summary["created"] == 40
    offers = Message.objects.exclude(personalisation={})
    assert offers.exists()
    service = Service.objects.get(slug=any_area["police_offer"]["service"])
    for message in offers:
        assert message.personalisation["service_phone"] == service.phone
        assert message.personalisation["area_name"] == any_area["name"]
        assert message.template is not None
        assert not message.template.blank_placeholders(message.personalisation)


def test_an_offer_with_a_gap_is_never_sent() -> None:
    template = MessageTemplate.objects.get(key="support-offer", channel="sms", language="en")
    assert template.blank_placeholders({"area_name": "X", "service_name": "", "service_phone": " "}) == [
        "service_name",
        "service_phone",
    ]


def test_the_start_up_check_refuses_an_area_without_its_offer_service(any_area: dict[str, Any]) -> None:
    assert area_database_check(databases=["default"]) == []
    Service.objects.filter(slug=any_area["police_offer"]["service"]).update(phone="")
    assert [e.id for e in area_database_check(databases=["default"])] == ["onedoor.areas.E004"]


def test_the_start_up_check_refuses_an_area_with_no_district(any_area: dict[str, Any]) -> None:
    from onedoor.referrals.models import RoutingRule

    RoutingRule.objects.all().delete()
    District.objects.all().delete()
    assert "onedoor.areas.E003" in [e.id for e in area_database_check(databases=["default"])]


def test_the_start_up_check_refuses_an_invalid_area_file(settings: Any, tmp_path: Path) -> None:
    from onedoor.areas.checks import area_file_check

    path = tmp_path / "area.json"
    path.write_text('{"schema_version": 1}', encoding="utf-8")
    settings.ONEDOOR_AREA = str(path)
    errors = area_file_check()
    assert [e.id for e in errors] == ["onedoor.areas.E001"] and "'area' is a required property" in errors[0].msg


def test_create_admin_enrols_two_factor_and_prints_the_key_once(any_area: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("create_admin", "first.admin", email="first.admin@example.org", stdout=out)
    user = User.objects.get(username="first.admin")
    assert user.role == Role.ADMINISTRATOR and user.organisation is not None
    assert user.organisation.slug == any_area["commissioner"]["organisation"]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    from base64 import b32encode

    key = b32encode(bytes.fromhex(device.key)).decode()
    assert out.getvalue().count(key) == 2  # the key, and the same key in the otpauth link, once each
    with pytest.raises(CommandError, match="already a user"):
        call_command("create_admin", "first.admin", email="x@example.org", stdout=io.StringIO())


@pytest.mark.parametrize(("postcode", "refused"), [("CV1 2AB", True), ("CV34 4RL", False), ("EC2V 7HH", False)])
def test_the_out_of_area_rule_is_the_area_files(any_area: dict[str, Any], postcode: str, refused: bool) -> None:
    from onedoor.areas.current import out_of_area

    outward = postcode.split()[0]
    expected = any(outward in r.get("postcode_districts", []) for r in any_area["out_of_area"])
    assert (out_of_area(outward) is not None) == expected
    if any_area["area"] == "warwickshire":
        assert expected == refused
    else:
        assert not expected


def test_the_demo_runs_for_the_area(any_area: dict[str, Any]) -> None:
    from onedoor.referrals.models import Referral

    out = io.StringIO()
    call_command("load_demo", "--count", "40", stdout=out)
    call_command("load_casework_demo", stdout=io.StringIO())
    referrals = Referral.objects.all()
    assert referrals.count() >= 20
    assert set(referrals.values_list("district__gss_code", flat=True)) <= {d["gss_code"] for d in any_area["districts"]}
    police = User.objects.get(username="police.data").organisation
    assert police is not None and police.kind == "police"
    assert "vs.triage" in out.getvalue()


def test_insights_show_the_area_districts_and_services(
    any_area: dict[str, Any], make_user: Any, signed_in_client: Any
) -> None:
    analyst = make_user(Role.COMMISSIONER_ANALYST, any_area["commissioner"]["organisation"])
    page = signed_in_client(analyst).get("/insights/").content.decode()
    for district in any_area["districts"]:
        assert district["name"] in page
    for service in any_area["services"]:
        if service["kind"] == "commissioned":
            assert escape(service["name"]) in page  # the service filter lists every commissioned service
    if any_area["area"] != "warwickshire":
        assert not WARWICKSHIRE.search(page)
