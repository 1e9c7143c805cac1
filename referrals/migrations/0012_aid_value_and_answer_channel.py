"""What a grant was given as, and how an answer arrived, kept on the referral.

- ``aid_kind``: in rupiah (its value) or in kind (described in the outcome detail). The grants
  recorded with a value so far were given in rupiah. An index of the grants by completion time
  serves the totals of the dashboard and the monthly report.
- ``answer_channel``: the channel of the event that completed or rejected the referral, read so far
  from the timeline for each answered referral (the dashboard's "how the answers arrived"); now
  kept when it closes, and in the covering index of the answered referrals.
- ``days_to_close``: days from sending to closing, a stored generated column, in the covering
  indexes of the completed and the answered referrals (the dashboard's medians sort it).
- indexes of the cases and the visits by day, for the persons served and the pathways."""

import django.db.models.expressions
from django.db import migrations, models
from django.db.models import Q

ANSWER_CHANNEL_SQL = """
UPDATE referrals_referral r SET answer_channel = coalesce((
    SELECT e.channel FROM referrals_referralevent e
    WHERE e.referral_id = r.id AND e.to_status = r.status AND e.action IN ('complete', 'reject')
    ORDER BY e.at DESC, e.id DESC LIMIT 1), '')
WHERE r.status IN ('completed', 'rejected')
"""


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0011_eligibility_override'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='aid_kind',
            field=models.CharField(blank=True, choices=[('money', 'In rupiah'), ('in_kind', 'In kind')], db_default='', default='', help_text='In rupiah (the value) or in kind (described in the outcome detail).', max_length=8, verbose_name='aid given'),
        ),
        migrations.RunSQL(
            "UPDATE referrals_referral SET aid_kind = 'money' WHERE aid_value IS NOT NULL AND outcome = 'granted'",
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name='referral',
            constraint=models.CheckConstraint(condition=Q(Q(aid_kind='', aid_value__isnull=True), Q(aid_kind='money', aid_value__isnull=False, outcome='granted'), Q(aid_kind='in_kind', aid_value__isnull=True, outcome='granted'), _connector='OR'), name='referral_aid_kind_and_value'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=Q(outcome='granted', status='completed'), fields=['closed_at'], include=['provider', 'service', 'kecamatan', 'aid_kind', 'aid_value'], name='referral_granted_idx'),
        ),
        migrations.AddField(
            model_name='referral',
            name='answer_channel',
            field=models.CharField(blank=True, db_default='', default='', editable=False, help_text='How the answer that closed it (completed or rejected) arrived: the channel of that event.', max_length=10, verbose_name='answer arrived'),
        ),
        migrations.RunSQL(ANSWER_CHANNEL_SQL, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name='referral',
            name='referral_completed_idx',
        ),
        migrations.RemoveIndex(
            model_name='referral',
            name='referral_answered_idx',
        ),
        migrations.AddField(
            model_name='referral',
            name='days_to_close',
            field=models.GeneratedField(db_persist=True, expression=models.Func(django.db.models.expressions.CombinedExpression(models.F('closed_at'), '-', models.F('sent_at')), output_field=models.FloatField(), template="date_part('epoch', %(expressions)s) / 86400"), output_field=models.FloatField(), verbose_name='days from sending to closing'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=Q(status='completed'), fields=['created_at'], include=['provider', 'service', 'kecamatan', 'days_to_close'], name='referral_completed_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=Q(status__in=('completed', 'rejected')), fields=['created_at'], include=['provider', 'kecamatan', 'answer_channel', 'days_to_close'], name='referral_answered_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['created_at'], include=['person', 'pathway'], name='case_created_idx'),
        ),
    ]
