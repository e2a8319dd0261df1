"""Rectification, erasure with its exemptions, restriction (honoured by casework, messages and the police
import), consent withdrawal, and the Article 9 condition recorded with every referral."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework.messages import case_message_queue
from onedoor.casework.models import AlertKind, CaseAlert
from onedoor.core.audit_actions import AuditAction
from onedoor.core.matchkeys import keyed_hash
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageStatus
from onedoor.messaging.safety import Reason
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.models import Exemption, RequestKind, RequestOutcome, SubjectRequest
from onedoor.privacy.services import (
    PrivacyError,
    WithdrawalOutcome,
    consent_withdraw,
    legal_hold_set,
    person_erase,
    person_rectify,
    processing_restrict,
    restriction_lift,
)
from onedoor.privacy.subject_access import SearchTerms, subject_export
from onedoor.referrals.models import ChildBasis, Referral, SpecialCategoryCondition, Status
from onedoor.referrals.services import referral_close, referral_reroute
from tests.police.helpers import row, run
from tests.referrals.factories import accept_by_team, make_referral, triage_colleague

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db


def _police_referral() -> Referral:
    run([row(consent_to_share="Y")])
    referral = PoliceVictimRecord.objects.get().referral
    assert referral is not None
    return referral


def _closed(team_lead: User, **kw: object) -> Referral:
    referral = accept_by_team(referral=make_referral(referrer=None, source="self", **kw), team_of=team_lead)
    return referral_close(referral=referral, actor=team_lead, reason_code="support_completed")


# -- rectification -------------------------------------------------------------------------------------------


def test_rectification_corrects_referral_and_police_record_and_audits_field_names_only(provider_dpo: User) -> None:
    referral = _police_referral()
    request = person_rectify(
        officer=provider_dpo,
        referral=referral,
        changes={"last_name": "Morgan-Price", "phone": "07700 900456"},
        reason="The person gave their married name and new number",
    )
    referral.refresh_from_db()
    record = PoliceVictimRecord.objects.get()
    assert (referral.last_name, referral.phone) == ("Morgan-Price", "+447700900456")
    assert (record.last_name, record.phone) == ("Morgan-Price", "+447700900456")
    assert record.phone_key == keyed_hash("+447700900456")
    assert record.person_key == keyed_hash("alex|morganprice|1980-05-01")
    assert request.kind == RequestKind.RECTIFICATION and request.fields_changed == ["last_name", "phone"]
    entry = AuditEvent.objects.get(action=AuditAction.PERSON_RECTIFIED)
    assert entry.detail["fields"] == ["last_name", "phone"]
    text = json.dumps(entry.detail)
    assert "Morgan" not in text and "900123" not in text and "900456" not in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "12"}, "The phone number is not a valid number"),
        ({"email": "not-an-address"}, "The email address is not valid"),
        ({"risks_to_staff": "x"}, "These cannot be corrected here: risks_to_staff"),
        ({"first_name": "Alex"}, "Nothing would change"),
        ({"date_of_birth": date.today() + timedelta(days=2)}, "cannot be in the future"),
    ],
)
def test_bad_corrections_say_what_to_fix(provider_dpo: User, changes: dict[str, object], message: str) -> None:
    referral = _police_referral()
    with pytest.raises(PrivacyError, match=message):
        person_rectify(officer=provider_dpo, referral=referral, changes=changes, reason="Asked")


def test_an_officer_of_another_organisation_cannot_rectify(other_provider_dpo: User) -> None:
    with pytest.raises(PermissionDenied):
        person_rectify(officer=other_provider_dpo, referral=_police_referral(), changes={"last_name": "X"}, reason="r")


# -- erasure -----------------------------------------------------------------------------------------------


def test_erasure_removes_personal_fields_keeps_counted_ones_and_reaches_the_sar_audit(
    provider_dpo: User, team_lead: User
) -> None:
    referral = _closed(team_lead, first_name="Erin", last_name="Shaw", phone="+447700900321")
    request = person_erase(officer=provider_dpo, referral=referral, reason="Asked to be forgotten")
    assert request.outcome == RequestOutcome.DONE
    after = Referral.objects.get(pk=referral.pk)
    assert (after.first_name, after.last_name, after.phone, after.crime_reference) == ("", "", "", "")
    assert after.anonymised_at is not None
    assert (after.status, after.received_on, after.district_id, after.offence_group_id, after.age_at_referral) == (
        referral.status,
        referral.received_on,
        referral.district_id,
        referral.offence_group_id,
        referral.age_at_referral,
    )
    doc = subject_export(officer=provider_dpo, terms=SearchTerms(reference=referral.reference))
    assert "person.erased" in [a["action"] for a in doc["audit"]]


def test_erasure_of_an_open_case_is_refused_with_the_exemption_and_a_review_date(provider_dpo: User) -> None:
    referral = _police_referral()
    request = person_erase(officer=provider_dpo, referral=referral, reason="Asked to be forgotten")
    assert (request.outcome, request.exemption) == (RequestOutcome.REFUSED, Exemption.OPEN_CASE)
    assert request.review_on == timezone.localdate() + timedelta(days=91)
    assert Referral.objects.get(pk=referral.pk).first_name == "Alex"
    entry = AuditEvent.objects.get(action=AuditAction.ERASURE_REFUSED)
    assert entry.detail["exemption"] == "open_case"


def test_erasure_of_a_safeguarding_record_is_refused(provider_dpo: User, team_lead: User) -> None:
    referral = _closed(
        team_lead, consent_given=False, consent_given_by="", lawful_basis="safeguarding_adult", first_name="Kim"
    )
    review = timezone.localdate() + timedelta(days=30)
    request = person_erase(officer=provider_dpo, referral=referral, reason="Asked", review_on=review)
    assert (request.exemption, request.review_on) == (Exemption.SAFEGUARDING, review)
    assert SubjectRequest.objects.get().outcome == RequestOutcome.REFUSED


def test_erasure_of_a_case_under_legal_hold_is_refused(provider_dpo: User, team_lead: User) -> None:
    referral = _closed(team_lead)
    legal_hold_set(referral=referral, actor=team_lead, reason="Court order")
    assert person_erase(officer=provider_dpo, referral=referral, reason="Asked").exemption == Exemption.LEGAL_HOLD


# -- restriction ---------------------------------------------------------------------------------------------


def test_restriction_makes_the_case_read_only_and_stops_messages(provider_dpo: User, team_lead: User) -> None:
    referral = accept_by_team(referral=make_referral(referrer=None, source="self"), team_of=team_lead)
    processing_restrict(officer=provider_dpo, referral=referral, reason="Accuracy disputed")
    referral.refresh_from_db()
    assert referral.processing_restricted
    with pytest.raises(PermissionDenied, match="restricted"):
        referral_reroute(
            override_reason=TEST_OVERRIDE,
            referral=referral,
            actor=team_lead,
            to_service=Service.objects.get(slug="rosa"),
        )
    message = case_message_queue(referral=referral, kind="waiting-list-position", personalisation={})
    assert message.status == MessageStatus.WITHHELD
    assert "restricted" in message.withheld_reasons[0]


def test_the_police_import_honours_a_restriction_for_the_same_person(provider_dpo: User) -> None:
    referral = _police_referral()
    processing_restrict(officer=provider_dpo, referral=referral, reason="Objected to processing")
    run([row(crime_reference="23/0000050/26", recorded_at="2026-01-11T10:00:00", phone="07700 900999", email="")])
    again = PoliceVictimRecord.objects.get(crime_reference="23/0000050/26")
    assert again.referral is None
    assert again.offer is not None and again.offer.status == MessageStatus.WITHHELD
    assert again.offer.withheld_reasons[0] == Reason.PROCESSING_RESTRICTED  # the first rule
    assert "restricted" in again.routing_reason


def test_lifting_a_restriction_lets_processing_resume(provider_dpo: User) -> None:
    referral = _police_referral()
    restriction = processing_restrict(officer=provider_dpo, referral=referral, reason="Disputed")
    restriction_lift(officer=provider_dpo, restriction=restriction, reason="Accuracy confirmed")
    assert not Referral.objects.get(pk=referral.pk).processing_restricted
    run([row(crime_reference="23/0000051/26", recorded_at="2026-01-11T10:00:00")])
    assert PoliceVictimRecord.objects.get(crime_reference="23/0000051/26").referral is not None


# -- consent withdrawal ---------------------------------------------------------------------------------------


def test_withdrawing_consent_ends_a_consent_only_referral_and_tells_the_holder(team_lead: User) -> None:
    referral = make_referral(referrer=None, source="self")
    result = consent_withdraw(referral=referral, actor=triage_colleague(team_lead))
    assert result.outcome == WithdrawalOutcome.ENDED
    after = Referral.objects.get(pk=referral.pk)
    assert after.status == Status.DECLINED
    assert after.events.last().reason_code == "consent_withdrawn"  # type: ignore[union-attr]
    assert CaseAlert.objects.get(referral=referral).kind == AlertKind.CONSENT_WITHDRAWN


def test_withdrawing_consent_under_another_lawful_basis_restricts_and_says_so(team_lead: User) -> None:
    referral = make_referral(referrer=None, source="self", lawful_basis="safeguarding_adult")
    accepted = accept_by_team(referral=referral, team_of=team_lead)
    result = consent_withdraw(referral=accepted, actor=team_lead)
    assert result.outcome == WithdrawalOutcome.RESTRICTED
    assert "safeguarding an adult at risk" in result.explanation
    after = Referral.objects.get(pk=referral.pk)
    assert after.processing_restricted and after.status == Status.ACCEPTED
    assert AuditEvent.objects.get(action=AuditAction.CONSENT_WITHDRAWN).detail == {"outcome": "restricted"}


def test_only_the_holding_team_records_a_withdrawal(make_user: Callable[..., User]) -> None:
    referral = make_referral(referrer=None, source="self")
    with pytest.raises(PermissionDenied):
        consent_withdraw(referral=referral, actor=make_user(Role.TEAM_LEAD, "rosa"))


# -- Article 9 ------------------------------------------------------------------------------------------------


def test_every_referral_records_its_article_9_condition_and_a_childs_basis() -> None:
    adult = make_referral(referrer=None, source="self")
    assert (adult.special_category_condition, adult.child_basis) == (SpecialCategoryCondition.EXPLICIT_CONSENT, "")
    child = make_referral(referrer=None, age=12, consent_given_by="parent_guardian")
    assert child.child_basis == ChildBasis.PARENT_OR_GUARDIAN
    unconsented = make_referral(
        referrer=None, age=15, consent_given=False, consent_given_by="", lawful_basis="safeguarding_child"
    )
    assert (unconsented.special_category_condition, unconsented.child_basis) == (
        SpecialCategoryCondition.SAFEGUARDING,
        ChildBasis.SAFEGUARDING,
    )
    police = _police_referral()
    assert police.special_category_condition == SpecialCategoryCondition.EXPLICIT_CONSENT
