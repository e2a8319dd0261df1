"""Subject access: the data protection officer role (2FA), the search across police records, referrals,
cases and messages, the export (JSON and the HTML pack) with the viewing audit and third-party flags,
scoped by organisation, with a 404 across organisations."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.casework.services.contact import contact_attempt_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.services import PrivacyError
from onedoor.privacy.subject_access import SearchTerms, subject_export, subject_search
from onedoor.referrals.models import Referral
from onedoor.referrals.services import referral_record_view
from tests.police.helpers import row, run
from tests.referrals.factories import accept_by_team, make_referral

pytestmark = pytest.mark.django_db

ALEX = SearchTerms(first_name="Alex", last_name="Morgan", date_of_birth=date(1980, 5, 1))


def _police_referral() -> Referral:
    run([row(consent_to_share="Y")])  # Alex Morgan, burglary: referred to Victim Support, offered support
    referral = PoliceVictimRecord.objects.get().referral
    assert referral is not None
    return referral


def test_the_officer_role_signs_in_with_a_second_factor(provider_dpo: User) -> None:
    assert provider_dpo.needs_two_factor


def test_the_commissioners_officer_finds_police_record_referral_and_messages(commissioner_dpo: User) -> None:
    referral = _police_referral()
    run([row(consent_to_share="N", crime_reference="23/0000002/26", recorded_at="2026-01-11T10:00:00")])
    found = subject_search(officer=commissioner_dpo, terms=ALEX)
    assert [r.pk for r in found.referrals] == [referral.pk]
    assert len(found.police_records) == 2  # with and without a referral
    assert len(found.messages) == 2  # the two support offers
    entry = AuditEvent.objects.get(action=AuditAction.SUBJECT_SEARCHED)
    assert entry.detail["referrals"] == [referral.pk]
    assert "Morgan" not in json.dumps(entry.detail) and "1980" not in json.dumps(entry.detail)


def test_search_by_phone_email_or_reference(commissioner_dpo: User) -> None:
    referral = _police_referral()
    assert [
        r.pk for r in subject_search(officer=commissioner_dpo, terms=SearchTerms(phone="07700 900123")).referrals
    ] == [referral.pk]
    by_email = subject_search(officer=commissioner_dpo, terms=SearchTerms(email="Alex.Morgan@example.org"))
    assert [r.pk for r in by_email.referrals] == [referral.pk]
    by_ref = subject_search(officer=commissioner_dpo, terms=SearchTerms(reference=referral.reference.lower()))
    assert [r.pk for r in by_ref.referrals] == [referral.pk]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (SearchTerms(first_name="Alex", last_name="Morgan"), "Give the date of birth with the name"),
        (SearchTerms(phone="not a number"), "The phone number is not a valid number"),
        (SearchTerms(reference="12345"), "A OneDoor reference looks like OD-ABCD-1234"),
        (SearchTerms(), "Search by name with date of birth"),
    ],
)
def test_bad_terms_say_what_to_fix(commissioner_dpo: User, terms: SearchTerms, message: str) -> None:
    with pytest.raises(PrivacyError, match=message):
        subject_search(officer=commissioner_dpo, terms=terms)


def test_only_an_officer_may_search(make_user: Callable[..., User]) -> None:
    with pytest.raises(PermissionDenied):
        subject_search(officer=make_user(Role.TEAM_LEAD, "victim-support"), terms=ALEX)


def test_a_providers_officer_sees_only_their_organisations_records(
    provider_dpo: User, other_provider_dpo: User
) -> None:
    referral = _police_referral()
    own = subject_search(officer=provider_dpo, terms=ALEX)
    assert [r.pk for r in own.referrals] == [referral.pk]
    other = subject_search(officer=other_provider_dpo, terms=ALEX)
    assert other.referrals == [] and other.police_records == [] and other.messages == []


def test_the_export_holds_source_basis_recipients_retention_audit_and_third_party_flags(
    provider_dpo: User, make_user: Callable[..., User]
) -> None:
    referral = _police_referral()
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    accepted = accept_by_team(referral=referral, team_of=caseworker)
    contact_attempt_record(
        referral=accepted, actor=caseworker, channel="text", outcome="no_answer", note="Spoke to her son Jamie Lee"
    )
    referral_record_view(referral=accepted, actor=caseworker)
    doc = subject_export(officer=provider_dpo, terms=ALEX)
    entry = next(r for r in doc["records"] if r["kind"] == "referral")
    assert entry["reference"] == referral.reference
    assert entry["source"] == "Police overnight transfer"
    assert entry["lawful_basis"] == "Consent, given by the person themselves"
    assert entry["special_category_condition"] == "Article 9(2)(a): explicit consent"
    assert entry["recipients"] == [Service.objects.get(slug="victim-support").name]
    assert entry["retention"][0].startswith("Kept for 6 years, from the referral's last status change")
    assert entry["details"]["first_name"] == "Alex"
    actions = [a["action"] for a in doc["audit"]]
    assert "referral.created" in actions and "referral.accepted" in actions and "referral.viewed.case" in actions
    flagged = next(f for f in doc["third_party_review"] if f["field"] == "contact_attempts[0].note")
    assert flagged["possible_names"] == ["Jamie", "Lee"]
    assert any(f["field"] == "officer_email" for f in doc["third_party_review"])
    exported = AuditEvent.objects.get(action=AuditAction.SUBJECT_EXPORTED)
    assert exported.actor == provider_dpo
    assert exported.detail["referrals"] == [referral.pk]


def test_the_pages_search_and_export_json_and_html(
    provider_dpo: User, signed_in_client: Callable[[User], Client]
) -> None:
    referral = _police_referral()
    client = signed_in_client(provider_dpo)
    assert client.get("/data-protection/").status_code == 200
    form = {"first_name": "Alex", "last_name": "Morgan", "date_of_birth": "1/5/1980"}
    page = client.post("/data-protection/search/", form)
    assert page.status_code == 200
    assert referral.reference in page.content.decode()
    as_json = client.post("/data-protection/export/", {**form, "format": "json"})
    assert as_json.status_code == 200
    assert as_json["Content-Disposition"].startswith('attachment; filename="subject-access-')
    assert "Morgan" not in as_json["Content-Disposition"]
    assert json.loads(as_json.content)["records"][0]["reference"] == referral.reference
    as_html = client.post("/data-protection/export/", {**form, "format": "html"})
    assert as_html.status_code == 200
    assert "Who has seen or changed it" in as_html.content.decode()
    bad = client.post("/data-protection/search/", {"first_name": "Alex", "last_name": "Morgan"})
    assert bad.status_code == 400
    assert "Give the date of birth with the name" in bad.content.decode()


def test_a_referral_of_another_organisation_answers_404_and_the_refusal_is_audited(
    other_provider_dpo: User, provider_dpo: User, signed_in_client: Callable[[User], Client]
) -> None:
    referral = _police_referral()
    url = f"/data-protection/referrals/{referral.reference}/export.json"
    assert signed_in_client(other_provider_dpo).get(url).status_code == 404
    refusal = AuditEvent.objects.get(action=AuditAction.ACCESS_REFUSED, actor=other_provider_dpo)
    assert refusal.object_id == str(referral.pk)
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_EXPORTED).exists()
    own = signed_in_client(provider_dpo).get(url)
    assert own.status_code == 200
    assert json.loads(own.content)["records"][0]["reference"] == referral.reference


def test_other_roles_do_not_see_the_officers_pages(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    lead = make_user(Role.TEAM_LEAD, "victim-support")
    assert signed_in_client(lead).get("/data-protection/").status_code == 404


def test_the_search_page_takes_the_same_queries_for_one_record_or_many(
    commissioner_dpo: User,
    signed_in_client: Callable[[User], Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in_client(commissioner_dpo)
    form = {"last_name": "Morgan", "first_name": "Alex", "date_of_birth": "1/5/1980"}
    _police_referral()
    with django_assert_max_num_queries(20) as one:
        assert client.post("/data-protection/search/", form).status_code == 200
    for n in range(8):
        make_referral(
            referrer=None,
            source="self",
            first_name="Alex",
            last_name="Morgan",
            date_of_birth=date(1980, 5, 1),
            crime_reference=f"23/{n}/26",
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.post("/data-protection/search/", form)
    assert page.content.decode().count("OD-") >= 9


def test_the_officers_home_is_where_they_land(
    commissioner_dpo: User, signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(commissioner_dpo).get("/").url == "/data-protection/"  # type: ignore[attr-defined]
