from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Role, User
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Allocation, Priority, Referral, SignpostRecord, Status, StatusEvent
from tests.referrals.factories import details, make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db


def test_create_routes_records_the_decision_and_writes_event_allocation_and_audit(referrer: User) -> None:
    referral = make_referral(referrer=referrer, offence="rape", age=30, flag_slugs=["cj-substance-use"])
    assert referral.current_service is not None
    assert referral.current_service.slug == "rosa"
    assert list(referral.secondary_services.values_list("slug", flat=True)) == ["cgl"]
    # An adult's rape reported at no stated date: Enhanced Rights alone, so standard within RoSA's queue; the
    # area's priority rules (docs/routing.md) raise it for a report in the last 7 days, a child, or a vulnerable victim.
    assert referral.priority == Priority.STANDARD
    assert referral.priority_reasons == ["Enhanced Rights (Victims' Code)"]
    assert "RoSA" in referral.routing_reason
    assert referral.status == Status.RECEIVED
    assert StatusEvent.objects.filter(referral=referral, to_status=Status.RECEIVED).count() == 1
    assert Allocation.objects.filter(referral=referral, service__slug="rosa", ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="referral.created", object_id=str(referral.pk)).exists()


def test_refused_without_consent_or_lawful_basis_and_nothing_saved(referrer: User) -> None:
    before = (Referral.objects.count(), SignpostRecord.objects.count(), AuditEvent.objects.count())
    with pytest.raises(services.ReferralRefused, match="consent"):
        services.referral_create(
            details=details(consent_given=False, consent_given_by=""), source="professional", referrer=referrer
        )
    assert (Referral.objects.count(), SignpostRecord.objects.count(), AuditEvent.objects.count()) == before


def test_a_lawful_basis_allows_a_referral_without_consent(referrer: User) -> None:
    referral = make_referral(
        referrer=referrer,
        consent_given=False,
        consent_given_by="",
        lawful_basis="safeguarding_child",
        lawful_basis_note="Child at risk of exploitation",
        age=14,
        flag_slugs=["child-criminal-exploitation"],
        offence=None,
    )
    assert referral.current_service is not None
    assert referral.current_service.slug == "barnardos"


