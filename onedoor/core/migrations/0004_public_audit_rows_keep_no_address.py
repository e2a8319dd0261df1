"""Audit rows of the public's actions (no signed-in actor) written before this change kept the client's
network address. Blank it, as `core.audit` now does for new rows; process names (cli, task) stay.

The audit log is append-only in the database, so its triggers are set aside for this one statement and
put back in the same migration: on PostgreSQL by disabling and enabling the table's user triggers, on
SQLite by dropping them and creating them again from their own saved definitions."""

import ipaddress

from django.db import migrations


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def blank_public_addresses(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    rows = AuditEvent.objects.filter(actor__isnull=True).exclude(origin="").values_list("pk", "origin")
    ids = [pk for pk, origin in rows.iterator() if _is_address(origin)]
    if not ids:
        return
    connection = schema_editor.connection
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        saved: list[str] = []
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks still pending in this transaction would block the ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
            triggers = cursor.fetchall()
            for name, sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
                saved.append(sql)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            cursor.execute(
                f"UPDATE {table} SET origin = '' WHERE id IN ({', '.join(['%s'] * len(part))})",  # noqa: S608 - quoted name; values are parameters
                part,
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for sql in saved:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only_trigger")]

    operations = [migrations.RunPython(blank_public_addresses, migrations.RunPython.noop)]
