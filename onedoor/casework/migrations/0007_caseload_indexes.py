"""Indexes for the caseload lists (docs/adr/0031-caseload-lists-paged-and-capped.md).

The two referral indexes are partial on the open case statuses and are created here, beside the lists they
serve, rather than on the Referral model: they are casework's reads, and both SQLite and PostgreSQL build
partial indexes from the same statement.
"""

from django.db import migrations, models

OPEN = "('accepted', 'waiting', 'contact_attempted', 'contacted', 'engaged')"


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_case_message_translations"),
        ("referrals", "0008_data_lifecycle_and_article_9"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactattempt",
            index=models.Index(fields=["referral", "at"], name="contact_referral_at_idx"),
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX casework_my_cases_idx ON referrals_referral (assigned_to_id, due_on, id) "
                f"WHERE status IN {OPEN}"
            ),
            reverse_sql="DROP INDEX casework_my_cases_idx",
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX casework_team_cases_idx ON referrals_referral (current_service_id, due_on, id) "
                f"WHERE status IN {OPEN}"
            ),
            reverse_sql="DROP INDEX casework_team_cases_idx",
        ),
    ]
