from django.db import migrations

# clients/sql/search_words.sql (a file since removed) as it was at commit a936afa, when this
# migration was written: a migration keeps the SQL of its own time.
SEARCH_WORDS_SQL = """\
-- Keep clients_searchname (each distinct person name_key once) and clients_searchword (each
-- distinct word of those names once) in step with clients_person. Statement-level triggers with
-- transition tables (created in search_names.sql): one INSERT ... SELECT DISTINCT per statement,
-- so a COPY or bulk import of a million persons adds its names and words in one go.
-- Names already there are left out before the insert (cheaper than a conflict each); ON CONFLICT
-- names no index, so that a big registry import may load clients_searchname while its unique
-- constraint is dropped and built again (clients/registry/bulk.py; it holds the table's lock).
CREATE OR REPLACE FUNCTION pandu_add_search_names() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    WITH added AS (
        INSERT INTO clients_searchname (key)
            SELECT DISTINCT n.name_key FROM new_persons n
            WHERE n.name_key IS NOT NULL AND n.name_key <> ''
              AND NOT EXISTS (SELECT 1 FROM clients_searchname s WHERE s.key = n.name_key)
            ON CONFLICT DO NOTHING
            RETURNING words
    )
    INSERT INTO clients_searchword (word)
        SELECT DISTINCT word FROM added, unnest(added.words) AS word WHERE word <> ''
        ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END
$$;

INSERT INTO clients_searchword (word)
    SELECT DISTINCT word FROM clients_searchname, unnest(words) AS word WHERE word <> ''
    ON CONFLICT (word) DO NOTHING;
"""


class Migration(migrations.Migration):
    """The persons' search-name trigger leaves out the names already there and names no conflict
    target, so a big registry import can rebuild clients_searchname's unique constraint."""

    dependencies = [("clients", "0011_person_name_key_trigger")]

    operations = [migrations.RunSQL(SEARCH_WORDS_SQL, reverse_sql=migrations.RunSQL.noop)]
