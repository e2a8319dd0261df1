import pytest
from django.db import connection, transaction

from onedoor.accounts.models import User
from onedoor.core.audit import audit_record, audit_record_rows
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import origin
from onedoor.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_records_who_what_and_from_where(referrer: User) -> None:
    with origin("web", "192.0.2.10"):
        event = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN, obj=referrer, detail={"k": "v"})
    assert event.actor == referrer
    assert event.actor_label == referrer.username
    assert (event.channel, event.origin) == ("web", "192.0.2.10")
    assert event.object_type == "accounts.user" and event.object_id == str(referrer.pk)


def test_audit_rows_cannot_be_changed_or_deleted(referrer: User) -> None:
    event = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    event.action = "thing.undone"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_raw_updates_to_the_audit_log(referrer: User) -> None:
    from django.db.utils import DatabaseError

    event = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action=AuditAction.USER_SIGNED_IN).exists()


def test_a_public_action_keeps_no_address_a_process_name_and_a_staff_action_do(referrer: User) -> None:
    with origin("web", "192.0.2.10"):
        public = audit_record(actor=None, action=AuditAction.FEEDBACK_RECEIVED)
        staff = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    with origin("web", "2001:db8::1"):
        public_v6 = audit_record(actor=None, action=AuditAction.FEEDBACK_RECEIVED)
    with origin("api", "notify-callback"):
        process = audit_record(actor=None, action=AuditAction.MESSAGE_CONTACT_INVALID)
    assert (public.origin, public_v6.origin, staff.origin, process.origin) == ("", "", "192.0.2.10", "notify-callback")


def test_bulk_audit_rows_follow_the_same_rule(referrer: User) -> None:
    with origin("web", "192.0.2.10"):
        audit_record_rows(
            action=AuditAction.REFERRAL_SIGNPOSTED,
            entries=[(None, "core.thing", 1, {}), (referrer, "core.thing", 2, {})],
        )
    rows = dict(
        AuditEvent.objects.filter(action="referral.signposted", object_type="core.thing").values_list(
            "object_id", "origin"
        )
    )
    assert rows == {"1": "", "2": "192.0.2.10"}


def _insert_raw(actor_id: int | None, origin_value: str, action: str) -> None:
    from django.utils import timezone

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_auditevent (at, actor_id, actor_label, action, object_type, object_id, channel, origin,"
            " detail) VALUES (%s, %s, 'x', %s, '', '', 'web', %s, '{}')",
            [timezone.now(), actor_id, action, origin_value],
        )


@pytest.mark.audit_rows_outside_registry  # rows written before the registry, by raw SQL
def test_the_migration_blanks_addresses_already_kept_for_the_public_and_leaves_the_log_append_only(
    referrer: User,
) -> None:
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("onedoor.core.migrations.0004_public_audit_rows_keep_no_address")
    _insert_raw(None, "192.0.2.10", "old.public")
    _insert_raw(None, "2001:db8::5", "old.public6")
    _insert_raw(None, "import_police", "old.cli")
    _insert_raw(referrer.pk, "192.0.2.11", "old.staff")
    migration.blank_public_addresses(apps, SimpleNamespace(connection=connection))
    origins = dict(AuditEvent.objects.filter(action__startswith="old.").values_list("action", "origin"))
    assert origins == {"old.public": "", "old.public6": "", "old.cli": "import_police", "old.staff": "192.0.2.11"}
    # The triggers are back: the database still refuses changes.
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET origin = 'x' WHERE action = 'old.staff'")


def test_the_database_refuses_raw_deletes_of_the_audit_log(referrer: User) -> None:
    from django.db.utils import DatabaseError

    event = audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_truncating_the_audit_log_on_postgresql(referrer: User) -> None:
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite empties a table with DELETE, refused above")
    audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("TRUNCATE core_auditevent CASCADE")
    assert AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_flush_lifts_the_guard_only_for_itself_and_puts_it_back(referrer: User) -> None:
    from django.core.management import call_command
    from django.db.utils import DatabaseError

    audit_record(actor=referrer, action=AuditAction.USER_SIGNED_IN)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = audit_record(actor=None, action=AuditAction.AREA_LOADED)
    with pytest.raises(DatabaseError), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_action_that_is_not_a_registry_member_is_refused(referrer: User) -> None:
    # A StrEnum is a str, so only the run-time check stops a plain or f-string action mypy cannot see.
    what = "done"
    for call in (
        lambda: audit_record(actor=referrer, action=f"thing.{what}"),  # type: ignore[arg-type]
        lambda: audit_record(actor=referrer, action="user.signed_in"),  # type: ignore[arg-type]
        lambda: audit_record_rows(action="user.signed_in", entries=[(None, "core.thing", 1, {})]),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match="AuditAction"):
            call()
    assert not AuditEvent.objects.filter(object_type="core.thing").exists()
