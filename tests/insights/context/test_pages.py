"""The context pages: commissioner analysts only, figures under disclosure control, the police profile from
OneDoor's own transfer records, reach with rates per 1,000, and the district map drawn without JavaScript
beside its table."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.db.models import Count
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from onedoor.accounts.models import Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.insights.context import evidence
from onedoor.insights.context.report import report_tables, tables_for
from onedoor.insights.models import FactDay
from onedoor.insights.periods import month
from onedoor.insights.query import Filters
from onedoor.insights.rollups import rollups_refresh
from tests.insights.context.helpers import NORTH_LSOA, import_files, load_context, public_file, street_row
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db
PAGES = ("reach", "equity", "deprivation", "police-profile")
JANUARY = "2026-01"


def _victims() -> None:
    rows = []
    for i in range(12):
        rows.append(
            row(
                crime_reference=f"23/00000{i:02d}/26",
                victim_reference="V1",
                district="E07000222" if i < 7 else "E07000219",
                ethnicity="" if i < 5 else "white-irish",
                consent_to_share="Y" if i < 9 else "N",
                date_of_birth="2012-03-01" if i < 6 else "1980-05-01",
                phone=f"07700 900{i:03d}",
                email=f"v{i}@example.org",
                first_name=f"Victim{i}",
            )
        )
    run(rows)
    rollups_refresh(full=True)


def _cells(page: str, table_id: str, label: str) -> list[str]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        if re.search(rf'<th scope="row"[^>]*>(<strong>)?{re.escape(label)}(</strong>)?</th>', r):
            return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
    raise AssertionError(f"no row {label} in {table_id}")


def test_the_police_profile_counts_the_transfer_records() -> None:
    _victims()
    assert sum(FactDay.objects.filter(fact="police_profile.victims").values_list("n", flat=True)) == 12
    page = evidence.page_for(period=month(2026, 1), filters=Filters(), specs=evidence.profile_specs())
    tables = {t.key: t for t in evidence.profile_tables(page)}
    district = tables["profile-district"]
    assert [district.figure(k, "police_profile.victims").text for k in ("E07000222", "E07000219", "E07000218")] == [
        "7",
        "5",
        "0",
    ]
    assert district.figure("E07000222", "police_profile.victims:share").text == "58.3%"
    consent = tables["profile-consent"]
    assert (
        consent.figure("yes", "police_profile.victims").text,
        consent.figure("no", "police_profile.victims").text,
    ) == ("[c]", "[c]")  # "no" is below k, and the total would give it away
    assert consent.figure("no", "police_profile.victims:share").text == "[c]"
    ethnicity = tables["profile-ethnic_group"]
    assert ethnicity.figure("not-recorded", "police_profile.victims").text == "5"
    assert ethnicity.figure("not-recorded", "police_profile.victims:share").text == "41.7%"
    assert ethnicity.figure("white", "police_profile.victims").text == "7"
    ages = tables["profile-age_band"]
    assert ages.figure("under-16", "police_profile.victims").text == "6"
    assert ages.figure("45-to-54", "police_profile.victims").text == "6"
    assert tables["profile-repeat"].figure("no", "police_profile.victims").text == "12"


def test_the_police_profile_reads_month_slices_and_filters_like_every_fact() -> None:
    """A year's profile by one field is read from the month slices, not the day rows; the route-in filter
    keeps the transfer's victims (it once hid them), and any other route or a second characteristic is
    refused or empty, never wrong."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onedoor.insights.context.dims import CONSENT, ETHNIC_GROUP
    from onedoor.insights.periods import custom
    from onedoor.insights.query import Query, compute

    _victims()
    year = custom(date(2026, 1, 1), date(2026, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        cube = compute("police_profile.victims", Query(period=year, by=(CONSENT,)))
    assert [cube.get(consent=c) for c in ("yes", "no")] == [9, 3]
    assert any("insights_factmonth" in q["sql"] for q in queries)
    assert not any("insights_factday" in q["sql"] for q in queries)
    police = Query(period=year, filters=Filters(source="police-transfer"), by=(ETHNIC_GROUP,))
    assert compute("police_profile.victims", police).get(ethnic_group="not-recorded") == 5
    web = Query(period=year, filters=Filters(source="self"))
    assert compute("police_profile.victims", web)[frozenset()] == 0
    assert compute("police_profile.consented", Query(period=year))[frozenset()] == 9
    with pytest.raises(ValueError, match="break down by one of"):
        compute("police_profile.victims", Query(period=year, by=(CONSENT, ETHNIC_GROUP)))


def test_only_commissioner_analysts_see_the_context_pages(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    for role, org in ((Role.TEAM_LEAD, "victim-support"), (Role.CASEWORKER, "rosa"), (Role.REFERRER, None)):
        client = signed_in_client(make_user(role, org))
        for p in PAGES:
            assert client.get(f"/insights/context/{p}/?period={JANUARY}").status_code == 404


def test_the_pages_show_the_tables_the_map_and_never_a_person(
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    load_context()
    _victims()
    import_files(
        (
            "street.csv",
            public_file(
                [street_row(Month="2026-01") for _ in range(30)]
                + [street_row(Month="2026-01", **{"LSOA code": NORTH_LSOA})] * 6
            ),
        )
    )
    client = signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))
    pages = {}
    for p in PAGES:
        with django_assert_max_num_queries(90):
            response = client.get(f"/insights/context/{p}/?period={JANUARY}")
        assert response.status_code == 200
        pages[p] = response.content.decode()
        for i in range(12):
            assert f"Victim{i}" not in pages[p] and f"v{i}@example.org" not in pages[p]
    reach = pages["reach"]
    # Warwick: 30 recorded crimes among 148,452 residents (Census 2021 TS007) is 0.2 per 1,000; 7 victims.
    assert _cells(reach, "reach-district", "Warwick")[:4] == ["30", "0.2", "7", "0.0"]
    assert _cells(reach, "reach-district", "North Warwickshire")[:2] == ["6", "0.1"]
    assert _cells(reach, "reach-district", "Rugby")[:2] == ["0", "0.0"]
    assert _cells(reach, "reach-type", "Burglary")[0] == "36"
    assert _cells(reach, "crimes-district-month", "January 2026") == ["6", "0", "0", "0", "30", "36"]
    assert "Recorded crimes count crimes, not victims" in reach
    svg = reach.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert svg.count("<path") == 5
    assert "Warwick 0.2" in svg and "North Warwickshire 0.1" in svg  # the description says every figure
    assert "<script" not in reach.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'href="#reach-district"' in reach
    assert "Census 2011, table KS201EW" in pages["equity"]
    assert "1 (most deprived)" in pages["deprivation"] and "Under investigation" in pages["deprivation"]
    assert _cells(pages["police-profile"], "profile-district", "Warwick") == ["7", "58.3%"]


def test_a_bad_period_says_what_to_write(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))
    page = client.get("/insights/context/reach/?period=2026-13").content.decode()
    assert "has no month 13: months run from 01 to 12." in page and "govuk-error-summary" in page


def test_the_needs_assessment_report_takes_the_profile_reach_and_equity_tables() -> None:
    load_context()
    _victims()
    tables = report_tables(month(2026, 1))
    keys = [t.key for t in tables]
    assert keys[:7] == [
        f"profile-{d}" for d in ("district", "offence_group", "consent", "age_band", "sex", "ethnic_group", "repeat")
    ]
    assert "reach-district" in keys and {"equity-age_band", "equity-ethnicity"} <= set(keys)
    reach = next(t for t in tables if t.key == "reach-district")
    assert reach.figure("E07000222", "police_profile.victims").text == "7"
    assert tables_for("police-profile", month(2026, 1))[0].figure("E07000222", "police_profile.victims").text == "7"


def test_a_context_page_downloads_as_a_spreadsheet_and_the_download_is_audited(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    _victims()
    analyst = signed_in_client(make_user(Role.COMMISSIONER_ANALYST, "opcc"))
    response = analyst.get("/insights/context/police-profile/export.csv?period=2026-01")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "Period: January 2026" in response.content.decode("utf-8-sig")
    exported = AuditEvent.objects.filter(action=AuditAction.INSIGHTS_EXPORTED, detail__page="context-police-profile")
    assert exported.count() == 1
    assert analyst.get("/insights/context/police-profile/export.pdfx?period=2026-01").status_code == 404
    lead = signed_in_client(make_user(Role.TEAM_LEAD, "rosa"))
    assert lead.get("/insights/context/police-profile/export.csv?period=2026-01").status_code == 404


def test_a_providers_police_profile_counts_only_the_victims_referred_to_it() -> None:
    """A team lead's scope reaches the police profile too: victims whose referral another provider holds, and
    victims never referred, are not in their figures."""
    from onedoor.directory.models import Service
    from onedoor.insights.query import Query, Scope, compute
    from onedoor.referrals.models import Referral

    rows = [
        row(
            crime_reference=f"23/00001{i:02d}/26",
            offence_group="rape" if i < 3 else "burglary-residential",
            consent_to_share="N" if i == 4 else "Y",
            phone=f"07700 900{i:03d}",
            email=f"s{i}@example.org",
            first_name=f"Scoped{i}",
        )
        for i in range(6)
    ]
    run(rows)
    rollups_refresh(full=True)
    held = dict(Referral.objects.values_list("current_service__slug").annotate(n=Count("id")).order_by())
    assert len(held) >= 2, held  # two providers hold some of them
    january = month(2026, 1)
    everything = compute("police_profile.victims", Query(period=january))[frozenset()]
    assert everything == 6
    for slug, n in held.items():
        scope = Scope(services=frozenset(Service.objects.filter(slug=slug).values_list("id", flat=True)))
        assert compute("police_profile.victims", Query(period=january, scope=scope))[frozenset()] == n
    assert sum(held.values()) < everything  # the victim who did not consent was never referred
