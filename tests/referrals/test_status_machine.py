from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.accounts.models import Role, User
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Status, StatusEvent
from tests.referrals.factories import make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db

ACTIONS: dict[str, Any] = {
    Status.TRIAGED: lambda r, a: services.referral_triage(referral=r, actor=a),
    Status.ACCEPTED: lambda r, a: services.referral_accept(referral=r, actor=a),
    Status.DECLINED: lambda r, a: services.referral_decline(referral=r, actor=a, reason_code="out_of_remit"),
    Status.WAITING: lambda r, a: services.referral_place_on_waiting_list(referral=r, actor=a),
    Status.CONTACT_ATTEMPTED: lambda r, a: services.referral_record_contact_attempt(referral=r, actor=a),
    Status.CONTACTED: lambda r, a: services.referral_mark_contacted(referral=r, actor=a),
    Status.ENGAGED: lambda r, a: services.referral_mark_engaged(referral=r, actor=a),
    Status.NOT_ENGAGED: lambda r, a: services.referral_mark_not_engaged(referral=r, actor=a, reason_code="no_reply"),
    Status.CLOSED: lambda r, a: services.referral_close(referral=r, actor=a, reason_code="support_completed"),
}


def test_every_status_has_a_rule() -> None:
    assert set(services.TRANSITIONS) == set(Status.values)
    assert all(set(t) <= set(Status.values) for t in services.TRANSITIONS.values())


def test_illegal_transitions_are_refused_with_a_plain_message(referrer: User, make_user: Callable[..., User]) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    with pytest.raises(services.TransitionError, match="received cannot be moved to support started"):
        services.referral_mark_engaged(referral=referral, actor=triage)
    services.referral_decline(referral=referral, actor=triage, reason_code="out_of_remit")
    with pytest.raises(services.TransitionError):
        services.referral_accept(referral=referral, actor=triage)
    assert [e.to_status for e in referral.events.all()] == ["received", "declined"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from([*ACTIONS, Status.REROUTED]), min_size=1, max_size=12))
def test_random_walks_keep_the_history_consistent(
    referrer: User, make_user: Callable[..., User], steps: list[str]
) -> None:
    actors = {
        "victim-support": make_user(Role.PROVIDER_TRIAGE, "victim-support"),
        "rosa": make_user(Role.PROVIDER_TRIAGE, "rosa"),
    }
    referral = make_referral(referrer=referrer)
    expected = [Status.RECEIVED.value]
    for step in steps:
        referral.refresh_from_db()
        assert referral.current_service is not None
        actor = actors[referral.current_service.slug]
        before = referral.status
        # closed -> accepted is re-opening, which only referral_reopen does (tests/referrals/test_status_table.py)
        allowed = step in services.TRANSITIONS[before] and before != Status.CLOSED
        try:
            if step == Status.REROUTED:
                target = "rosa" if referral.current_service.slug == "victim-support" else "victim-support"
                services.referral_reroute(
                    override_reason=TEST_OVERRIDE,
                    referral=referral,
                    actor=actor,
                    to_service=Service.objects.get(slug=target),
                )
            else:
                ACTIONS[step](referral, actor)
        except services.TransitionError:
            assert not allowed, f"{before} -> {step} should be allowed"
        else:
            assert allowed, f"{before} -> {step} should be refused"
            expected.append(step)
    referral.refresh_from_db()
    events = list(StatusEvent.objects.filter(referral=referral).values_list("to_status", flat=True))
    assert events == expected
    assert referral.status == events[-1]
    changes = AuditEvent.objects.filter(object_id=str(referral.pk), object_type="referrals.referral")
    # One row per change; a re-route that overrode the eligibility check adds its own row, counted apart.
    overrides = changes.filter(action="referral.reroute_overridden").count()
    assert overrides <= expected.count("rerouted")
    assert changes.exclude(action__startswith="referral.viewed").count() == len(expected) + overrides
