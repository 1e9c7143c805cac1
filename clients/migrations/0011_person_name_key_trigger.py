from pathlib import Path

from django.db import migrations

import clients.models

SQL = Path(__file__).resolve().parent.parent / "sql"
NAME_KEY_SQL = (SQL / "name_key.sql").read_text()
PERSON_NAME_KEY_SQL = (SQL / "person_name_key.sql").read_text()

FORWARD = f"""
ALTER TABLE clients_person ALTER COLUMN name_key DROP EXPRESSION;
ALTER TABLE clients_person ALTER COLUMN name_key SET NOT NULL;
{NAME_KEY_SQL}
{PERSON_NAME_KEY_SQL}
"""

BACKWARD = """
DROP TRIGGER IF EXISTS person_name_key ON clients_person;
DROP FUNCTION IF EXISTS pandu_person_name_key();
ALTER TABLE clients_person DROP COLUMN name_key;
ALTER TABLE clients_person ADD COLUMN name_key text GENERATED ALWAYS AS (pandu_name_key(full_name::text)) STORED;
CREATE INDEX person_name_key_trgm ON clients_person USING gin (length(name_key), name_key gin_trgm_ops);
CREATE INDEX person_name_key_id_idx ON clients_person (name_key, id);
"""


class Migration(migrations.Migration):
    """Person.name_key stops being a generated column: a row trigger keeps it instead, so the
    registry import can give keys it computed once per distinct word (a generated column is
    computed for every row, about 30 µs each). The stored keys, the indexes on them and the
    search triggers stay as they are; pandu_name_key is rewritten as words → word keys → joined,
    with the same results."""

    dependencies = [("clients", "0010_person_anonymisation")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="name_key",
                    field=clients.models.NameKeyField(blank=True, default="", editable=False),
                ),
            ],
            database_operations=[migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)],
        ),
    ]
