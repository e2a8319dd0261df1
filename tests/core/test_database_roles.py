"""On PostgreSQL the application connects as a role that owns nothing (ADR 0004): it can read and add
audit rows, and nothing else. This test makes such a role, connects as it, and tries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onedoor.accounts.models import User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role() -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's; SQLite's guard is its triggers (tests/core/test_audit.py)")
    import psycopg

    role = f"{connection.settings_dict['NAME']}_app"[:63]
    with connection.cursor() as cur:
        cur.execute(f'DROP ROLE IF EXISTS "{role}"')
        cur.execute(f'CREATE ROLE "{role}" LOGIN')
    params = {**connection.get_connection_params(), "user": role}
    params.pop("password", None)
    call_command("grant_app_role", role, verbosity=0)
    app = psycopg.connect(**params, autocommit=True)
    try:
        yield app
    finally:
        app.close()
        with connection.cursor() as cur:
            cur.execute(f'DROP OWNED BY "{role}"')
            cur.execute(f'DROP ROLE "{role}"')


@pytest.mark.audit_rows_outside_registry  # the role appends a row by raw SQL
def test_the_app_role_can_read_and_append_audit_rows_and_nothing_else(app_role: Any, referrer: User) -> None:
    import psycopg

    event = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    assert app_role.execute("SELECT count(*) FROM core_auditevent WHERE id = %s", [event.pk]).fetchone() == (1,)
    app_role.execute(
        "INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id, channel, origin, detail) "
        "VALUES (now(), 'app', 'app.appended', '', '', 'system', '', '{}')"
    )
    assert AuditEvent.objects.filter(action="app.appended").exists()
    # The rest of the application's tables stay writable.
    app_role.execute("UPDATE accounts_user SET job_title = 'Officer' WHERE id = %s", [referrer.pk])

    refused = [
        "UPDATE core_auditevent SET action = 'x'",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
        "DROP TABLE core_auditevent",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('core', 'x', now())",
    ]
    for sql in refused:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_role.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk, action=AuditAction.USER_SIGNED_IN).exists()


def test_grant_app_role_refuses_the_owner_and_unknown_roles() -> None:
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="for PostgreSQL"):
            call_command("grant_app_role", "onedoor_app")
        return
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_app_role", "no_such_role_h3")
    with pytest.raises(CommandError, match="owns the tables"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="plain name"):
        call_command("grant_app_role", 'x"; DROP TABLE core_auditevent; --')
