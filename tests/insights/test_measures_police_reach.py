"""Police reach measures, with exact figures on transfer files imported through the real import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from onedoor.accounts.models import Role, User
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, TOTAL
from onedoor.insights.figures import percent_figure
from onedoor.insights.query import Filters, Scope
from onedoor.insights.registry import MEASURES
from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals import services as spine
from tests.insights.facts_a import MAY, Clock, clock_fixture, counts, row  # noqa: F401  (a fixture)
from tests.insights.helpers import as_is
from tests.police.helpers import row as police_row
from tests.police.helpers import run
from tests.referrals.factories import accept_by_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(clock: Clock, make_user: Callable[..., User]) -> None:
    """A file on 2 April: V1 consents and is referred and offered support; V2 neither consents nor may be
    contacted; V3 consents (no district) but may not be contacted. V1 is contacted and engages. A file on
    1 May sends V1 again, unchanged, and a new V4."""
    clock.on(date(2026, 4, 2), hour=12)
    v1 = police_row(victim_reference="V1")
    v2 = police_row(
        victim_reference="V2",
        consent_to_share="N",
        contact_permitted="N",
        phone="07700 900124",
        email="v2@example.org",
        first_name="Bea",
    )
    v3 = police_row(
        victim_reference="V3",
        district="",
        contact_permitted="N",
        phone="07700 900125",
        email="v3@example.org",
        first_name="Cy",
    )
    run([v1, v2, v3], now=clock.moment)
    vs = make_user(Role.CASEWORKER, org="victim-support")
    referral = PoliceVictimRecord.objects.get(victim_reference="V1").referral
    assert referral is not None
    referral = accept_by_team(referral=referral, team_of=vs)
    referral = spine.referral_assign(referral=referral, actor=vs, assignee=vs)
    clock.on(date(2026, 4, 3), hour=12)
    referral = spine.referral_mark_contacted(referral=referral, actor=vs)
    clock.on(date(2026, 4, 4), hour=12)
    spine.referral_mark_engaged(referral=referral, actor=vs)
    clock.on(date(2026, 5, 1), hour=12)
    run([v1, police_row(victim_reference="V4", phone="07700 900126", email="v4@example.org")], now=clock.moment)


def test_each_victim_counts_once_on_the_day_first_received(files: None) -> None:
    victims = counts("police_reach.victims", by=(dims.DISTRICT,))
    assert victims.total == 3
    assert row(victims, dims.DISTRICT) == {"E07000222": 2, NOT_RECORDED: 1}
    assert counts("police_reach.victims", MAY, refresh=False).total == 1  # V4 only: V1 was sent again
    assert counts("police_reach.consented", refresh=False).total == 2
    assert counts("police_reach.referred", refresh=False).total == 2
    assert counts("police_reach.contacted", refresh=False).total == 1
    assert counts("police_reach.engaged", refresh=False).total == 1
    consent = MEASURES["police_reach.consent_rate"]
    assert (consent.numerator_id, consent.denominator_id) == ("police_reach.consented", "police_reach.victims")


def test_offered_and_withheld_by_reason(files: None) -> None:
    assert counts("police_reach.offered").total == 1
    withheld = counts("police_reach.withheld", by=("withheld_reason",), refresh=False)
    assert row(withheld, "withheld_reason") == {"contact_not_permitted": 2}


def test_police_reach_by_offence_group_filtered_and_scoped(files: None) -> None:
    by_offence = counts("police_reach.victims", by=(dims.OFFENCE_GROUP,))
    assert row(by_offence, dims.OFFENCE_GROUP) == {"burglary-residential": 3}
    assert counts("police_reach.victims", filters=Filters(district=NOT_RECORDED), refresh=False).total == 1
    assert counts("police_reach.victims", filters=Filters(source="self"), refresh=False).total == 0
    vs = Scope(services=frozenset(Service.objects.filter(slug="victim-support").values_list("pk", flat=True)))
    # A provider sees only the victims referred to its services.
    assert counts("police_reach.victims", scope=vs, refresh=False).total == 2
    rosa = Scope(services=frozenset(Service.objects.filter(slug="rosa").values_list("pk", flat=True)))
    assert counts("police_reach.victims", scope=rosa, refresh=False).total == 0
    ages = row(counts("police_reach.victims", by=(dims.AGE_BAND,), refresh=False), dims.AGE_BAND)
    assert ages == {"45-to-54": 3}  # born 1 May 1980, the crime recorded on 10 January 2026: 45


def test_the_consent_rate(files: None) -> None:
    consented, victims = counts("police_reach.consented"), counts("police_reach.victims", refresh=False)
    shown = as_is([consented, victims])
    figure = percent_figure(shown[consented.population], shown[victims.population], TOTAL)
    assert figure.value == pytest.approx(200 / 3)


def test_the_age_band_turns_on_the_birthday(clock: Clock) -> None:
    clock.on(date(2026, 4, 2), hour=12)
    sixteen = police_row(victim_reference="B1", date_of_birth="2010-01-10", phone="", email="")
    fifteen = police_row(victim_reference="B2", date_of_birth="2010-01-11", phone="", email="", first_name="Di")
    unknown = police_row(victim_reference="B3", date_of_birth="", phone="", email="", first_name="Ed")
    run([sixteen, fifteen, unknown], now=clock.moment)  # the crimes recorded on 10 January 2026
    ages = row(counts("police_reach.victims", by=(dims.AGE_BAND,)), dims.AGE_BAND)
    assert ages == {"under-16": 1, "16-to-24": 1, NOT_RECORDED: 1}
