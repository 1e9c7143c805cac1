from django.db import migrations

# clients/sql/name_key.sql (a file since removed) as it was at commit 96a4bf2, when this
# migration was written: a migration keeps the SQL of its own time.
NAME_KEY_SQL = r"""
-- pandu_name_key(text): the one normaliser of person names for fuzzy search.
-- Both the stored generated column clients_person.name_key and every query go through it,
-- so a name typed in old spelling, with titles or a variant of Muhammad meets its record.
-- IMMUTABLE (unaccent() itself is only STABLE because its dictionary could change; we pin the
-- dictionary by name and schema), so it can back a generated column and an index.
CREATE OR REPLACE FUNCTION pandu_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

CREATE OR REPLACE FUNCTION pandu_name_key(name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    s text := lower(public.pandu_unaccent(name));  -- qualified: pg_restore runs with an empty search_path
BEGIN
    -- academic degrees follow a comma: "Ahmad, S.Pd., M.Si."
    s := regexp_replace(s, ',.*$', '');
    s := regexp_replace(s, '[''`]', '', 'g');  -- Nur'aini = Nuraini
    -- abbreviated Muhammad, before the dots go: "M. Yusuf", "Moh. Amin", "Muh.Ali"
    s := regexp_replace(s, '(^|[^a-z])(m|mh|md|mhd|moh|mohd|moch|mochd|muh|much|mch)\.\s*', '\1muhamad ', 'g');
    -- degree tokens written without a comma: S.Pd, S.E., A.Md, M.Si
    s := regexp_replace(s, '(^|\s)[a-z]{1,2}\.[a-z]{1,4}\.?(?=\s|$)', ' ', 'g');
    s := regexp_replace(s, '[^a-z]+', ' ', 'g');
    -- titles before the name, and "bin"/"binti" before the father's name
    s := regexp_replace(s, '(^|\s)(h|hj|haji|hajjah|drs|dra|dr|ir|prof|kh|ust|ustad|ustadz|ustadzah|bpk|ibu|bin|binti|bt)(?=\s|$)', ' ', 'g');
    s := regexp_replace(s, '(^|\s)(h|hj|bin|binti)(?=\s|$)', ' ', 'g');  -- "H. Hj." twice in a row
    -- the spellings of Muhammad and Ahmad, before the old-spelling rules touch them
    s := regexp_replace(s, '(^|\s)m[ou]c?h?k?h?a+m+[ae]+d+(?=\s|$)', '\1muhamad', 'g');
    s := regexp_replace(s, '(^|\s)(mhd|muh|moh|mohd|moch|much|md)(?=\s|$)', '\1muhamad', 'g');
    s := regexp_replace(s, '(^|\s)a[ck]?h+mad(?=\s|$)', '\1ahmad', 'g');
    -- old (pre-1972) spellings; dj→j before nj→ny keeps "Bandjar" equal to "Banjar"
    s := replace(s, 'oe', 'u');
    s := replace(s, 'dj', 'j');
    s := replace(s, 'tj', 'c');
    s := replace(s, 'nj', 'ny');
    s := replace(s, 'sj', 'sy');
    s := replace(s, 'ch', 'kh');
    -- doubled letters (Sitti, Muhammad), a final y as i (Rizky = Rizki)
    s := regexp_replace(s, '([a-z])\1+', '\1', 'g');
    s := regexp_replace(s, 'y(?=\s|$)', 'i', 'g');
    RETURN btrim(regexp_replace(s, '\s+', ' ', 'g'));
END
$$;
"""


class Migration(migrations.Migration):
    """pandu_name_key calls public.pandu_unaccent by its schema, so a restore (pg_restore sets an
    empty search_path while it fills the generated column) finds it."""

    dependencies = [("clients", "0005_import_jobs")]

    operations = [migrations.RunSQL(NAME_KEY_SQL, reverse_sql=migrations.RunSQL.noop)]
