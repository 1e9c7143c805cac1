"""Complaints with a clock: days per kind (ComplaintDeadline, seeded with the defaults), a due
date on every complaint (existing ones from their reception day and the defaults), the visit and
the case a complaint came from, and a history of status changes (existing ones from what the
complaint records: received, and resolved or rejected)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0017_auditevent_moves_to_core'),
        ('desks', '0004_service_what_officers_see'),
        ('referrals', '0006_outcomes_news_for_every_officer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplaintDeadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('not_in_database', 'Poor but not in the database'), ('wrong_data', 'Wrong data'), ('service_complaint', 'Complaint about a service')], max_length=20, unique=True, verbose_name='kind')),
                ('days', models.PositiveSmallIntegerField(help_text='The due date is this many days after the complaint is received.', verbose_name='days to settle')),
                ('settled_by_decree', models.BooleanField(default=False, help_text="When the head approves a verivali batch by decree, the open complaints of this kind about its households are resolved with the decree's number and date.", verbose_name='settled by a verivali decree')),
            ],
            options={
                'verbose_name': 'complaint deadline',
                'verbose_name_plural': 'complaint deadlines',
                'ordering': ['kind'],
            },
        ),
        migrations.CreateModel(
            name='ComplaintEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('from_status', models.CharField(blank=True, choices=[('open', 'Open'), ('in_progress', 'In progress'), ('resolved', 'Resolved'), ('rejected', 'Rejected')], max_length=12, verbose_name='from')),
                ('to_status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('resolved', 'Resolved'), ('rejected', 'Rejected')], max_length=12, verbose_name='to')),
                ('note', models.CharField(blank=True, max_length=255, verbose_name='note')),
            ],
            options={
                'verbose_name': 'complaint event',
                'verbose_name_plural': 'complaint events',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='complaint',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='referrals.case', verbose_name='case'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='due_on',
            field=models.DateField(help_text='Set when the complaint is received, from the days of its kind.', null=True, verbose_name='due on'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='ticket',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='complaints', to='desks.ticket', verbose_name='visit (queue ticket)'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('status__in', ['open', 'in_progress'])), fields=['due_on'], name='complaint_open_due_idx'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['created_at'], name='complaint_created_idx'),
        ),
        migrations.AddConstraint(
            model_name='complaintdeadline',
            constraint=models.CheckConstraint(condition=models.Q(('days__gte', 1)), name='complaint_deadline_days_positive'),
        ),
        migrations.AddField(
            model_name='complaintevent',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='complaintevent',
            name='complaint',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='clients.complaint', verbose_name='complaint'),
        ),
        migrations.RunSQL(
            sql="""
            INSERT INTO clients_complaintdeadline (kind, days, settled_by_decree) VALUES
                ('not_in_database', 90, true), ('wrong_data', 30, false), ('service_complaint', 14, false)
            ON CONFLICT (kind) DO NOTHING;
            UPDATE clients_complaint c
               SET due_on = (c.created_at AT TIME ZONE 'Asia/Makassar')::date + d.days
              FROM clients_complaintdeadline d WHERE d.kind = c.kind;
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='complaint',
            name='due_on',
            field=models.DateField(help_text='Set when the complaint is received, from the days of its kind.', verbose_name='due on'),
        ),
        # after the ALTER: rows inserted with a foreign key before it would leave trigger events pending
        migrations.RunSQL(
            sql="""
            INSERT INTO clients_complaintevent (complaint_id, at, from_status, to_status, by_id, note)
            SELECT id, created_at, '', 'open', received_by_id, '' FROM clients_complaint;
            INSERT INTO clients_complaintevent (complaint_id, at, from_status, to_status, by_id, note)
            SELECT id, resolved_at, '', status, resolved_by_id, '' FROM clients_complaint
             WHERE status IN ('resolved', 'rejected') AND resolved_at IS NOT NULL;
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
