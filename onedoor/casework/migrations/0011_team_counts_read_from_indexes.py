"""The team page's counts and due lists read from indexes (ADR 0031, ADR 0034).

At a million referrals the team page of the largest provider took 0.9 s, nearly all of it reading the heap
rows of the organisation's 56,000 open cases, several times over:
- the first contacts due are now read from an index partial on exactly the case statuses that await first
  contact (accepted, waiting, contact attempted; the old one also held received, triaged and re-routed,
  which no caseload lists), keyed by service and due date, with the practitioner in the key so that
  counting them by practitioner needs no heap row;
- the team's open cases carry the practitioner in their index too, for each practitioner's open cases;
- the welfare check-ins still to do are indexed by due date, so that the longest overdue are read first.
"""

from django.db import migrations

OPEN = "('accepted', 'waiting', 'contact_attempted', 'contacted', 'engaged')"
FIRST_CONTACT = "('accepted', 'waiting', 'contact_attempted')"
AWAITING = "('received', 'triaged', 'rerouted', 'accepted', 'waiting', 'contact_attempted')"


class Migration(migrations.Migration):
    dependencies = [("casework", "0010_waiting_list_entries_plural")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX casework_first_contact_idx ON referrals_referral "
                f"(current_service_id, due_on, id, assigned_to_id) WHERE status IN {FIRST_CONTACT} "
                "AND first_contacted_at IS NULL"
            ),
            reverse_sql="DROP INDEX casework_first_contact_idx",
        ),
        migrations.RunSQL(
            sql="DROP INDEX casework_first_contact_due_idx",
            reverse_sql=(
                "CREATE INDEX casework_first_contact_due_idx ON referrals_referral (due_on, id) "
                f"WHERE status IN {AWAITING} AND first_contacted_at IS NULL"
            ),
        ),
        migrations.RunSQL(
            sql=[
                "DROP INDEX casework_team_cases_idx",
                "CREATE INDEX casework_team_cases_idx ON referrals_referral "
                f"(current_service_id, due_on, id, assigned_to_id) WHERE status IN {OPEN}",
            ],
            reverse_sql=[
                "DROP INDEX casework_team_cases_idx",
                "CREATE INDEX casework_team_cases_idx ON referrals_referral (current_service_id, due_on, id) "
                f"WHERE status IN {OPEN}",
            ],
        ),
        migrations.RunSQL(
            sql="CREATE INDEX casework_checkin_due_idx ON casework_welfarecheckin (due_on, id) WHERE done_at IS NULL",
            reverse_sql="DROP INDEX casework_checkin_due_idx",
        ),
    ]
