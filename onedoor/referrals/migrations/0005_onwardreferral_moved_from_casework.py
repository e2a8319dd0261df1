# The onward-referral link moves from the casework app to the referral spine (the spine's visibility rule
# reads it). Only Django's state moves: the table keeps its name, casework_onwardreferral, and no row is
# copied. casework 0003 removes the model from the casework app's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, old, new):
    # Keep the content type (and any permission rows on it) with the model; none exists on a fresh database.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="onwardreferral").exists():
        ContentType.objects.filter(app_label=old, model="onwardreferral").update(app_label=new)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "casework", "referrals")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "referrals", "casework")


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0002_feedback_by_anonymous_link_and_case_message_templates'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('directory', '0004_referrer_next_steps'),
        ('referrals', '0004_audience_wording'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OnwardReferral',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('commissioned', 'To a commissioned service, through OneDoor'), ('external', 'To an external service from the directory'), ('transition', "Transition from a young people's service to an adults' service")], max_length=20)),
                        ('outcome', models.CharField(blank=True, help_text='For external services, if known', max_length=300)),
                        ('created_at', models.DateTimeField()),
                        ('handover_meeting_on', models.DateField(blank=True, null=True)),
                        ('handover_ends_on', models.DateField(blank=True, help_text='Both services see the case until then', null=True)),
                        ('transition_plan', models.CharField(blank=True, max_length=1000)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('from_referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='onward_referrals', to='referrals.referral')),
                        ('to_referral', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='onward_from', to='referrals.referral')),
                        ('to_service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.service')),
                    ],
                    options={
                        'db_table': 'casework_onwardreferral',
                        'ordering': ['created_at', 'id'],
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(('kind__in', ['commissioned', 'external', 'transition'])), name='onward_kind_valid'),
                            models.CheckConstraint(condition=models.Q(('kind', 'external'), ('to_referral__isnull', False), _connector='OR'), name='onward_internal_has_referral'),
                            models.CheckConstraint(condition=models.Q(models.Q(('kind', 'transition'), _negated=True), models.Q(('handover_meeting_on__isnull', False), ('handover_ends_on__isnull', False)), _connector='OR'), name='transition_has_handover'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
