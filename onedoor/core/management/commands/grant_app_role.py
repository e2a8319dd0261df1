"""Give the role that runs the application what it needs, and no more (PostgreSQL; ADR 0004).

A deployment has two database roles. The one that migrates owns every table (and so could lift the audit
log's triggers or empty it); it is used only for `migrate`, `createcachetable` and this command. The one
that runs the web and worker processes owns nothing: it may read and write the application's tables, but
may only read and add rows to the audit log. Without ownership it cannot alter the table, disable or drop
its triggers, or TRUNCATE it; without UPDATE and DELETE it cannot change or remove a row.

Run it as the owning role after every `migrate` (new tables need their grants):

    DATABASE_URL=postgres://onedoor_owner@db/onedoor manage.py grant_app_role onedoor_app
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
AUDIT_TABLE = "core_auditevent"
MIGRATIONS_TABLE = "django_migrations"


def grant_statements(*, role: str, schema: str = "public") -> list[str]:
    q = connection.ops.quote_name
    r, s = q(role), q(schema)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # The audit log: read and append, nothing else.
        f"REVOKE UPDATE, DELETE ON {s}.{q(AUDIT_TABLE)} FROM {r}",
        # The application reads which migrations ran; only the owner migrates.
        f"REVOKE INSERT, UPDATE, DELETE ON {s}.{q(MIGRATIONS_TABLE)} FROM {r}",
    ]


class Command(BaseCommand):
    help = "PostgreSQL: grant the application's database role its privileges (read and append only on the audit log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role the web and worker processes connect as.")
        parser.add_argument("--schema", default="public")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "grant_app_role is for PostgreSQL. SQLite has no roles: there the audit log's triggers refuse "
                "updates and deletes, and whoever can write the database file is its owner."
            )
        role, schema = options["role"], options["schema"]
        for name in (role, schema):
            if not _NAME.match(name):
                raise CommandError(f"{name!r} is not a plain name: use letters, digits and underscores.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", [role])
            me, exists = cursor.fetchone()
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
            owner_row = cursor.fetchone()
        if not exists:
            raise CommandError(f"There is no database role called {role!r}. Create it first: CREATE ROLE ... LOGIN.")
        if owner_row is None:
            raise CommandError("The audit table does not exist yet: run `manage.py migrate` first, as the owning role.")
        if role in (me, owner_row[0]):
            raise CommandError(
                f"{role!r} owns the tables (or is the role running this command). The application must connect "
                "as a different role that owns nothing."
            )
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in grant_statements(role=role, schema=schema):
                cursor.execute(sql)
        self.stdout.write(f"{role}: read and write on the application's tables; read and append only on {AUDIT_TABLE}.")
