import pytest
from django.db import connection, transaction

from onedoor.core.audit import audit_record
from onedoor.core.context import origin
from onedoor.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_records_who_what_and_from_where(referrer) -> None:
    with origin("web", "192.0.2.10"):
        event = audit_record(actor=referrer, action="thing.done", obj=referrer, detail={"k": "v"})
    assert event.actor == referrer
    assert event.actor_label == referrer.username
    assert (event.channel, event.origin) == ("web", "192.0.2.10")
    assert event.object_type == "accounts.user" and event.object_id == str(referrer.pk)


def test_audit_rows_cannot_be_changed_or_deleted(referrer) -> None:
    event = audit_record(actor=referrer, action="thing.done")
    event.action = "thing.undone"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_raw_updates_to_the_audit_log(referrer) -> None:
    from django.db.utils import DatabaseError

    event = audit_record(actor=referrer, action="thing.done")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="thing.done").exists()


def test_the_database_refuses_raw_deletes_of_the_audit_log(referrer) -> None:
    from django.db.utils import DatabaseError

    event = audit_record(actor=referrer, action="thing.done")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_truncating_the_audit_log_on_postgresql(referrer) -> None:
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite empties a table with DELETE, refused above")
    audit_record(actor=referrer, action="thing.done")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("TRUNCATE core_auditevent CASCADE")
    assert AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_flush_lifts_the_guard_only_for_itself_and_puts_it_back(referrer) -> None:
    from django.core.management import call_command
    from django.db.utils import DatabaseError

    audit_record(actor=referrer, action="thing.done")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    event = audit_record(actor=None, action="after.flush")
    with pytest.raises(DatabaseError), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
