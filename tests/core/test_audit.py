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
