from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework import services
from onedoor.casework.models import ContactAttempt, OnwardReferral
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals.models import Referral, Status
from onedoor.referrals.selectors import queue, referrals_visible_to
from tests.casework.conftest import all_needs
from tests.referrals.factories import accept_by_team, make_referral


def test_voicemail_where_unsafe_is_refused_on_the_page_with_the_reason(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case(safe_to_leave_voicemail=False)
    client = signed_in_client(caseworker)
    url = reverse("casework:contact", args=[case.reference])
    page = client.get(url)
    assert "do not leave a voicemail" in page.content.decode()
    response = client.post(url, {"channel": "phone", "outcome": "voicemail_left"})
    assert response.status_code == 400
    assert "not safe to leave a voicemail" in response.content.decode()
    assert not ContactAttempt.objects.filter(referral=case).exists()


def test_case_page_is_audited_and_shows_first_contact_due(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    response = signed_in_client(caseworker).get(reverse("casework:case", args=[case.reference]))
    assert response.status_code == 200
    assert f'First contact due <strong id="first-contact-due">{case.due_on:%-d %b %Y}' in response.content.decode()
    assert "never a diagnosis" in response.content.decode()
    assert AuditEvent.objects.filter(action="referral.viewed.casework", object_id=str(case.pk)).exists()


def test_another_organisation_gets_404(
    accepted_case: Callable[..., Referral], make_user: Callable[..., User], signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    client = signed_in_client(make_user(Role.CASEWORKER, org="rosa"))
    assert client.get(reverse("casework:case", args=[case.reference])).status_code == 404
    assert client.get(reverse("casework:contact", args=[case.reference])).status_code == 404


# -- joint working ---------------------------------------------------------------------------------


def _joint_case(accepted_case: Callable[..., Referral], caseworker: User, *, consent: bool) -> Referral:
    case = accepted_case(risks_to_person="Ex-partner lives nearby", reason="Burgled twice this month")
    services.assessment_record(
        referral=case,
        actor=caseworker,
        ratings=all_needs("medium"),
        risk_to_self="low",
        risk_from_others="high",
        risk_to_others="none",
    )
    services.support_plan_save(
        referral=case, actor=caseworker, headline="Feel safe at home again", review_on=date.today() + timedelta(days=30)
    )
    services.joint_working_start(
        referral=case, actor=caseworker, partner_service=Service.objects.get(slug="rosa"), consent_to_share=consent
    )
    return case


def test_joint_working_partner_sees_the_shared_summary_and_nothing_else(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Any],
) -> None:
    case = _joint_case(accepted_case, caseworker, consent=True)
    partner = make_user(Role.CASEWORKER, org="rosa")
    client = signed_in_client(partner)
    summary = client.get(reverse("casework:shared", args=[case.reference]))
    assert summary.status_code == 200
    text = summary.content.decode()
    for shown in ("Test Person", "+447700900123", "Feel safe at home again", "High", "call, text"):
        assert shown in text
    for hidden in ("Burgled twice", "Ex-partner", "23/123456/26", "Medium"):
        assert hidden not in text
    assert AuditEvent.objects.filter(action="referral.viewed.shared_summary", actor=partner).exists()
    # ... and nothing else: not the case, not the referral, not in its lists.
    assert client.get(reverse("casework:case", args=[case.reference])).status_code == 404
    assert client.get(reverse("referrals:detail", args=[case.reference])).status_code == 404
    assert not referrals_visible_to(user=partner).filter(pk=case.pk).exists()
    my_cases = client.get(reverse("casework:my_cases")).content.decode()
    assert case.reference in my_cases  # listed under "shared with your service", linking to the summary only


def test_joint_working_without_consent_shows_nothing(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Any],
) -> None:
    case = _joint_case(accepted_case, caseworker, consent=False)
    client = signed_in_client(make_user(Role.CASEWORKER, org="rosa"))
    assert client.get(reverse("casework:shared", args=[case.reference])).status_code == 404
    assert client.get(reverse("casework:case", args=[case.reference])).status_code == 404
    assert case.reference not in client.get(reverse("casework:my_cases")).content.decode()


def test_ended_joint_working_shows_nothing(
    accepted_case: Callable[..., Referral],
    caseworker: User,
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Any],
) -> None:
    case = _joint_case(accepted_case, caseworker, consent=True)
    services.joint_working_end(joint=case.joint_working.get(), actor=caseworker)
    client = signed_in_client(make_user(Role.CASEWORKER, org="rosa"))
    assert client.get(reverse("casework:shared", args=[case.reference])).status_code == 404


# -- onward referral and transition ----------------------------------------------------------------


