"""No one can become someone else through the admin, and every change there is audited with its from
and to (issue 9, section 3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import ApiToken, Organisation, Role, User
from onedoor.accounts.services import api_token_create, totp_device_create
from onedoor.core.models import AuditEvent, OutcomeType
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageTemplate
from onedoor.referrals.models import RoutingRule
from tests.admin_forms import admin_post

pytestmark = pytest.mark.django_db

SECRET_HEX = "3132333435363738393031323334353637383930"


@pytest.fixture
def administrator(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, "opcc", username="the-admin")


@pytest.fixture
def admin_client(administrator: User, signed_in_client: Callable[[User], Any]) -> Any:
    return signed_in_client(administrator)


@pytest.fixture
def triage(make_user: Callable[..., User]) -> User:
    user = make_user(Role.PROVIDER_TRIAGE, "victim-support", username="vs-triage")
    totp_device_create(user=user, key_hex=SECRET_HEX)
    return user


def _change(model: str, pk: Any) -> str:
    return f"/admin/{model}/{pk}/change/"


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# -- the administrator cannot see a second factor's secret, set a password, or grant superuser --------


def test_no_admin_page_shows_an_authenticators_secret(admin_client: Client, triage: User) -> None:
    device = TOTPDevice.objects.get(user=triage)
    pages = [
        admin_client.get("/admin/otp_totp/totpdevice/"),
        admin_client.get(_change("otp_totp/totpdevice", device.pk)),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert SECRET_HEX not in text and device.bin_key.hex() not in text
        assert "qrcode" not in text
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in {403, 404}
    assert admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code in {403, 404}


def test_nobody_adds_or_moves_an_authenticator_for_someone_else(
    admin_client: Client, administrator: User, triage: User
) -> None:
    assert admin_client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    device = TOTPDevice.objects.get(user=triage)
    admin_client.post(_change("otp_totp/totpdevice", device.pk), {"user": administrator.pk, "name": "mine"})
    device.refresh_from_db()
    assert device.user == triage


def test_no_admin_page_sets_a_password(admin_client: Client, triage: User) -> None:
    before = User.objects.get(pk=triage.pk).password
    for url in (f"/admin/accounts/user/{triage.pk}/password/", f"/admin/accounts/user/{triage.pk}/password/change/"):
        response = admin_client.post(
            url, {"password1": "admin-knows-this-1", "password2": "admin-knows-this-1"}, follow=True
        )
        assert b'name="password1"' not in response.content
    page = admin_client.get(_change("accounts/user", triage.pk)).content.decode()
    assert 'name="password' not in page and "Send a password reset link" in page
    admin_post(admin_client, _change("accounts/user", triage.pk), {"password": "admin-knows-this-1"})
    assert User.objects.get(pk=triage.pk).password == before


def test_a_new_account_made_in_the_admin_has_no_password_anyone_knows(admin_client: Client) -> None:
    page = admin_client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="password1"' not in page and 'name="usable_password"' not in page
    response = admin_post(
        admin_client,
        "/admin/accounts/user/add/",
        {
            "username": "new-caseworker",
            "email": "new@example.org",
            "role": Role.CASEWORKER,
            "organisation": Organisation.objects.get(slug="rosa").pk,
            "password1": "admin-knows-this-1",
            "password2": "admin-knows-this-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-caseworker")
    assert not user.has_usable_password()
    assert (user.role, user.is_staff, user.is_superuser) == (Role.CASEWORKER, False, False)
    assert _last("user.created").object_id == str(user.pk)


def test_superuser_and_staff_cannot_be_granted_in_the_admin(admin_client: Client, triage: User) -> None:
    response = admin_post(admin_client, _change("accounts/user", triage.pk), {"is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 302
    triage.refresh_from_db()
    assert not triage.is_superuser and not triage.is_staff


def test_nobody_can_raise_or_change_their_own_role(admin_client: Client, administrator: User) -> None:
    admin_post(
        admin_client,
        _change("accounts/user", administrator.pk),
        {"is_superuser": "on", "role": Role.CASEWORKER, "organisation": Organisation.objects.get(slug="rosa").pk},
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert administrator.organisation is not None
    assert (administrator.role, administrator.organisation.slug) == (Role.ADMINISTRATOR, "opcc")
    page = admin_client.get(_change("accounts/user", administrator.pk)).content.decode()
    assert 'name="role"' not in page and 'name="is_active"' not in page and 'name="is_superuser"' not in page


def test_staff_access_follows_the_administrator_role_and_is_audited(admin_client: Client, triage: User) -> None:
    admin_post(
        admin_client,
        _change("accounts/user", triage.pk),
        {"role": Role.ADMINISTRATOR, "organisation": Organisation.objects.get(slug="opcc").pk},
    )
    triage.refresh_from_db()
    assert triage.role == Role.ADMINISTRATOR and triage.is_staff and not triage.is_superuser
    changed = _last("accounts.user.changed").detail["changed"]
    assert changed["role"] == [Role.PROVIDER_TRIAGE, Role.ADMINISTRATOR]
    assert changed["is_staff"] == [False, True]
    assert changed["organisation"] == [
        Organisation.objects.get(slug="victim-support").pk,
        Organisation.objects.get(slug="opcc").pk,
    ]
    assert len(changed["groups"][1]) == 1


def test_the_admin_sends_a_reset_link_to_the_user_instead(
    admin_client: Client,
    administrator: User,
    triage: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/accounts/user/",
            {"action": "send_password_reset_link", "_selected_action": [triage.pk]},
            follow=True,
        )
    assert "Sent a password reset link to 1 user" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [triage.email]
    found = re.search(r"/account/password-reset/(?P<uid>[^/]+)/(?P<token>[^/\s]+)/", str(mail.outbox[0].body))
    assert found is not None
    assert default_token_generator.check_token(triage, found["token"])
    event = _last("user.password_reset_sent")
    assert (event.actor, event.object_id) == (administrator, str(triage.pk))
    assert found["token"] not in str(event.detail)


# -- every configuration or privilege change is audited, with from and to -------------------------------


def test_deactivating_a_user_is_audited_without_their_personal_details(admin_client: Client, triage: User) -> None:
    admin_post(admin_client, _change("accounts/user", triage.pk), {"is_active": None, "last_name": "Renamed"})
    event = _last("accounts.user.changed")
    assert event.object_id == str(triage.pk)
    assert event.detail["changed"]["is_active"] == [True, False]
    assert event.detail["changed"]["last_name"] == ["(changed)", "(changed)"]
    assert "Renamed" not in str(event.detail) and triage.email not in str(event.detail)


def test_removing_an_authenticator_is_audited_and_its_secret_is_not(admin_client: Client, triage: User) -> None:
    device = TOTPDevice.objects.get(user=triage)
    admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = _last("otp_totp.totpdevice.deleted")
    assert event.detail["changed"]["user"] == [triage.pk, None]
    assert SECRET_HEX not in str(event.detail) and "key" not in event.detail["changed"]


def test_enrolling_an_authenticator_is_audited(triage: User) -> None:
    assert AuditEvent.objects.filter(action="two_factor.enrolled", object_id=str(triage.pk)).exists()


def test_changing_a_routing_rule_is_audited_with_from_and_to(admin_client: Client) -> None:
    rule = RoutingRule.objects.filter(service__isnull=False).order_by("pk").first()
    assert rule is not None
    old_order = rule.order
    response = admin_post(admin_client, _change("referrals/routingrule", rule.pk), {"order": old_order + 7})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _last("referrals.routingrule.changed")
    assert event.object_id == str(rule.pk)
    assert event.detail["changed"] == {"order": [old_order, old_order + 7]}


def test_changing_a_service_is_audited_with_from_and_to(admin_client: Client) -> None:
    service = Service.objects.get(slug="rosa")
    response = admin_post(admin_client, _change("directory/service", service.pk), {"first_contact_target_days": 9})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = _last("directory.service.changed")
    assert event.detail["changed"]["first_contact_target_days"] == [service.first_contact_target_days, 9]


def test_changing_a_message_template_is_audited_with_from_and_to(admin_client: Client) -> None:
    template = MessageTemplate.objects.order_by("pk").first()
    assert template is not None
    response = admin_post(admin_client, _change("messaging/messagetemplate", template.pk), {"body": "New words"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _last("messaging.messagetemplate.changed").detail["changed"]["body"] == [template.body, "New words"]


def test_list_edits_are_audited_too(admin_client: Client) -> None:
    outcome = OutcomeType.objects.order_by("pk").first()
    assert outcome is not None
    page = admin_client.get("/admin/core/outcometype/")
    assert page.status_code == 200
    admin_client.post(
        "/admin/core/outcometype/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": outcome.pk,
            **({} if outcome.needs_verification else {"form-0-needs_verification": "on"}),
            "_save": "Save",
        },
    )
    event = _last("core.outcometype.changed")
    assert event.detail["changed"]["needs_verification"] == [outcome.needs_verification, not outcome.needs_verification]


def test_api_tokens_are_revoked_not_made_in_the_admin_and_both_are_audited(
    admin_client: Client, administrator: User, triage: User
) -> None:
    api_token_create(user=triage, created_by=administrator)
    token = ApiToken.objects.get(user=triage)
    assert _last("api_token.created").object_id == str(token.pk)
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    admin_client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = _last("api_token.revoked")
    assert (event.actor, event.object_id) == (administrator, str(token.pk))
    assert event.detail["changed"]["revoked_at"][0] is None


def test_load_area_reset_is_audited_row_by_row(admin_client: Client) -> None:
    service = Service.objects.get(slug="rosa")
    original = service.first_contact_target_days
    admin_post(admin_client, _change("directory/service", service.pk), {"first_contact_target_days": original + 3})
    call_command("load_area", reset=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    event = _last("area.reset")
    assert (event.channel, event.origin) == ("cli", "load_area")
    changed = event.detail["changed"][f"directory.service:{service.pk}"]
    assert changed["first_contact_target_days"] == [original + 3, original]
