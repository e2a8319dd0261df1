from __future__ import annotations

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.test import Client, TestCase
from django.urls import reverse
from pytest_django import Settings

from onedoor.accounts.links import sign_in_link_token
from onedoor.accounts.models import Organisation, Role, User
from onedoor.accounts.services import (
    referrer_for_email,
    referrers_for_emails,
    sign_in_link_redeem,
)
from onedoor.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _new_referrer() -> User:
    police = Organisation.objects.get(slug="warwickshire-police")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return referrer_for_email(email="PC.Jones@Warwickshire.Police.Example", organisation=police, created_by=None)


def test_new_referrer_has_no_password_and_is_emailed_a_link() -> None:
    mail.outbox.clear()
    user = _new_referrer()
    assert user.role == Role.REFERRER and not user.has_usable_password()
    [message] = mail.outbox
    assert message.to[0].lower() == "pc.jones@warwickshire.police.example"
    assert "/account/sign-in/link/" in message.body
    # The same email again finds the same account, whatever the case.
    police = Organisation.objects.get(slug="warwickshire-police")
    again = referrer_for_email(email="pc.jones@warwickshire.police.example", organisation=police, created_by=None)
    assert again == user


def test_link_signs_in_once(client: Client) -> None:
    user = _new_referrer()
    url = reverse("accounts:link_sign_in", args=[sign_in_link_token(user=user)])
    assert client.get(url).status_code == 200  # shows a button; a mail scanner's GET does not use it up
    response = client.post(url)
    assert isinstance(response, HttpResponseRedirect)
    assert response.status_code == 302 and response.url == reverse("referrals:mine")
    client.logout()
    assert client.post(url).status_code == 400  # used


def test_link_expires(settings: Settings) -> None:
    user = _new_referrer()
    token = sign_in_link_token(user=user)
    settings.ONEDOOR_SIGN_IN_LINK_SECONDS = -1
    assert sign_in_link_redeem(token=token) is None


def test_tampered_link_is_refused() -> None:
    user = _new_referrer()
    other = User.objects.create(username="someone", role=Role.REFERRER)
    data = signing.loads(sign_in_link_token(user=user), salt="onedoor.accounts.sign_in_link")
    forged = signing.dumps({**data, "u": other.pk}, salt="wrong-salt")
    assert sign_in_link_redeem(token=forged) is None
    assert sign_in_link_redeem(token=sign_in_link_token(user=user) + "x") is None


def test_many_officers_found_or_made_together() -> None:
    police = Organisation.objects.get(slug="warwickshire-police")
    existing = _new_referrer()
    mail.outbox.clear()
    emails = ["pc.jones@WARWICKSHIRE.police.example", "PC.Khan@warwickshire.police.example", "ds.lee@wmp.example"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        found = referrers_for_emails(emails=emails, organisation=police, created_by=None)
    assert set(found) == {
        "pc.jones@warwickshire.police.example",
        "pc.khan@warwickshire.police.example",
        "ds.lee@wmp.example",
    }
    assert found["pc.jones@warwickshire.police.example"] == existing
    made = [found["pc.khan@warwickshire.police.example"], found["ds.lee@wmp.example"]]
    for user in made:
        user.refresh_from_db()
        assert user.role == Role.REFERRER and user.organisation == police and not user.has_usable_password()
        assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()
    assert sorted(m.to[0].lower() for m in mail.outbox) == ["ds.lee@wmp.example", "pc.khan@warwickshire.police.example"]


def test_officer_whose_address_is_another_users_name_is_refused_and_nothing_is_made() -> None:
    police = Organisation.objects.get(slug="warwickshire-police")
    User.objects.create_user(username="pc.khan@warwickshire.police.example", email="someone.else@example.org")
    with pytest.raises(ValidationError):
        referrers_for_emails(
            emails=["new.officer@warwickshire.police.example", "PC.Khan@warwickshire.police.example"],
            organisation=police,
            created_by=None,
        )
    assert not User.objects.filter(email__iexact="new.officer@warwickshire.police.example").exists()
