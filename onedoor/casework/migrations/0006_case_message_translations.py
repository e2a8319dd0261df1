"""The casework messages to the person (waiting-list position, feedback link) in the languages the police
support offer is worded in. Rows already there are left alone, so an administrator's edits survive."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "message_templates.json"


def load_translations(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["rows"]:
        if row["language"] == "en":
            continue
        MessageTemplate.objects.get_or_create(
            key=row["key"],
            channel=row["channel"],
            language=row["language"],
            defaults={k: row[k] for k in ("language_name", "subject", "body", "needs_native_review")},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_consent_withdrawn_alert"),
        ("messaging", "0005_restricted_key"),
    ]

    operations = [migrations.RunPython(load_translations, migrations.RunPython.noop)]
