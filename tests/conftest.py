"""Shared fixtures. National reference data arrives by migration; the area configuration (Warwickshire
by default, districts included) is loaded once per test database, and again after a transactional test
has flushed it. `any_area` runs a test once for each bundled area."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import DjangoDbBlocker

from onedoor.accounts.models import Organisation, Role, User
from onedoor.accounts.services import totp_device_create, user_create


def _ensure_configuration() -> None:
    from onedoor.areas.loader import load_area
    from onedoor.core.models import District, OffenceGroup
    from onedoor.core.reference_data import load_reference
    from onedoor.directory.models import Service

    if not OffenceGroup.objects.exists():
        load_reference()
    if not Service.objects.exists() or not District.objects.exists():
        load_area(settings.ONEDOOR_AREA)
    from onedoor.directory.loader import load_directory
    from onedoor.directory.models import Taxonomy

    if not Taxonomy.objects.exists():
        load_directory(settings.ONEDOOR_AREA)
    from onedoor.messaging.models import MessageTemplate

    if not MessageTemplate.objects.exists():
        # Migrations load the message templates; a transactional test's flush removes them.
        from importlib import import_module

        from django.apps import apps

        import_module("onedoor.messaging.migrations.0002_load_message_templates").load(apps, None)
        casework = "onedoor.casework.migrations.0002_feedback_by_anonymous_link_and_case_message_templates"
        import_module(casework).load_templates(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    with django_db_blocker.unblock():
        _ensure_configuration()


@pytest.fixture(autouse=True)
def _configuration(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = request.node.get_closest_marker("django_db") or any(
        f in request.fixturenames for f in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
        _ensure_configuration()
    yield
    if uses_db and not request.node.get_closest_marker("audit_rows_outside_registry"):
        _assert_audit_actions_registered()


def _assert_audit_actions_registered() -> None:
    """Every audit row a test wrote has an action from the registry (onedoor.core.audit_actions)."""
    from django.db import DatabaseError
    from django.db.transaction import TransactionManagementError

    from onedoor.core.audit_actions import AuditAction
    from onedoor.core.models import AuditEvent

    try:
        stored = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    except (DatabaseError, TransactionManagementError):
        return  # the test left the database unusable on purpose (an outage, a broken transaction)
    unknown = stored - {member.value for member in AuditAction}
    assert not unknown, f"audit rows with actions that are not AuditAction members: {sorted(unknown)}"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: Role = Role.REFERRER, org: str | None = None, username: str | None = None, totp: bool = False
    ) -> User:
        counter["n"] += 1
        organisation = Organisation.objects.get(slug=org) if org else None
        if organisation is None and role == Role.REFERRER:
            organisation = Organisation.objects.get(slug="warwickshire-police")
        user = user_create(
            username=username or f"{role}-{org or 'none'}-{counter['n']}",
            role=role,
            organisation=organisation,
            email=f"user{counter['n']}@example.org",
            password="a-long-test-password",
        )
        if totp:
            totp_device_create(user=user, key_hex="3132333435363738393031323334353637383930")
        return user

    return make


@pytest.fixture
def referrer(make_user: Callable[..., User]) -> User:
    return make_user(Role.REFERRER)


@pytest.fixture
def signed_in_client(client: Client) -> Callable[[User], Client]:
    """A test client signed in as `user`, with two-factor sign-in completed for staff roles."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        if user.needs_two_factor:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user).first() or totp_device_create(user=user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return sign_in


BUNDLED_AREAS = ("warwickshire", "city-of-london")


def switch_area(name: str) -> None:
    """Inside the test's transaction: replace the loaded area's configuration with another area's."""
    from onedoor.areas.loader import load_area
    from onedoor.core.models import District
    from onedoor.directory.loader import load_directory
    from onedoor.directory.models import DirectoryOrganisation, Service
    from onedoor.referrals.models import RoutingRule

    RoutingRule.objects.all().delete()
    Service.objects.all().delete()
    DirectoryOrganisation.objects.all().delete()
    Organisation.objects.all().delete()
    District.objects.all().delete()
    load_area(name, reset=True)
    load_directory(name)


@pytest.fixture(params=BUNDLED_AREAS)
def any_area(request: pytest.FixtureRequest, db: Any, settings: Any) -> dict[str, Any]:
    """Runs the test once for each bundled area, with that area loaded and ONEDOOR_AREA naming it."""
    from onedoor.areas.files import read_area

    if request.param != settings.ONEDOOR_AREA:
        switch_area(request.param)
        settings.ONEDOOR_AREA = request.param
    return read_area(request.param)
