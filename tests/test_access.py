"""Deny by default: every route declares who may use it, and staff finish two-factor sign-in first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django import Settings

from onedoor.accounts.api_auth import PublicAccess, SessionAuth, TokenAuth
from onedoor.accounts.models import Role, User
from onedoor.accounts.totp import current_code
from onedoor.api import api
from onedoor.core.access import is_self_guarded, view_access
from onedoor.messaging.api import NotifyCallbackAuth


def _walk(patterns: list[Any], prefix: str = "", app: str | None = None) -> list[tuple[str, Any, str | None]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out.extend(_walk(p.url_patterns, prefix + str(p.pattern), app or p.namespace))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), p.callback, app))
    return out


def test_every_view_declares_its_access() -> None:
    routes = _walk(get_resolver().url_patterns)
    undeclared = [route for route, view, app in routes if view_access(view) is None and not is_self_guarded(view, app)]
    assert undeclared == []
    own = [r for r in routes if r[2] not in {"admin", "api"}]
    assert len(own) >= 10  # the walk really reached OneDoor's own views


def test_every_api_operation_declares_roles() -> None:
    operations = [
        (prefix, path, op)
        for prefix, router in api._routers
        for path, path_view in router.path_operations.items()
        for op in path_view.operations
    ]
    assert len(operations) >= 2
    for prefix, path, op in operations:
        auths = op.auth_callbacks
        assert auths, f"{path} has no auth"
        if any(isinstance(a, PublicAccess) for a in auths):
            # Public by design, declared explicitly: only the read-only directory feed.
            assert prefix == "/oruk" and op.methods == ["GET"], f"{path} is public but not the ORUK feed"
            continue
        if any(isinstance(a, NotifyCallbackAuth) for a in auths):
            # A machine caller with its own shared secret: GOV.UK Notify's delivery receipts, and nothing else.
            assert (prefix, path) == ("/messaging", "/notify-callback"), f"{path} uses the Notify token"
            assert len(auths) == 1
            continue
        for a in auths:
            assert isinstance(a, TokenAuth | SessionAuth), f"{path}: unexpected auth {a!r}"
            assert a.roles, f"{path} admits no role: declare the roles it serves"


def test_an_undeclared_view_is_refused(rf: RequestFactory) -> None:
    from django.http import HttpResponse

    from onedoor.core.access import DenyByDefaultMiddleware

    def naked(request: Any) -> HttpResponse:
        return HttpResponse("secret")

    middleware = DenyByDefaultMiddleware(lambda r: HttpResponse())
    request = rf.get("/x")
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    request.user = AnonymousUser()
    with pytest.raises(Http404):
        middleware.process_view(request, naked, (), {})


@pytest.mark.django_db
def test_staff_must_complete_two_factor_before_any_page(
    make_user: Callable[..., User], client: Client, settings: Settings
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wrong code locks further tries for a minute
    triage = make_user(Role.PROVIDER_TRIAGE, "rosa", totp=True)
    response = client.post("/account/sign-in/", {"username": triage.username, "password": "a-long-test-password"})
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    assert client.get("/queue/rosa/")["Location"] == "/account/two-factor/"
    wrong = client.post("/account/two-factor/", {"code": "000000"})
    assert "not right" in wrong.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=triage)
    throttled = client.post("/account/two-factor/", {"code": current_code(device)})
    assert "Too many wrong codes" in throttled.content.decode()  # django-otp throttles after a failure
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post("/account/two-factor/?next=/queue/rosa/", {"code": current_code(device)})
    assert ok["Location"] == "/queue/rosa/"
    assert client.get("/queue/rosa/").status_code == 200


@pytest.mark.django_db
def test_a_staff_user_without_a_device_is_sent_to_set_one_up(make_user: Callable[..., User], client: Client) -> None:
    lead = make_user(Role.TEAM_LEAD, "cgl")
    client.post("/account/sign-in/", {"username": lead.username, "password": "a-long-test-password"})
    response = client.get("/account/two-factor/", follow=True)
    assert b"Set up two-factor sign-in" in response.content
    assert b"<svg" in response.content


@pytest.mark.django_db
def test_referrers_do_not_need_two_factor(referrer: User, client: Client) -> None:
    client.post("/account/sign-in/", {"username": referrer.username, "password": "a-long-test-password"})
    assert client.get("/referrals/new/").status_code == 200


@pytest.mark.django_db
def test_the_api_session_route_also_requires_two_factor(make_user: Callable[..., User], client: Client) -> None:
    from tests.referrals.factories import make_referral

    referral = make_referral(referrer=make_user(Role.REFERRER))
    triage = make_user(Role.PROVIDER_TRIAGE, "victim-support", totp=True)
    client.force_login(triage)
    assert client.get(f"/api/v1/referrals/{referral.reference}").status_code == 401


@pytest.mark.django_db
def test_the_admin_is_for_verified_administrators_only(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    admin_user.is_staff = True
    admin_user.save()
    assert signed_in_client(admin_user).get("/admin/").status_code == 200
    analyst = make_user(Role.COMMISSIONER_ANALYST, "opcc")
    analyst.is_staff = True
    analyst.save()
    response = signed_in_client(analyst).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_sign_ins_are_audited_wherever_they_happen(referrer: User, client: Client) -> None:
    from onedoor.core.models import AuditEvent

    client.post("/account/sign-in/", {"username": referrer.username, "password": "wrong"})
    client.post("/account/sign-in/", {"username": referrer.username, "password": "a-long-test-password"})
    client.post("/account/sign-out/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["user.sign_in_failed", "user.signed_in", "user.signed_out"]
    assert referrer.username not in str(AuditEvent.objects.filter(action="user.sign_in_failed").values())


@pytest.mark.django_db
def test_administrators_manage_configuration_not_cases(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    from onedoor.referrals.models import RoutingRule

    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    assert admin_user.is_staff and not admin_user.is_superuser
    client = signed_in_client(admin_user)
    rule = RoutingRule.objects.get(key="sexual-offence")
    assert client.get("/admin/referrals/routingrule/").status_code == 200
    assert client.get(f"/admin/referrals/routingrule/{rule.pk}/change/").status_code == 200
    assert client.get("/admin/directory/service/").status_code == 200
    assert client.get("/admin/messaging/messagetemplate/").status_code == 200
    assert client.get("/admin/core/auditevent/").status_code == 200
    # Ledgers are for reading; users are deactivated, never deleted (the audit log points at them).
    assert client.get("/admin/police/policebatch/add/").status_code == 403
    assert client.get(f"/admin/accounts/user/{admin_user.pk}/delete/").status_code == 403
    assert admin_user.has_perm("otp_totp.delete_totpdevice")
    assert not admin_user.has_perm("auth.change_group")
