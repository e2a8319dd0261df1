from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import User
from onedoor.core.models import AuditEvent
from onedoor.referrals.models import Referral, SignpostRecord

pytestmark = pytest.mark.django_db


def valid_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Amira",
        "last_name": "Khan",
        "date_of_birth": "14/02/2011",
        "interpreter_needed": "no",
        "phone": "07700 900 456",
        "phone_is_own": "on",
        "safe_to_text": "on",
        "district": "E07000220",
        "reported_to_police": "yes",
        "crime_reference": "23/99881/26",
        "offence_group": "other-sexual-offences",
        "flags": ["child-sexual-exploitation"],
        "reason": "Disclosed to school staff and wants support.",
        "consent": "yes",
        "consent_given_by": "parent_guardian",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_valid_referral_is_routed_and_the_referrer_sees_where_it_went(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    response = client.post("/referrals/new/", valid_post(), follow=True)
    referral = Referral.objects.get(first_name="Amira")
    assert response.redirect_chain[-1][0] == f"/referrals/mine/{referral.reference}/"
    page = response.content.decode()
    assert "Barnardo" in page and "Why this service" in page
    assert referral.current_service is not None
    assert referral.current_service.slug == "barnardos"
    assert referral.phone == "+447700900456"
    assert referral.age_at_referral is not None and referral.age_at_referral >= 15
    assert referral.referrer == referrer and referral.referrer_organisation == "Warwickshire Police"


def test_without_consent_or_lawful_basis_the_form_is_refused_and_nothing_is_saved(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(referrer)
    audit_before = AuditEvent.objects.count()
    response = client.post("/referrals/new/", valid_post(consent="no"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "You cannot refer without the person&#x27;s consent or a lawful basis" in page
    assert 'href="#id_consent' in page
    assert not Referral.objects.exists() and not SignpostRecord.objects.exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter the person&#x27;s first name"),
        ({"date_of_birth": "", "age": ""}, "date_of_birth", "date of birth, or their age"),
        ({"date_of_birth": "31/02/2011"}, "date_of_birth", "day/month/year"),
        ({"phone": "12345"}, "phone", "Enter a UK phone number"),
        ({"phone": "", "email": ""}, "phone", "Enter a phone number or an email address"),
        ({"phone_is_own": None}, "phone_is_own", "person&#x27;s own"),
        ({"safe_to_text": None}, "safe_to_call", "at least one safe way"),
        ({"postcode": "CV3 4AB"}, "postcode", "West Midlands Police"),
        ({"postcode": "not a postcode"}, "postcode", "full UK postcode"),
        ({"crime_reference": ""}, "crime_reference", "crime reference"),
        ({"offence_group": "", "flags": []}, "offence_group", "kind of offence"),
        ({"consent_given_by": ""}, "consent_given_by", "Say who gave consent"),
        ({"consent": "lawful_basis"}, "lawful_basis", "Choose the lawful basis"),
        ({"district": ""}, "district", "Choose the district"),
        ({"reason": "x" * 501}, "reason", "500 characters"),
    ],
)
def test_each_error_says_exactly_what_to_fix(
    referrer: User, signed_in_client: Callable[[User], Client], overrides: dict[str, Any], field: str, message: str
) -> None:
    response = signed_in_client(referrer).post("/referrals/new/", valid_post(**overrides))
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}' in page
    assert not Referral.objects.exists()


def test_a_signposted_referral_shows_contacts_and_keeps_nothing_personal(
    referrer: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(referrer).post(
        "/referrals/new/",
        valid_post(
            offence_group="criminal-damage-arson",
            flags=["domestic-abuse"],
            date_of_birth="1/1/1990",
            consent_given_by="person",
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "domestic abuse" in page.lower() and "0800 408 1552" in page
    assert not Referral.objects.exists()
    assert SignpostRecord.objects.get().created_by == referrer


def test_the_form_has_no_field_for_intimate_detail(referrer: User, signed_in_client: Callable[[User], Client]) -> None:
    page = signed_in_client(referrer).get("/referrals/new/").content.decode()
    assert "Do not include intimate details" in page
