import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "message_templates.json"


def load(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["rows"]:
        MessageTemplate.objects.update_or_create(
            key=row["key"],
            channel=row["channel"],
            language=row["language"],
            defaults={k: row[k] for k in ("language_name", "subject", "body", "needs_native_review")},
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
