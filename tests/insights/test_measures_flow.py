"""Flow measures, with exact figures on referrals moved through the real status machine on chosen days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from onedoor.accounts.models import Role, User
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import TOTAL
from onedoor.insights.figures import percent_figure
from onedoor.insights.query import Scope
from onedoor.insights.registry import MEASURES
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral
from tests.insights.facts_a import Clock, clock_fixture, counts, row  # noqa: F401  (a fixture)
from tests.insights.helpers import as_is
from tests.referrals.factories import accept_by_team, make_referral, reroute_by_team, triage_colleague

pytestmark = pytest.mark.django_db


@pytest.fixture
def april(referrer: User, clock: Clock, make_user: Callable[..., User]) -> dict[str, Referral]:
    vs = make_user(Role.CASEWORKER, org="victim-support")
    rosa = make_user(Role.CASEWORKER, org="rosa")

    def on(day: int, month: int = 4) -> None:
        clock.on(date(2026, month, day))

    def assigned(referral: Referral) -> Referral:
        return spine.referral_assign(referral=referral, actor=vs, assignee=vs)

    on(31, 3)
    r5 = make_referral(referrer=referrer)
    on(1)
    r1, r2, r3, r4, r6 = (make_referral(referrer=referrer) for _ in range(5))
    r5 = assigned(accept_by_team(referral=r5, team_of=vs))
    on(2)
    r1 = spine.referral_triage(referral=r1, actor=triage_colleague(vs))
    r1 = assigned(accept_by_team(referral=r1, team_of=vs))
    r2 = assigned(accept_by_team(referral=r2, team_of=vs))
    spine.referral_decline(referral=r3, actor=triage_colleague(vs), reason_code="out_of_remit")
    on(3)
    r1 = spine.referral_mark_contacted(referral=r1, actor=vs)
    r4 = reroute_by_team(referral=r4, team_of=vs, to_service=Service.objects.get(slug="rosa"))
    on(4)
    r1 = spine.referral_mark_engaged(referral=r1, actor=vs)
    spine.referral_triage(referral=r4, actor=triage_colleague(rosa))
    on(5)
    r2 = spine.referral_mark_contacted(referral=r2, actor=vs)
    on(6)
    spine.referral_mark_not_engaged(referral=r2, actor=vs, reason_code="unable_to_contact")
    on(20)
    r1 = spine.referral_close(referral=r1, actor=vs, reason_code="support_completed")
    on(25)
    r1 = spine.referral_reopen(referral=r1, actor=vs, reason="Asked for more help")
    on(28)
    spine.referral_close(referral=r1, actor=vs, reason_code="support_completed")
    on(2, 5)
    accept_by_team(referral=r6, team_of=vs)
    return {"r1": r1, "r4": r4}


def test_the_funnel_counts_each_step_once_on_its_day(april: dict[str, Referral]) -> None:
    assert counts("demand.received").total == 5
    triaged = counts("flow.triaged", by=(dims.SERVICE,), refresh=False)
    assert row(triaged, dims.SERVICE) == {"victim-support": 1, "rosa": 1}
    assert counts("flow.accepted", refresh=False).total == 3  # R1, R2 and R5 (received in March); not R6
    assert counts("flow.first_contact", refresh=False).total == 2
    assert counts("flow.engaged", refresh=False).total == 1
    assert counts("flow.closed", refresh=False).total == 1  # closed twice, counted the first time
    assert counts("flow.reopened", refresh=False).total == 1


def test_declines_not_engaged_and_reroutes_by_their_own_breakdowns(april: dict[str, Referral]) -> None:
    declined = counts("flow.declined", by=("decline_reason",))
    assert row(declined, "decline_reason") == {"out_of_remit": 1}
    not_engaged = counts("flow.not_engaged", by=("not_engaged_reason",), refresh=False)
    assert row(not_engaged, "not_engaged_reason") == {"unable_to_contact": 1}
    rerouted = counts("flow.rerouted", by=(dims.SERVICE, "to_service"), refresh=False)
    assert rerouted.total == 1
    assert rerouted.get(service="victim-support", to_service="rosa") == 1


def test_a_provider_sees_only_steps_at_its_own_services(april: dict[str, Referral]) -> None:
    rosa = Scope(services=frozenset(Service.objects.filter(slug="rosa").values_list("pk", flat=True)), label="ROSA")
    assert counts("flow.triaged", scope=rosa).total == 1
    assert counts("flow.accepted", scope=rosa, refresh=False).total == 0
    assert counts("flow.rerouted", scope=rosa, refresh=False).total == 0  # re-routed by Victim Support
    assert counts("demand.received", scope=rosa, refresh=False).total == 1  # R4 is ROSA's now


def test_each_conversion_names_two_counts_of_the_funnel() -> None:
    pairs = {m.id: (m.numerator_id, m.denominator_id) for m in MEASURES.values() if m.id.endswith("_rate")}
    assert pairs["flow.triaged_rate"] == ("flow.triaged", "demand.received")
    assert pairs["flow.accepted_rate"] == ("flow.accepted", "demand.received")
    assert pairs["flow.first_contact_rate"] == ("flow.first_contact", "flow.accepted")
    assert pairs["flow.engaged_rate"] == ("flow.engaged", "flow.first_contact")
    assert pairs["flow.closed_rate"] == ("flow.closed", "flow.accepted")


def test_a_conversion_from_its_two_counts(april: dict[str, Referral]) -> None:
    accepted, received = counts("flow.accepted"), counts("demand.received", refresh=False)
    shown = as_is([accepted, received])
    figure = percent_figure(shown[accepted.population], shown[received.population], TOTAL)
    assert figure.value == pytest.approx(60.0)  # 3 first accepted in April over 5 received
