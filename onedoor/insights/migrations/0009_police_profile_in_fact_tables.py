"""The police profile moves from its own day table into the shared fact tables (ADR 0036).

Its rows are carried over as they are, so that a day whose transfer records retention has since removed keeps
its figures: each row becomes the five facts of each count it belongs to (victims, and offers sent, consented
and repeat victims where it says so), with the service "not recorded" (the old table did not keep it), and
the month slices are added up from them. The rollup's progress is then forgotten, so that the next refresh
(the worker runs one every five minutes) rebuilds every day that still has records, with its service."""

from itertools import combinations

from django.db import migrations

ROLLUP = "context_police_profile"
COLUMNS = ("service", "district", "offence_group", "source", "age_band", "detail")
ALL = "*"
NOT_RECORDED = "not-recorded"
SOURCE = "police-transfer"


def carry_over(apps, schema_editor):
    Day = apps.get_model("insights", "PoliceProfileDay")
    FactDay = apps.get_model("insights", "FactDay")
    batch = []
    for row in Day.objects.order_by("id").iterator(chunk_size=5000):
        detail = {
            "": "",
            "sex": row.sex,
            "ethnicity": row.ethnicity,
            "consent": "yes" if row.consent else "no",
            "repeat": "yes" if row.repeat else "no",
        }
        counted = {
            "police_profile.victims": True,
            "police_profile.offers_sent": row.offered,
            "police_profile.consented": row.consent,
            "police_profile.repeat_victims": row.repeat,
        }
        for count, included in counted.items():
            if not included:
                continue
            for characteristic, value in detail.items():
                batch.append(
                    FactDay(
                        rollup=ROLLUP,
                        fact=f"{count}:{characteristic}" if characteristic else count,
                        day=row.day,
                        service=NOT_RECORDED,
                        district=row.district_code,
                        offence_group=row.offence_group,
                        source=SOURCE,
                        age_band=row.age_band,
                        detail=value,
                        n=row.n,
                    )
                )
        if len(batch) >= 5000:
            FactDay.objects.bulk_create(batch)
            batch = []
    FactDay.objects.bulk_create(batch)
    # The month slices of what was carried over: by nothing, every column and every pair of columns.
    month = (
        "CAST(date_trunc('month', day) AS date)"
        if schema_editor.connection.vendor == "postgresql"
        else "date(day, 'start of month')"
    )
    names = ", ".join(COLUMNS)
    with schema_editor.connection.cursor() as cursor:
        for size in range(3):
            for grouped in combinations(COLUMNS, size):
                select = ", ".join(c if c in grouped else "%s" for c in COLUMNS)
                group = "".join(f", {c}" for c in grouped)
                cursor.execute(
                    f"INSERT INTO insights_factmonth (fact, grouping, month, {names}, n) "
                    f"SELECT fact, %s, {month}, {select}, SUM(n) FROM insights_factday WHERE rollup = %s "
                    f"GROUP BY fact, {month}{group} "
                    f"ON CONFLICT (fact, grouping, month, {names}) DO UPDATE SET n = insights_factmonth.n + excluded.n",
                    ["+".join(grouped), *([ALL] * (len(COLUMNS) - size)), ROLLUP],
                )
    apps.get_model("insights", "RollupState").objects.filter(name=ROLLUP).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0008_factmonth_emptied_index")]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="PoliceProfileDay"),
    ]