def test_the_database_refuses_a_referral_without_consent_or_lawful_basis(referrer: User) -> None:
    from django.db import IntegrityError, transaction

    referral = make_referral(referrer=referrer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(consent_given=False, lawful_basis="")


def test_signposting_keeps_only_a_deidentified_record(referrer: User) -> None:
    outcome = services.referral_create(
        details=details(offence="criminal-damage-arson", flag_slugs=["domestic-abuse"], first_name="Zed"),
        source="professional",
        referrer=referrer,
    )
    assert outcome.referral is None
    record = outcome.signpost_record
    assert record is not None and record.signpost == ["domestic-abuse-service"] and not record.gap
    assert not Referral.objects.filter(first_name="Zed").exists()
    assert "Zed" not in str(SignpostRecord.objects.values().get(pk=record.pk))


def test_due_date_uses_the_service_target_in_working_days(referrer: User) -> None:
    from django.utils import timezone

    moment = timezone.make_aware(datetime(2026, 12, 24, 10, 0))  # Thursday before Christmas
    outcome = services.referral_create(
        details=details(offence="rape", age=30), source="professional", referrer=referrer, now=moment
    )
    assert outcome.referral is not None
    # RoSA's target is 5 working days; 25 and 28 December are bank holidays (26th is a Saturday).
    # But the referrer is a police officer, so the Victims' Code 2 working days applies.
    assert outcome.referral.due_on == date(2026, 12, 30)


def test_non_police_referrals_get_the_service_target(make_user: Callable[..., User]) -> None:
    from django.utils import timezone

    gp = make_user(Role.REFERRER)
    gp.organisation = None
    gp.save()
    moment = timezone.make_aware(datetime(2026, 12, 24, 10, 0))
    outcome = services.referral_create(
        details=details(offence="rape", age=30), source="professional", referrer=gp, now=moment
    )
    assert outcome.referral is not None
    assert outcome.referral.due_on == date(2027, 1, 5)  # 29, 30, 31 Dec; 1 Jan holiday; 4, 5 Jan


def test_referrer_is_emailed_on_commit_without_personal_details(
    referrer: User, make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(referrer=referrer, first_name="Wilhelmina", last_name="Quist")
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=referral, actor=triage)
    # received is on the confirmation page, not emailed (tests/referrals/test_referrer_emails.py)
    assert [m.subject for m in mail.outbox] == [f"Referral {referral.reference}: Accepted"]
    for message in mail.outbox:
        assert message.to == [referrer.email]
        assert "Wilhelmina" not in str(message.body) + str(message.subject)
        assert "Quist" not in str(message.body) + str(message.subject)


def test_no_email_when_the_change_rolls_back(
    referrer: User, make_user: Callable[..., User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from django.db import transaction

    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.referral_accept(referral=referral, actor=triage)
        raise RuntimeError("something later failed")
    assert callbacks == [] and mail.outbox == []
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_decline_needs_a_reason_and_shows_the_suggestion_to_the_referrer(
    referrer: User, make_user: Callable[..., User]
) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    referral = make_referral(referrer=referrer)
    with pytest.raises(ValueError, match="reason"):
        services.referral_decline(referral=referral, actor=triage, reason_code="")
    services.referral_decline(
        referral=referral,
        actor=triage,
        reason_code="better_placed_elsewhere",
        suggested_service=Service.objects.get(slug="domestic-abuse-service"),
        referrer_note="Please call them",
    )
    event = referral.events.last()
    assert event is not None
    assert event.suggested_service is not None
    assert (event.to_status, event.reason_code, event.suggested_service.slug) == (
        "declined",
        "better_placed_elsewhere",
        "domestic-abuse-service",
    )


def test_reroute_moves_the_referral_to_another_queue_and_keeps_history(
    referrer: User, make_user: Callable[..., User]
) -> None:
    vs = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    rosa = make_user(Role.PROVIDER_TRIAGE, "rosa")
    referral = make_referral(referrer=referrer)
    services.referral_reroute(
        override_reason=TEST_OVERRIDE, referral=referral, actor=vs, to_service=Service.objects.get(slug="rosa")
    )
    referral.refresh_from_db()
    assert referral.current_service is not None
    assert referral.current_service.slug == "rosa"
    assert referral.status == Status.REROUTED
    allocations = [(a.service.slug, a.ended_at is None) for a in referral.allocations.order_by("started_at")]
    assert allocations == [("victim-support", False), ("rosa", True)]
    assert [e.to_status for e in referral.events.all()] == ["received", "rerouted"]
    with pytest.raises(PermissionDenied):
        services.referral_accept(referral=referral, actor=vs)
    services.referral_accept(referral=referral, actor=rosa)


def test_only_the_holding_team_can_act(referrer: User, make_user: Callable[..., User]) -> None:
    referral = make_referral(referrer=referrer)
    for outsider in (make_user(Role.PROVIDER_TRIAGE, "rosa"), make_user(Role.COMMISSIONER_ANALYST, "opcc"), referrer):
        with pytest.raises(PermissionDenied):
            services.referral_accept(referral=referral, actor=outsider)


def test_claim_and_assign_within_the_organisation_only(referrer: User, make_user: Callable[..., User]) -> None:
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support")
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    other = make_user(Role.CASEWORKER, "rosa")
    referral = make_referral(referrer=referrer)
    services.referral_assign(referral=referral, actor=caseworker, assignee=caseworker)
    assert Referral.objects.get(pk=referral.pk).assigned_to == caseworker
    services.referral_assign(referral=referral, actor=triage, assignee=triage)
    with pytest.raises(PermissionDenied):
        services.referral_assign(referral=referral, actor=triage, assignee=other)
    assert AuditEvent.objects.filter(action="referral.claimed", object_id=str(referral.pk)).count() == 2
