"""Gap-free numbering belongs to the core (pandu): complaints in clients number with it too.
The table is renamed and the model is taken over by pandu's migration 0004 (state only)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('desks', '0002_queue'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='NumberSequence')],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE desks_numbersequence RENAME TO pandu_numbersequence",
                    "ALTER TABLE pandu_numbersequence RENAME TO desks_numbersequence",
                ),
            ],
        ),
    ]
