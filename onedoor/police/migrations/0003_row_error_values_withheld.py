"""Row errors kept before values were withheld may hold a victim's details: keep only what
`police.parser.row_error_value` allows now, and blank the rest."""

from django.db import migrations

from onedoor.police.parser import VALUE_SHOWN_COLUMNS, row_error_value


def withhold(apps, schema_editor):
    PoliceRowError = apps.get_model("police", "PoliceRowError")
    PoliceRowError.objects.exclude(column__in=VALUE_SHOWN_COLUMNS).exclude(value="").update(value="")
    kept = PoliceRowError.objects.filter(column__in=VALUE_SHOWN_COLUMNS).exclude(value="")
    blank = [pk for pk, column, value in kept.values_list("pk", "column", "value") if not row_error_value(column, value)]
    for start in range(0, len(blank), 1000):
        PoliceRowError.objects.filter(pk__in=blank[start : start + 1000]).update(value="")


class Migration(migrations.Migration):
    dependencies = [("police", "0002_match_keys_indexed_where_present")]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop)]
