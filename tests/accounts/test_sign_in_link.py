from __future__ import annotations

from typing import Any

import pytest
from django.core import mail, signing
from django.test import TestCase
from django.urls import reverse

from onedoor.accounts.models import Organisation, Role, User
from onedoor.accounts.services import referrer_for_email, sign_in_link_redeem, sign_in_link_token

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


def test_link_signs_in_once(client: Any) -> None:
    user = _new_referrer()
    url = reverse("accounts:link_sign_in", args=[sign_in_link_token(user=user)])
    assert client.get(url).status_code == 200  # shows a button; a mail scanner's GET does not use it up
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("referrals:mine")
    client.logout()
    assert client.post(url).status_code == 400  # used


def test_link_expires(settings: Any) -> None:
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
