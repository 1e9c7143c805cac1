"""Emptying the persons (TRUNCATE, which fires no row trigger) empties the search names and words.

The names and words are added when persons are written and never removed by those triggers;
after a TRUNCATE of the persons every one of them belonged to nobody, and a search still ranked
them (the registry import's benchmark truncates 1,000,000 persons and left 345,241 such names:
"siti aminah" then ranked the 29,707 names holding "siti" instead of the 11,676 anyone held).
Names left by renames, merges and removals one at a time are forgotten by the nightly
``search_names_prune_nightly``."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION pandu_search_names_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_searchname;
    DELETE FROM clients_searchword;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS clients_person_search_names_after_truncate ON clients_person;
CREATE TRIGGER clients_person_search_names_after_truncate AFTER TRUNCATE ON clients_person
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_search_names_after_truncate();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS clients_person_search_names_after_truncate ON clients_person;
DROP FUNCTION IF EXISTS pandu_search_names_after_truncate();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0023_pmks_households"),
    ]

    operations = [
        migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL),
    ]
