"""The officer's pages for a person's rights on one referral (correct, erase or refuse, restrict and lift),
and the holding team's page for a withdrawal of consent: what a real officer does, through the pages,
with the services' answers and audit rows behind them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.models import Exemption, RequestOutcome, Restriction, SubjectRequest
from onedoor.referrals.models import Referral, Status
from onedoor.referrals.services import referral_close
from tests.police.helpers import row, run
from tests.referrals.factories import accept_by_team, make_referral

pytestmark = pytest.mark.django_db


def _police_referral() -> Referral:
    run([row(consent_to_share="Y")])  # Alex Morgan, burglary: referred to Victim Support
    referral = PoliceVictimRecord.objects.get().referral
    assert referral is not None
    return referral


def _url(referral: Referral, action: str = "") -> str:
    return f"/data-protection/referrals/{referral.reference}/" + (f"{action}/" if action else "")


def _page(response: Any) -> str:
    return str(response.content.decode())


def test_the_officer_opens_a_found_referral_and_the_view_is_audited(
    provider_dpo: User, signed_in_client: Callable[[User], Client]
) -> None:
    referral = _police_referral()
    client = signed_in_client(provider_dpo)
    found = client.post("/data-protection/search/", {"reference": referral.reference})
    assert _url(referral) in _page(found)
    page = client.get(_url(referral))
    assert page.status_code == 200
    assert 'value="Morgan"' in _page(page)  # the held details, to correct
    assert "An erasure request would be refused now" in _page(page)  # an open case
    viewed = AuditEvent.objects.get(action=AuditAction.SUBJECT_REFERRAL_VIEWED)
    assert (viewed.actor, viewed.object_id) == (provider_dpo, str(referral.pk))


def test_another_organisations_officer_and_other_roles_get_404(
    other_provider_dpo: User, team_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    referral = _police_referral()
    other = signed_in_client(other_provider_dpo)
    assert other.get(_url(referral)).status_code == 404
    assert other.post(_url(referral, "erase"), {"erase-reason": "asked"}).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, actor=other_provider_dpo).exists()
    assert signed_in_client(team_lead).get(_url(referral)).status_code == 404
    assert not SubjectRequest.objects.exists()


def test_correcting_changes_only_what_the_officer_changed(
    provider_dpo: User, signed_in_client: Callable[[User], Client]
) -> None:
    referral = _police_referral()
    client = signed_in_client(provider_dpo)
    form = {f"rectify-{k}": v for k, v in {"first_name": "Alex", "last_name": "Morgan"}.items()}
    form.update({"rectify-date_of_birth": "1/5/1980", "rectify-phone": referral.phone, "rectify-email": referral.email})
    form.update({"rectify-postcode": referral.postcode, "rectify-preferred_language": referral.preferred_language})
    unchanged = client.post(_url(referral, "correct"), {**form, "rectify-reason": "Spelling"})
    assert unchanged.status_code == 400
    assert "Nothing would change" in _page(unchanged)
    no_reason = client.post(_url(referral, "correct"), {**form, "rectify-last_name": "Morgann"})
    assert no_reason.status_code == 400
    assert "Give a reason" in _page(no_reason)
    bad_phone = client.post(_url(referral, "correct"), {**form, "rectify-phone": "12", "rectify-reason": "New number"})
    assert bad_phone.status_code == 400
    assert "not a valid number" in _page(bad_phone)
    done = client.post(
        _url(referral, "correct"), {**form, "rectify-last_name": "Morgan-Lee", "rectify-reason": "Name changed"}
    )
    assert done.status_code == 302
    after = Referral.objects.get(pk=referral.pk)
    assert (after.last_name, after.first_name, after.phone) == ("Morgan-Lee", "Alex", referral.phone)
    request = SubjectRequest.objects.get()
    assert request.fields_changed == ["last_name"]
    assert "Corrected: last name." in _page(client.get(done["Location"]))


def test_erasure_of_an_open_case_is_refused_and_of_a_closed_one_done(
    provider_dpo: User, team_lead: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(provider_dpo)
    open_case = _police_referral()
    refused = client.post(_url(open_case, "erase"), {"erase-reason": "Asked to be forgotten"})
    assert refused.status_code == 302
    request = SubjectRequest.objects.get(referral=open_case)
    assert (request.outcome, request.exemption) == (RequestOutcome.REFUSED, Exemption.OPEN_CASE)
    assert "Erasure refused" in _page(client.get(refused["Location"]))
    assert Referral.objects.get(pk=open_case.pk).last_name == "Morgan"
    bad = client.post(_url(open_case, "erase"), {"erase-reason": "again", "erase-review_on": "31/2/2027"})
    assert bad.status_code == 400
    assert "Enter the review date as day/month/year" in _page(bad)

    closed = accept_by_team(referral=make_referral(referrer=None, source="self", last_name="Shaw"), team_of=team_lead)
    closed = referral_close(referral=closed, actor=team_lead, reason_code="support_completed")
    erased = client.post(_url(closed, "erase"), {"erase-reason": "Asked to be forgotten"})
    assert erased.status_code == 302
    assert Referral.objects.get(pk=closed.pk).anonymised_at is not None
    after = _page(client.get(erased["Location"]))
    assert "Erased" in after
    assert "Correct their details" not in after  # nothing left to correct


def test_restricting_then_lifting(provider_dpo: User, signed_in_client: Callable[[User], Client]) -> None:
    referral = _police_referral()
    client = signed_in_client(provider_dpo)
    assert client.post(_url(referral, "restrict"), {"restrict-reason": ""}).status_code == 400
    assert client.post(_url(referral, "restrict"), {"restrict-reason": "Disputes accuracy"}).status_code == 302
    assert Referral.objects.get(pk=referral.pk).processing_restricted
    restriction = Restriction.objects.get(referral=referral)
    lift_url = _url(referral, f"restrictions/{restriction.pk}/lift")
    assert client.post(lift_url, {"lift-reason": "Accuracy confirmed"}).status_code == 302
    assert not Referral.objects.get(pk=referral.pk).processing_restricted
    actions = set(AuditEvent.objects.filter(actor=provider_dpo).values_list("action", flat=True))
    assert {AuditAction.PROCESSING_RESTRICTED, AuditAction.PROCESSING_RESTRICTION_LIFTED} <= actions


def test_the_holding_team_records_a_withdrawal_of_consent(
    team_lead: User, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    referral = make_referral(referrer=None, source="self")
    url = f"/cases/{referral.reference}/withdraw-consent/"
    outsider = make_user(Role.TEAM_LEAD, "rosa")
    assert signed_in_client(outsider).post(url).status_code == 404
    client = signed_in_client(team_lead)
    assert "rests on their consent alone" in _page(client.get(url))
    done = client.post(url)
    assert done.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == Status.DECLINED
    assert "Consent is withdrawn" in _page(client.get(done["Location"]))
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN, actor=team_lead).exists()
