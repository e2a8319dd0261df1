"""Partnership measures, with exact figures on joint working, onward referrals and transitions made through
casework's services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from onedoor.accounts.models import Role, User
from onedoor.casework.services import joint_working as jw
from onedoor.directory.models import Service
from onedoor.insights import dimensions as dims
from onedoor.insights.query import Scope
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral
from tests.insights.facts_a import Clock, clock_fixture, counts, row  # noqa: F401  (a fixture)
from tests.referrals.factories import accept_by_team, make_referral

pytestmark = pytest.mark.django_db


def _case(referral: Referral, worker: User) -> Referral:
    referral = accept_by_team(referral=referral, team_of=worker)
    return spine.referral_assign(referral=referral, actor=worker, assignee=worker)


@pytest.fixture
def april(referrer: User, clock: Clock, make_user: Callable[..., User]) -> Referral:
    """Victim Support works jointly with ROSA, refers on to ROSA and to an external service; Compass starts a
    transition of a 17-year-old to CGL. Returns the adults' referral."""
    vs = make_user(Role.CASEWORKER, org="victim-support")
    compass = make_user(Role.CASEWORKER, org="compass")
    clock.on(date(2026, 4, 10))
    case = _case(make_referral(referrer=referrer), vs)
    young = make_referral(referrer=referrer, age=17, offence=None, flag_slugs=["cj-substance-use"])
    assert young.current_service is not None and young.current_service.slug == "compass"
    young = _case(young, compass)
    rosa = Service.objects.get(slug="rosa")
    jw.joint_working_start(referral=case, actor=vs, partner_service=rosa, consent_to_share=True)
    clock.on(date(2026, 4, 11))
    jw.onward_referral_make(referral=case, actor=vs, to_service=rosa)
    clock.on(date(2026, 4, 12))
    external = Service.objects.get(slug="domestic-abuse-service")
    jw.onward_referral_external(referral=case, actor=vs, to_service=external)
    clock.on(date(2026, 4, 15))
    transition = jw.transition_start(
        referral=young,
        actor=compass,
        to_service=Service.objects.get(slug="cgl"),
        handover_meeting_on=date(2026, 4, 20),
        plan="Meet CGL together",
    )
    assert transition.to_referral is not None
    return transition.to_referral


def test_jointly_supported_and_onward_referrals_by_destination(april: Referral) -> None:
    joint = counts("partnership.jointly_supported", by=("partner_service",))
    assert joint.total == 1 and row(joint, "partner_service") == {"rosa": 1}
    onward = counts("partnership.onward", by=("destination",), refresh=False)
    assert row(onward, "destination") == {"rosa": 1, "domestic-abuse-service": 1}
    by_service = counts("partnership.onward", by=(dims.SERVICE,), refresh=False)
    assert row(by_service, dims.SERVICE) == {"victim-support": 2}
    rosa = Scope(services=frozenset(Service.objects.filter(slug="rosa").values_list("pk", flat=True)))
    assert counts("partnership.onward", scope=rosa, refresh=False).total == 0


def test_transitions_by_their_outcome_so_far(april: Referral, clock: Clock, make_user: Callable[..., User]) -> None:
    outcome = counts("partnership.transitions", by=("transition_outcome",))
    assert row(outcome, "transition_outcome") == {"waiting": 1}
    assert row(counts("partnership.transitions", by=(dims.SERVICE,), refresh=False), dims.SERVICE) == {"compass": 1}
    cgl = make_user(Role.CASEWORKER, org="cgl")
    clock.on(date(2026, 4, 22))
    adult = _case(april, cgl)
    spine.referral_mark_contacted(referral=adult, actor=cgl)
    outcome = counts("partnership.transitions", by=("transition_outcome",))
    assert row(outcome, "transition_outcome") == {"supported": 1}
