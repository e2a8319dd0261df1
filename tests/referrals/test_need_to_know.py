"""Need-to-know ends when the need ends: after a re-route, a closure or the end of joint working, the
service or partner that no longer needs a case gets 404, exactly as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from onedoor.casework import services as casework
from onedoor.casework.selectors import shared_summary_for
from onedoor.core.audit import refusals_kept
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Referral
from onedoor.referrals.selectors import handed_on_history, referral_for_provider, referrals_visible_to
from tests.casework.conftest import all_needs
from tests.referrals.factories import accept_by_team, make_referral, reroute_by_team

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db


@pytest.fixture
def vs_triage(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROVIDER_TRIAGE, "victim-support")


@pytest.fixture
def vs_worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, "victim-support")


@pytest.fixture
def rosa_worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, "rosa", username="rosa-keyworker")


def _rerouted_and_worked_on(referrer: User, vs_triage: User, rosa_worker: User) -> Referral:
    """Victim Support triages and accepts, then hands the case to RoSA, who assess it."""
    referral = make_referral(referrer=referrer)
    services.referral_triage(referral=referral, actor=vs_triage)
    services.referral_accept(referral=referral, actor=vs_triage)
    services.referral_reroute(
        override_reason=TEST_OVERRIDE, referral=referral, actor=vs_triage, to_service=Service.objects.get(slug="rosa")
    )
    referral = accept_by_team(referral=referral, team_of=rosa_worker)
    referral = services.referral_assign(referral=referral, actor=rosa_worker, assignee=rosa_worker)
    casework.assessment_record(
        referral=referral,
        actor=rosa_worker,
        ratings=all_needs("high"),
        risk_to_self="high",
        risk_from_others="high",
        risk_to_others="none",
    )
    return referral


def test_after_a_reroute_the_former_holder_gets_404_for_the_new_holders_case(
    referrer: User,
    vs_triage: User,
    vs_worker: User,
    rosa_worker: User,
    signed_in_client: Callable[[User], Any],
    client: Client,
) -> None:
    referral = _rerouted_and_worked_on(referrer, vs_triage, rosa_worker)
    ref = referral.reference
    web = signed_in_client(vs_worker)
    for name in ("referrals:detail", "casework:case", "casework:assessment", "casework:contact", "casework:plan"):
        assert web.get(reverse(name, args=[ref])).status_code == 404, name
    assert web.post(reverse("referrals:claim", args=[ref])).status_code == 404
    assert not referrals_visible_to(user=vs_worker).filter(pk=referral.pk).exists()
    assert referral.reference not in web.get(reverse("casework:my_cases")).content.decode()
    web.logout()
    token = api_token_create(user=vs_worker)
    assert client.get(f"/api/v1/referrals/{ref}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
    # The new holder sees it all.
    assert signed_in_client(rosa_worker).get(reverse("casework:case", args=[ref])).status_code == 200


def test_the_former_holder_keeps_its_own_history_and_nothing_newer(
    referrer: User, vs_triage: User, vs_worker: User, rosa_worker: User, signed_in_client: Callable[[User], Any]
) -> None:
    referral = _rerouted_and_worked_on(referrer, vs_triage, rosa_worker)
    history = handed_on_history(user=vs_worker, reference=referral.reference)
    assert [e.to_status for e in history.events] == ["received", "triaged", "accepted", "rerouted"]
    assert history.handed_to == [str(Service.objects.get(slug="rosa"))]
    assert all(e.actor is None or e.actor.organisation_id == vs_worker.organisation_id for e in history.events)
    page = signed_in_client(vs_worker).get(reverse("referrals:handed_on", args=[referral.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert vs_triage.username in text or vs_triage.display_name() in text
    for hidden in ("Test Person", "+447700900123", "rosa-keyworker", "High", "Asked for support"):
        assert hidden not in text, hidden
    # RoSA never held it before, so it has no "handed on" page; an outsider neither.
    with pytest.raises(Http404):
        handed_on_history(user=rosa_worker, reference=referral.reference)


def test_rerouting_from_the_page_lands_on_the_handed_on_history(
    referrer: User, vs_triage: User, signed_in_client: Callable[[User], Any]
) -> None:
    referral = make_referral(referrer=referrer)
    rosa = Service.objects.get(slug="rosa")
    response = signed_in_client(vs_triage).post(
        reverse("referrals:reroute", args=[referral.reference]),
        {"to_service": rosa.slug, "override_reason": "The person asked for this service."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:handed_on", args=[referral.reference])


def test_refused_access_is_audited_with_the_reference_and_no_personal_data(
    referrer: User, vs_triage: User, vs_worker: User, rosa_worker: User, signed_in_client: Callable[[User], Any]
) -> None:
    referral = _rerouted_and_worked_on(referrer, vs_triage, rosa_worker)
    web = signed_in_client(vs_worker)
    web.get(reverse("casework:case", args=[referral.reference]))
    web.get("/cases/Jane%20Smith%2007700900123/")
    rows = list(AuditEvent.objects.filter(action="access.refused", actor=vs_worker).order_by("id"))
    assert [(r.object_id, r.detail["tried"]) for r in rows] == [
        (str(referral.pk), referral.reference),
        ("", "(not a reference)"),
    ]
    assert "Smith" not in str([r.detail for r in rows])


def test_a_refusal_inside_a_transaction_that_rolls_back_is_still_audited(referrer: User, rosa_worker: User) -> None:
    referral = make_referral(referrer=referrer)
    with refusals_kept():
        with pytest.raises(Http404), transaction.atomic():
            referral_for_provider(user=rosa_worker, reference=referral.reference)
        assert not AuditEvent.objects.filter(action="access.refused").exists()
    assert AuditEvent.objects.filter(action="access.refused", actor=rosa_worker, object_id=str(referral.pk)).exists()


def test_a_refusal_inside_a_transaction_that_commits_is_audited_once(
    referrer: User, rosa_worker: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    referral = make_referral(referrer=referrer)
    with refusals_kept():
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), pytest.raises(Http404):
            referral_for_provider(user=rosa_worker, reference=referral.reference)
        assert AuditEvent.objects.filter(action="access.refused", actor=rosa_worker).count() == 1
    assert AuditEvent.objects.filter(action="access.refused", actor=rosa_worker).count() == 1


# -- joint working: the partner's shared summary ends with the need --------------------------------


def _joint(referrer: User, vs_worker: User) -> Referral:
    referral = make_referral(referrer=referrer)
    referral = accept_by_team(referral=referral, team_of=vs_worker)
    casework.joint_working_start(
        referral=referral, actor=vs_worker, partner_service=Service.objects.get(slug="rosa"), consent_to_share=True
    )
    return referral


def test_closing_the_case_ends_the_partners_shared_summary(
    referrer: User, vs_worker: User, rosa_worker: User, signed_in_client: Callable[[User], Any]
) -> None:
    referral = _joint(referrer, vs_worker)
    web = signed_in_client(rosa_worker)
    url = reverse("casework:shared", args=[referral.reference])
    assert web.get(url).status_code == 200
    services.referral_close(referral=referral, actor=vs_worker, reason_code="support_completed")
    response = web.get(url)
    assert response.status_code == 404
    assert "+447700900123" not in response.content.decode()
    assert referral.reference not in web.get(reverse("casework:my_cases")).content.decode()
    # Reopening the case does not bring the partner back without a new joint working.
    services.referral_reopen(referral=referral, actor=vs_worker, reason="Asked for more help")
    assert web.get(url).status_code == 404


def test_ending_joint_working_ends_the_shared_summary(
    referrer: User, vs_worker: User, rosa_worker: User, signed_in_client: Callable[[User], Any]
) -> None:
    referral = _joint(referrer, vs_worker)
    casework.joint_working_end(joint=referral.joint_working.get(), actor=vs_worker)
    assert signed_in_client(rosa_worker).get(reverse("casework:shared", args=[referral.reference])).status_code == 404


def test_rerouting_the_case_ends_the_partners_shared_summary(
    referrer: User, vs_worker: User, rosa_worker: User, make_user: Callable[..., User]
) -> None:
    referral = _joint(referrer, vs_worker)
    barnardos = make_user(Role.CASEWORKER, "barnardos")
    assert shared_summary_for(user=rosa_worker, reference=referral.reference).reference == referral.reference
    reroute_by_team(referral=referral, team_of=vs_worker, to_service=Service.objects.get(slug="cgl"))
    with pytest.raises(Http404):
        shared_summary_for(user=rosa_worker, reference=referral.reference)
    with pytest.raises(Http404):
        shared_summary_for(user=barnardos, reference=referral.reference)


# -- transitions: each side sees the other only while the handover is open and that side is not finished


def test_a_closed_side_of_a_transition_is_hidden_even_inside_the_handover_window(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Any]
) -> None:
    compass_worker = make_user(Role.CASEWORKER, org="compass")
    cgl_worker = make_user(Role.CASEWORKER, org="cgl")
    young = make_referral(referrer=referrer, age=17, offence="drug-offences", flag_slugs=["cj-substance-use"])
    young = accept_by_team(referral=young, team_of=compass_worker)
    casework.transition_start(
        referral=young,
        actor=compass_worker,
        to_service=Service.objects.get(slug="cgl"),
        handover_meeting_on=date.today() + timedelta(days=7),
        plan="Joint session, then CGL takes over",
    )
    web = signed_in_client(cgl_worker)
    assert web.get(reverse("casework:case", args=[young.reference])).status_code == 200
    services.referral_close(referral=young, actor=compass_worker, reason_code="support_completed")
    assert web.get(reverse("casework:case", args=[young.reference])).status_code == 404
    assert web.get(reverse("referrals:detail", args=[young.reference])).status_code == 404
