from django.db import migrations

import clients.models

# clients/sql/name_key.sql (a file since removed) as it was at commit ffdbcb8, when this
# migration was written: a migration keeps the SQL of its own time.
NAME_KEY_SQL = r"""
-- pandu_name_key(text): the one normaliser of person names for fuzzy search.
-- clients_person.name_key holds it (kept by the trigger in person_name_key.sql) and every query
-- goes through it, so a name typed in old spelling, with titles or a variant of Muhammad meets
-- its record.
-- IMMUTABLE (unaccent() itself is only STABLE because its dictionary could change; we pin the
-- dictionary by name and schema), so the planner folds it into a query's constants. Every call
-- names its schema: pg_restore runs with an empty search_path.
--
-- Two steps: the whole name becomes words (pandu_name_words), then each word becomes its key on
-- its own (pandu_name_word_key), and the keys that are left are joined by one space
-- (pandu_name_key_join). pandu_name_key is exactly that composition, so the registry import
-- computes each distinct word's key once and joins them per distinct name
-- (clients/registry/fast.py) and gets the same keys. A rule that looks across words belongs in
-- pandu_name_words.
CREATE OR REPLACE FUNCTION pandu_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

-- The name's words: lower case, no accents, degrees after a comma, apostrophes, abbreviated
-- Muhammad and degree tokens handled; what is left is runs of the letters a-z.
CREATE OR REPLACE FUNCTION pandu_name_words(name text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    s text := lower(public.pandu_unaccent(name));
BEGIN
    -- A name of letters and single spaces (most names) has nothing for the rules below.
    IF s ~ '[^a-z ]' OR strpos(s, '  ') > 0 THEN
        -- academic degrees follow a comma: "Ahmad, S.Pd., M.Si."
        s := regexp_replace(s, ',.*$', '');
        s := regexp_replace(s, '[''`]', '', 'g');  -- Nur'aini = Nuraini
        -- abbreviated Muhammad, before the dots go: "M. Yusuf", "Moh. Amin", "Muh.Ali"
        s := regexp_replace(s, '(^|[^a-z])(m|mh|md|mhd|moh|mohd|moch|mochd|muh|much|mch)\.\s*', '\1muhamad ', 'g');
        -- degree tokens written without a comma: S.Pd, S.E., A.Md, M.Si
        s := regexp_replace(s, '(^|\s)[a-z]{1,2}\.[a-z]{1,4}\.?(?=\s|$)', ' ', 'g');
        s := regexp_replace(s, '[^a-z]+', ' ', 'g');
    END IF;
    RETURN string_to_array(btrim(s), ' ');
END
$$;

-- One word's key; '' for a title before the name or "bin"/"binti" before the father's name.
CREATE OR REPLACE FUNCTION pandu_name_word_key(word text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    w text := word;
BEGIN
    IF w IN ('h', 'hj', 'haji', 'hajjah', 'drs', 'dra', 'dr', 'ir', 'prof', 'kh', 'ust', 'ustad',
             'ustadz', 'ustadzah', 'bpk', 'ibu', 'bin', 'binti', 'bt') THEN
        RETURN '';
    END IF;
    -- the spellings of Muhammad and Ahmad, before the old-spelling rules touch them
    IF w ~ '^m[ou]c?h?k?h?a+m+[ae]+d+$' OR w IN ('mhd', 'muh', 'moh', 'mohd', 'moch', 'much', 'md') THEN
        w := 'muhamad';
    ELSIF w ~ '^a[ck]?h+mad$' THEN
        w := 'ahmad';
    END IF;
    -- old (pre-1972) spellings; dj→j before nj→ny keeps "Bandjar" equal to "Banjar"
    w := replace(w, 'oe', 'u');
    w := replace(w, 'dj', 'j');
    w := replace(w, 'tj', 'c');
    w := replace(w, 'nj', 'ny');
    w := replace(w, 'sj', 'sy');
    w := replace(w, 'ch', 'kh');
    -- doubled letters (Sitti, Muhammad), a final y as i (Rizky = Rizki)
    w := regexp_replace(w, '([a-z])\1+', '\1', 'g');
    IF right(w, 1) = 'y' THEN
        w := left(w, -1) || 'i';
    END IF;
    RETURN w;
END
$$;

-- The words' keys, in the name's order, without the empty ones, joined by one space.
CREATE OR REPLACE FUNCTION pandu_name_key_join(keys text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN array_to_string(array_remove(keys, ''), ' ');

CREATE OR REPLACE FUNCTION pandu_name_key(name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    word text;
    keys text[] := '{}';
BEGIN
    FOREACH word IN ARRAY public.pandu_name_words(name) LOOP
        keys := keys || public.pandu_name_word_key(word);
    END LOOP;
    RETURN public.pandu_name_key_join(keys);
END
$$;
"""

# clients/sql/person_name_key.sql (a file since removed) as it was at commit ffdbcb8, when this
# migration was written: a migration keeps the SQL of its own time.
PERSON_NAME_KEY_SQL = """\
-- clients_person.name_key = pandu_name_key(full_name), kept by a row trigger (it was a generated
-- column until migration 0011). Whatever a statement writes into name_key, the trigger
-- recomputes it from full_name, except:
-- * an UPDATE that changes neither full_name nor name_key keeps the stored key;
-- * while the setting pandu.name_keys_given is 'on' (set for one statement, inside its
--   transaction, by the registry import: clients/registry/fast.py), the key given is kept. The
--   import computes those keys with pandu_name_key's own parts, once per distinct word of its
--   names, instead of once per row.
-- After a change of pandu_name_key's rules, `UPDATE clients_person SET name_key = NULL` sets
-- every key again.
CREATE OR REPLACE FUNCTION pandu_person_name_key() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.full_name IS NOT DISTINCT FROM OLD.full_name
            AND NEW.name_key IS NOT DISTINCT FROM OLD.name_key THEN
        RETURN NEW;
    END IF;
    IF NEW.name_key IS NOT NULL AND current_setting('pandu.name_keys_given', true) = 'on' THEN
        RETURN NEW;
    END IF;
    NEW.name_key := public.pandu_name_key(NEW.full_name);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS person_name_key ON clients_person;
CREATE TRIGGER person_name_key BEFORE INSERT OR UPDATE OF full_name, name_key ON clients_person
    FOR EACH ROW EXECUTE FUNCTION pandu_person_name_key();
"""

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
