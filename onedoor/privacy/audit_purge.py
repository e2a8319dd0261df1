"""Removing audit rows past their retention period.

The audit log is append-only to the application: the model refuses deletes, the database's triggers
refuse them, and on PostgreSQL the application's role cannot lift the triggers (ADR 0004). Only the
database owner, the role that runs `migrate`, may remove old rows, with
`manage.py apply_retention --audit-log`: it lifts the guard inside one transaction, deletes the rows
written before the cutoff, and puts the guard back before it commits, so no other connection ever sees
the table unguarded. The row that records the purge is written after the guard is back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from onedoor.core.audit_guard import GUARD_SQL, UNGUARD_SQL

_COUNT = "SELECT COUNT(*) FROM core_auditevent WHERE at < %s"
_DELETE = "DELETE FROM core_auditevent WHERE at < %s"
# The row trigger of core.0003 (updates and deletes), on top of audit_guard's delete/truncate guard.
_ROW_TRIGGER = {
    "postgresql": (
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only",
    ),
}


def audit_rows_before(cutoff: datetime) -> int:
    """How many audit rows were written before the cutoff (read through SQL: the model is core's alone)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [connection.ops.adapt_datetimefield_value(cutoff)])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def audit_rows_purge(cutoff: datetime) -> int:
    """Delete the audit rows written before the cutoff. Run as the database owner: the application's
    role is refused by the database, which is the point."""
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction fire first: PostgreSQL
            # refuses to alter a table that has pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in UNGUARD_SQL.get(vendor, ()):
            cursor.execute(sql)
        if vendor in _ROW_TRIGGER:
            cursor.execute(_ROW_TRIGGER[vendor][0])
        cursor.execute(_DELETE, [connection.ops.adapt_datetimefield_value(cutoff)])
        removed = cursor.rowcount
        if vendor in _ROW_TRIGGER:
            cursor.execute(_ROW_TRIGGER[vendor][1])
        for sql in GUARD_SQL.get(vendor, ()):
            cursor.execute(sql)
    return int(removed)
