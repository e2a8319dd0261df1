"""The first contacts due across an organisation's services, longest overdue first (the "Due today or
overdue" lists on "My cases" and the team page; ADR 0031).

Partial on the statuses that still await first contact, with no first contact made: the list reads this index
in due-date order and stops after a page, whatever the number of open cases.
"""

from django.db import migrations

AWAITING = "('received', 'triaged', 'rerouted', 'accepted', 'waiting', 'contact_attempted')"


class Migration(migrations.Migration):
    dependencies = [("casework", "0008_alert_and_waiting_list_indexes")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX casework_first_contact_due_idx ON referrals_referral (due_on, id) "
                f"WHERE status IN {AWAITING} AND first_contacted_at IS NULL"
            ),
            reverse_sql="DROP INDEX casework_first_contact_due_idx",
        ),
    ]
