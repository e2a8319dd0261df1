from django.db import migrations

from onedoor.core.audit_guard import GUARD_SQL, UNGUARD_SQL


def forward(apps, schema_editor):
    for sql in GUARD_SQL.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in UNGUARD_SQL.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    """SQLite now refuses deletes of audit rows too, and PostgreSQL refuses TRUNCATE as well as row
    updates and deletes. (On PostgreSQL the application's own role cannot touch the triggers at all: see
    `manage.py grant_app_role` and docs/adr/0004.)"""

    dependencies = [("core", "0006_submission_key")]

    operations = [migrations.RunPython(forward, backward)]
