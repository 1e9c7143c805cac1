"""The monthly reports' archive. An approved report is final: the database refuses to change or
delete its row, so data entered later never reaches a report that was sent."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import pandu.files
import pandu.office.models

# An approved report is final: the database refuses to change or delete it.
FINAL_SQL = """
CREATE FUNCTION office_monthly_report_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'the monthly report of % is approved: it is final', to_char(OLD.month, 'YYYY-MM');
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER office_monthly_report_no_change
    BEFORE UPDATE OR DELETE ON office_monthlyreport
    FOR EACH ROW EXECUTE FUNCTION office_monthly_report_final();
"""

FINAL_REVERSE = """
DROP TRIGGER IF EXISTS office_monthly_report_no_change ON office_monthlyreport;
DROP FUNCTION IF EXISTS office_monthly_report_final();
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlyReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('month', models.DateField(help_text='The first day of the month reported.', unique=True, verbose_name='month')),
                ('status', models.CharField(choices=[('queued', 'Being made'), ('draft', 'Draft'), ('approved', 'Approved'), ('failed', 'Could not be made')], default='queued', max_length=10, verbose_name='status')),
                ('figures', models.JSONField(blank=True, default=dict, help_text='Every figure of the report as it was made: the report is this.', verbose_name='figures')),
                ('pdf', models.FileField(blank=True, storage=pandu.files.private_files, upload_to=pandu.office.models.report_file_path, verbose_name='PDF')),
                ('xlsx', models.FileField(blank=True, storage=pandu.files.private_files, upload_to=pandu.office.models.report_file_path, verbose_name='XLSX')),
                ('made_at', models.DateTimeField(blank=True, null=True, verbose_name='made at')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('requested_by', models.ForeignKey(blank=True, help_text='Empty: made by the monthly job.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'monthly report',
                'verbose_name_plural': 'monthly reports',
                'ordering': ['-month'],
                'constraints': [models.CheckConstraint(condition=models.Q(('month__day', 1)), name='monthly_report_first_of_month'), models.CheckConstraint(condition=models.Q(('status', 'approved'), _negated=True) | models.Q(('approved_at__isnull', False), ('approved_by__isnull', False), ('made_at__isnull', False)), name='monthly_report_approved_by_whom')],
            },
        ),
        migrations.RunSQL(FINAL_SQL, FINAL_REVERSE),
    ]
