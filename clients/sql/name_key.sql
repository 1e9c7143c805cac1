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