def test_onward_referral_creates_a_linked_referral_in_the_other_queue(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case()
    rosa = Service.objects.get(slug="rosa")
    onward = services.onward_referral_make(referral=case, actor=caseworker, to_service=rosa)
    assert onward.to_referral is not None
    assert onward.to_referral.current_service == rosa
    assert onward.to_referral.status == Status.RECEIVED
    assert onward.to_referral in queue(service=rosa)
    assert onward.to_referral.first_name == case.first_name


def test_external_onward_referral_is_recorded_with_outcome(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    case = accepted_case()
    sarc = Service.objects.get(slug="sarc")
    onward = services.onward_referral_external(referral=case, actor=caseworker, to_service=sarc, outcome="Attended")
    assert onward.to_referral is None and onward.outcome == "Attended"
    with pytest.raises(services.CaseworkError):
        services.onward_referral_external(referral=case, actor=caseworker, to_service=Service.objects.get(slug="rosa"))


def test_compass_to_cgl_transition_links_referral_and_both_see_the_case_during_handover(
    referrer: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Any]
) -> None:
    compass_worker = make_user(Role.CASEWORKER, org="compass")
    cgl_worker = make_user(Role.CASEWORKER, org="cgl")
    outsider = make_user(Role.CASEWORKER, org="rosa")
    young = make_referral(referrer=referrer, age=17, offence="drug-offences", flag_slugs=["cj-substance-use"])
    assert young.current_service is not None and young.current_service.slug == "compass"
    young = accept_by_team(referral=young, team_of=compass_worker)
    assert not referrals_visible_to(user=cgl_worker).filter(pk=young.pk).exists()

    cgl = Service.objects.get(slug="cgl")
    with pytest.raises(services.CaseworkError, match="adults' service"):
        services.transition_start(
            referral=young,
            actor=compass_worker,
            to_service=Service.objects.get(slug="barnardos"),
            handover_meeting_on=date.today() + timedelta(days=7),
            plan="x",
        )
    with pytest.raises(services.CaseworkError, match="today or later"):
        services.transition_start(
            referral=young,
            actor=compass_worker,
            to_service=cgl,
            handover_meeting_on=date.today() - timedelta(days=1),
            plan="x",
        )
    t = services.transition_start(
        referral=young,
        actor=compass_worker,
        to_service=cgl,
        handover_meeting_on=date.today() + timedelta(days=7),
        plan="Joint session at the Leamington hub, then CGL keyworker takes over",
    )
    adult = t.to_referral
    assert adult is not None and adult.current_service == cgl and adult in queue(service=cgl)
    assert OnwardReferral.objects.get(to_referral=adult).from_referral == young

    # During the handover window both services see both sides of the case.
    assert referrals_visible_to(user=cgl_worker).filter(pk=young.pk).exists()
    assert referrals_visible_to(user=compass_worker).filter(pk=adult.pk).exists()
    assert not referrals_visible_to(user=outsider).filter(pk__in=[young.pk, adult.pk]).exists()
    page = signed_in_client(cgl_worker).get(reverse("casework:case", args=[young.reference]))
    assert page.status_code == 200
    assert "does not hold this case" in page.content.decode()
    # CGL can see, but not change, Compass's side.
    assert signed_in_client(cgl_worker).get(reverse("casework:contact", args=[young.reference])).status_code == 404
    refused = AuditEvent.objects.filter(action="access.refused", actor=cgl_worker).latest("pk")
    assert refused.object_id == str(young.pk) and refused.detail["what"] == "case.change"

    # After the window, each sees only its own side again.
    OnwardReferral.objects.filter(pk=t.pk).update(handover_ends_on=timezone.localdate() - timedelta(days=1))
    assert not referrals_visible_to(user=cgl_worker).filter(pk=young.pk).exists()
    assert not referrals_visible_to(user=compass_worker).filter(pk=adult.pk).exists()


# -- modern slavery through the page ---------------------------------------------------------------


def test_child_modern_slavery_form_does_not_ask_consent(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case(age=15)
    client = signed_in_client(caseworker)
    url = reverse("casework:slavery", args=[case.reference])
    page = client.get(url).content.decode()
    assert "adult_consents" not in page and "no consent needed" in page
    response = client.post(url, {"first_responder": "Warwickshire Police", "submitted_on": "2026-11-20"})
    assert response.status_code == 302
    assert case.slavery_referrals.get().path == "nrm"


def test_adult_without_consent_gets_ms1_through_the_page(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case(age=40)
    client = signed_in_client(caseworker)
    url = reverse("casework:slavery", args=[case.reference])
    response = client.post(
        url, {"first_responder": "Warwickshire Police", "submitted_on": "2026-11-20", "adult_consents": "no"}
    )
    assert response.status_code == 302
    assert case.slavery_referrals.get().path == "ms1"


# -- lists: query counts do not grow with the list -------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["casework:my_cases", "casework:team"])
def test_list_views_query_count_is_constant(
    url_name: str,
    accepted_case: Callable[..., Referral],
    caseworker: User,
    team_lead: User,
    signed_in_client: Callable[[User], Any],
) -> None:
    for _ in range(2):
        case = accepted_case()
        services.waiting_list_add(referral=case, actor=caseworker)
    user = team_lead if url_name == "casework:team" else caseworker
    client = signed_in_client(user)
    url = reverse(url_name)
    before = _queries(client, url)
    for _ in range(3):
        case = accepted_case()
        services.support_plan_save(referral=case, actor=caseworker, headline="Plan", review_on=timezone.localdate())
    after = _queries(client, url)
    assert after == before
    assert before <= 19


def test_waiting_list_page_query_count_is_constant(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    client = signed_in_client(caseworker)
    url = reverse("casework:waiting_list", args=["victim-support"])
    services.waiting_list_add(referral=accepted_case(), actor=caseworker)
    before = _queries(client, url)
    for _ in range(3):
        services.waiting_list_add(referral=accepted_case(), actor=caseworker)
    assert _queries(client, url) == before
