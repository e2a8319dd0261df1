"""The access helpers for objects a casework URL names by id: another provider's id answers 404, whether
asked for under the user's own case or under the other provider's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import Http404

from onedoor.accounts.models import Role, User
from onedoor.casework import access
from onedoor.casework import services as casework
from onedoor.casework.models import CaseAlert, WelfareCheckIn
from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service
from onedoor.referrals.models import Referral
from tests.referrals.factories import accept_by_team, make_referral, reroute_by_team

pytestmark = pytest.mark.django_db


def _children(case: Referral, actor: User, intervention: str) -> dict[str, int]:
    """One of each child object on the case, made through the services."""
    casework.support_plan_save(
        referral=case, actor=actor, headline="Feel safe", review_on=date.today() + timedelta(days=28)
    )
    goal = casework.goal_add(
        referral=case,
        actor=actor,
        need=NeedCategory.objects.get(slug="mental-physical-health"),
        description="Feel better",
        intervention=intervention,
    )
    joint = casework.joint_working_start(
        referral=case, actor=actor, partner_service=Service.objects.get(slug="cgl"), consent_to_share=True
    )
    slavery = casework.modern_slavery_record(
        referral=case,
        actor=actor,
        first_responder="Warwickshire Police",
        submitted_on=date.today(),
        adult_consents=True,
    )
    casework.measure_record(referral=case, actor=actor, measure="phq9", stage="start", answers=[1] * 9)
    entry = casework.waiting_list_add(referral=case, actor=actor)
    return {
        "goal": goal.pk,
        "joint": joint.pk,
        "slavery": slavery.pk,
        "check_in": WelfareCheckIn.objects.get(entry=entry).pk,
        "alert": CaseAlert.objects.get(referral=case).pk,
    }


@pytest.fixture
def two_providers(
    accepted_case: Callable[..., Referral], caseworker: User, make_user: Callable[..., User], referrer: User
) -> tuple[Referral, dict[str, int], Referral, dict[str, int]]:
    ours = accepted_case()
    rosa_worker = make_user(Role.CASEWORKER, "rosa")
    theirs = reroute_by_team(
        referral=make_referral(referrer=referrer), team_of=caseworker, to_service=Service.objects.get(slug="rosa")
    )
    theirs = accept_by_team(referral=theirs, team_of=rosa_worker)
    return ours, _children(ours, caseworker, "practical_help"), theirs, _children(theirs, rosa_worker, "isva")


Fetch = Callable[[User, str, dict[str, int]], Any]

HELPERS: dict[str, Fetch] = {
    "goal": lambda u, ref, ids: access.access_goal_by_id(user=u, reference=ref, goal_id=ids["goal"]),
    "check_in": lambda u, ref, ids: access.access_check_in_by_id(user=u, reference=ref, check_in_id=ids["check_in"]),
    "joint": lambda u, ref, ids: access.access_joint_working_by_id(user=u, reference=ref, joint_id=ids["joint"]),
    "slavery": lambda u, ref, ids: access.access_modern_slavery_referral_by_id(
        user=u, reference=ref, record_id=ids["slavery"]
    ),
}


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_another_providers_id_is_404(
    name: str, two_providers: tuple[Referral, dict[str, int], Referral, dict[str, int]], caseworker: User
) -> None:
    ours, our_ids, theirs, their_ids = two_providers
    fetch = HELPERS[name]
    referral, child = fetch(caseworker, ours.reference, our_ids)
    assert referral.pk == ours.pk and child.pk == our_ids[name]
    with pytest.raises(Http404):
        fetch(caseworker, ours.reference, their_ids)  # their id under our case
    with pytest.raises(Http404):
        fetch(caseworker, theirs.reference, their_ids)  # their id under their case


def test_the_waiting_entry_is_only_the_holders(
    two_providers: tuple[Referral, dict[str, int], Referral, dict[str, int]], caseworker: User
) -> None:
    ours, _, theirs, _ = two_providers
    referral, row = access.access_waiting_entry(user=caseworker, reference=ours.reference)
    assert referral.pk == ours.pk and row.entry.referral_id == ours.pk
    with pytest.raises(Http404):
        access.access_waiting_entry(user=caseworker, reference=theirs.reference)


def test_another_organisations_alert_is_404(
    two_providers: tuple[Referral, dict[str, int], Referral, dict[str, int]], caseworker: User, team_lead: User
) -> None:
    _, our_ids, _, their_ids = two_providers
    assert access.access_alert_by_id(user=team_lead, alert_id=our_ids["alert"]).pk == our_ids["alert"]
    with pytest.raises(Http404):
        access.access_alert_by_id(user=team_lead, alert_id=their_ids["alert"])
    with pytest.raises(Http404):  # alerts are for team leads
        access.access_alert_by_id(user=caseworker, alert_id=our_ids["alert"])
