"""The core takes over the audit log (from clients) and the number sequences (from desks): their
tables were renamed by those apps' migrations, so only the state changes here."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pandu', '0002_account_security'),
        ('clients', '0017_auditevent_moves_to_core'),
        ('desks', '0003_numbersequence_moves_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='NumberSequence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60)),
                        ('period', models.CharField(max_length=20)),
                        ('value', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('name', 'period'), name='sequence_name_period_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                        ('username', models.CharField(blank=True, max_length=150, verbose_name='user name')),
                        ('action', models.CharField(choices=[('view_person', 'Viewed a person'), ('view_household', 'Viewed a household'), ('view_photo', 'Viewed a photo or attachment'), ('export', 'Exported data'), ('import', 'Imported data'), ('login', 'Logged in'), ('login_failed', 'Failed login'), ('logout', 'Logged out'), ('permission_change', 'Changed permissions'), ('change', 'Changed personal data'), ('correct', 'Corrected personal data on request'), ('anonymise', 'Anonymised a person')], max_length=20, verbose_name='action')),
                        ('object_type', models.CharField(blank=True, max_length=40, verbose_name='object type')),
                        ('object_id', models.CharField(blank=True, max_length=40, verbose_name='object id')),
                        ('summary', models.CharField(blank=True, max_length=255, verbose_name='summary')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='detail')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'audit event',
                        'verbose_name_plural': 'audit events',
                        'ordering': ['-at'],
                        'indexes': [models.Index(fields=['object_type', 'object_id', 'at'], name='audit_object_idx')],
                    },
                ),
        ]),
    ]
