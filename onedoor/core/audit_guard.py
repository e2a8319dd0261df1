"""The database's own guard on the audit log, beyond the one in 0003: SQLite refuses deletes as well as
updates, and PostgreSQL refuses TRUNCATE as well as row updates and deletes.

Only the owner of the table (the role that migrates) can lift these triggers, and only `flush` does, for
the moment it empties the whole database (the test runner between transactional tests; an operator
starting again). The role that runs the application owns nothing, so it cannot (ADR 0004).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

GUARD_SQL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
        "CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();",
    ],
}
UNGUARD_SQL: dict[str, list[str]] = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditevent_no_delete;"],
    "postgresql": ["DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;"],
}


def _has_audit_table(connection: Any) -> bool:
    return "core_auditevent" in connection.introspection.table_names()


@contextmanager
def audit_guard_lifted(connection: Any) -> Iterator[None]:
    """Lift the delete/truncate guard for one flush of the whole database, and put it back after."""
    vendor = connection.vendor
    guarded = vendor in GUARD_SQL and _has_audit_table(connection)
    if guarded:
        with connection.cursor() as cursor:
            for sql in UNGUARD_SQL[vendor]:
                cursor.execute(sql)
    try:
        yield
    finally:
        if guarded:
            with connection.cursor() as cursor:
                for sql in GUARD_SQL[vendor]:
                    cursor.execute(sql)
