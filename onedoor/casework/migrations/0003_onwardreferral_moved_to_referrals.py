# The onward-referral link now belongs to the referral spine (referrals 0005). Only Django's state
# changes: the table casework_onwardreferral and its rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0002_feedback_by_anonymous_link_and_case_message_templates'),
        ('referrals', '0005_onwardreferral_moved_from_casework'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OnwardReferral')],
            database_operations=[],
        ),
    ]
