"""The audit log belongs to the core (pandu), which every app may import: its table is renamed
and the model is taken over by pandu's migration 0004 (state only, no data moved)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0016_counters_after_truncate'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEvent')],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE clients_auditevent RENAME TO pandu_auditevent",
                    "ALTER TABLE pandu_auditevent RENAME TO clients_auditevent",
                ),
            ],
        ),
    ]
