"""Services enforce who may act on a referral, not only the views: every role, against every kind of
action, on a referral the user's organisation holds, one it never held, and one it handed on.

The expected roles are written out here, from the pages' `@roles(...)`, not read from the code's table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from onedoor.accounts.models import Role, User
from onedoor.casework import services as casework
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Referral
from tests.casework.conftest import all_needs
from tests.referrals.factories import make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

TRIAGE = frozenset({Role.PROVIDER_TRIAGE, Role.TEAM_LEAD})
ANY_PROVIDER = frozenset({Role.PROVIDER_TRIAGE, Role.CASEWORKER, Role.TEAM_LEAD})

Step = Callable[[Referral, User], Any]


def _accept(r: Referral, a: User) -> Any:
    return services.referral_accept(referral=r, actor=a)


def _contacted(r: Referral, a: User) -> Any:
    return services.referral_mark_contacted(referral=services.referral_accept(referral=r, actor=a), actor=a)


def _closed(r: Referral, a: User) -> Any:
    return services.referral_close(referral=_accept(r, a), actor=a, reason_code="support_completed")


@dataclass(frozen=True)
class Case:
    name: str
    allowed: frozenset[Role]
    call: Step
    before: Step | None = None  # run by the holder's team lead, to put the referral where the call can work


def _rosa() -> Service:
    return Service.objects.get(slug="rosa")


def _other_than(service: Service | None) -> Service:
    return Service.objects.get(slug="victim-support" if service == _rosa() else "rosa")


CASES = [
    # triage: the queue pages are @roles(provider triage, team lead)
    Case("triage", TRIAGE, lambda r, a: services.referral_triage(referral=r, actor=a)),
    Case("accept", TRIAGE, _accept),
    Case("decline", TRIAGE, lambda r, a: services.referral_decline(referral=r, actor=a, reason_code="out_of_remit")),
    Case(
        "reroute",
        TRIAGE,
        lambda r, a: services.referral_reroute(
            override_reason=TEST_OVERRIDE, referral=r, actor=a, to_service=_other_than(r.current_service)
        ),
    ),
    Case("assign", TRIAGE, lambda r, a: services.referral_assign(referral=r, actor=a, assignee=None)),
    # claiming: @roles(PROVIDER_ROLES)
    Case("claim", ANY_PROVIDER, lambda r, a: services.referral_assign(referral=r, actor=a, assignee=a)),
    # casework: @roles(CASEWORK_ROLES), every provider role
    Case("waiting", ANY_PROVIDER, lambda r, a: services.referral_place_on_waiting_list(referral=r, actor=a), _accept),
    Case("attempt", ANY_PROVIDER, lambda r, a: services.referral_record_contact_attempt(referral=r, actor=a), _accept),
    Case("contacted", ANY_PROVIDER, lambda r, a: services.referral_mark_contacted(referral=r, actor=a), _accept),
    Case("engaged", ANY_PROVIDER, lambda r, a: services.referral_mark_engaged(referral=r, actor=a), _contacted),
    Case(
        "not_engaged",
        ANY_PROVIDER,
        lambda r, a: services.referral_mark_not_engaged(referral=r, actor=a, reason_code="declined_support"),
        _accept,
    ),
    Case(
        "close",
        ANY_PROVIDER,
        lambda r, a: services.referral_close(referral=r, actor=a, reason_code="support_completed"),
        _accept,
    ),
    Case("reopen", ANY_PROVIDER, lambda r, a: services.referral_reopen(referral=r, actor=a, reason="back"), _closed),
    Case(
        "contact_attempt_record",
        ANY_PROVIDER,
        lambda r, a: casework.contact_attempt_record(referral=r, actor=a, channel="phone", outcome="no_answer"),
        _accept,
    ),
    Case(
        "assessment_record",
        ANY_PROVIDER,
        lambda r, a: casework.assessment_record(
            referral=r,
            actor=a,
            ratings=all_needs(),
            risk_to_self="none",
            risk_from_others="none",
            risk_to_others="none",
        ),
        _accept,
    ),
    Case(
        "support_plan_save",
        ANY_PROVIDER,
        lambda r, a: casework.support_plan_save(referral=r, actor=a, headline="Feel safe", review_on=date(2099, 1, 1)),
        _accept,
    ),
    Case("waiting_list_add", ANY_PROVIDER, lambda r, a: casework.waiting_list_add(referral=r, actor=a), _accept),
    Case(
        "measure_record",
        ANY_PROVIDER,
        lambda r, a: casework.measure_record(referral=r, actor=a, measure="gad7", stage="start", answers=[1] * 7),
        _accept,
    ),
    Case(
        "joint_working_start",
        ANY_PROVIDER,
        lambda r, a: casework.joint_working_start(
            referral=r, actor=a, partner_service=Service.objects.get(slug="cgl"), consent_to_share=True
        ),
        _accept,
    ),
    Case(
        "case_close",
        ANY_PROVIDER,
        lambda r, a: casework.case_close(referral=r, actor=a, reason="support_completed", better_able_to_cope="yes"),
        _contacted,
    ),
    Case("support_start", ANY_PROVIDER, lambda r, a: casework.support_start(referral=r, actor=a), _contacted),
]

SITUATIONS = ["holding", "never_held", "handed_on"]


class _Undo(Exception):
    pass


def _outcome(case: Case, referral: Referral, actor: User) -> str:
    """Call the service in a savepoint that is always rolled back, so each role meets the same referral."""
    result = "ok"
    try:
        with transaction.atomic():
            try:
                case.call(referral, actor)
            except PermissionDenied:
                result = "denied"
            raise _Undo
    except _Undo:
        pass
    return result


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_services_enforce_the_role_and_the_holder(
    case: Case, situation: str, make_user: Callable[..., User], referrer: User
) -> None:
    vs_lead = make_user(Role.TEAM_LEAD, org="victim-support")
    referral = make_referral(referrer=referrer)  # a burglary: Victim Support holds it
    holder_lead = vs_lead
    if situation == "handed_on":
        services.referral_reroute(override_reason=TEST_OVERRIDE, referral=referral, actor=vs_lead, to_service=_rosa())
        holder_lead = make_user(Role.TEAM_LEAD, org="rosa")
    if case.before is not None:
        case.before(referral, holder_lead)
    referral.refresh_from_db()
    actor_org = {"holding": "victim-support", "never_held": "barnardos", "handed_on": "victim-support"}[situation]
    outcomes = {}
    for role in Role:
        # A data protection officer belongs to an organisation (a database constraint): that of the
        # actors, so the test shows the officer cannot act on a case even of their own organisation.
        in_org = role in ANY_PROVIDER or role == Role.DATA_PROTECTION_OFFICER
        actor = make_user(role, org=actor_org if in_org else None)
        outcomes[role] = _outcome(case, referral, actor)
    expected = {role: "ok" if situation == "holding" and role in case.allowed else "denied" for role in Role}
    assert outcomes == expected
    assert Referral.objects.get(pk=referral.pk).status == referral.status
