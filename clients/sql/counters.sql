-- Exact counters for the dashboard and the home pages, kept by statement-level triggers with
-- transition tables: one grouped upsert per statement, so a bulk import moves them in a few
-- statements and a single registration in one row each.
--
--   clients_registrycount (village, registry_status, registry_source) -> households, persons
--   clients_pmkscount     (category, village)                         -> living persons
--
-- Persons without a household count in the cell without a village (status and source '').
-- Every upsert is grouped and ordered by its cell, so two transactions touching the same cells
-- lock them in the same order and cannot deadlock each other.

-- Add signed deltas to the registry cells: rows of (village_id, registry_status, registry_source,
-- households, persons) as a JSON array, so every trigger branch shares one ordered upsert.
CREATE OR REPLACE FUNCTION pandu_registry_count_add(deltas jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO clients_registrycount AS c (village_id, registry_status, registry_source, households, persons)
    SELECT d.village_id, d.registry_status, d.registry_source, sum(d.households), sum(d.persons)
    FROM jsonb_to_recordset(deltas) AS d(village_id bigint, registry_status text, registry_source text,
                                        households integer, persons integer)
    GROUP BY 1, 2, 3
    HAVING sum(d.households) <> 0 OR sum(d.persons) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (village_id, registry_status, registry_source)
        DO UPDATE SET households = c.households + EXCLUDED.households, persons = c.persons + EXCLUDED.persons;
$$;

CREATE OR REPLACE FUNCTION pandu_pmks_count_add(deltas jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO clients_pmkscount AS c (category_id, village_id, persons)
    SELECT d.category_id, d.village_id, sum(d.persons)
    FROM jsonb_to_recordset(deltas) AS d(category_id bigint, village_id bigint, persons integer)
    GROUP BY 1, 2
    HAVING sum(d.persons) <> 0
    ORDER BY 1, 2
    ON CONFLICT (category_id, village_id) DO UPDATE SET persons = c.persons + EXCLUDED.persons;
$$;

-- Households: created, changed (village, status or source: the household and its members move
-- to another cell, and their PMKS categories to another village), deleted.
CREATE OR REPLACE FUNCTION pandu_count_households() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO clients_registrycount AS c (village_id, registry_status, registry_source, households, persons)
        SELECT village_id, registry_status, registry_source, count(*), 0 FROM new_households
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (village_id, registry_status, registry_source)
            DO UPDATE SET households = c.households + EXCLUDED.households;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pandu_registry_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            WITH moved AS (
                SELECT o.id, o.village_id AS old_village, o.registry_status AS old_status,
                       o.registry_source AS old_source, n.village_id, n.registry_status, n.registry_source
                FROM old_households o JOIN new_households n ON n.id = o.id
                WHERE (o.village_id, o.registry_status, o.registry_source)
                      IS DISTINCT FROM (n.village_id, n.registry_status, n.registry_source)
            ), members AS (
                SELECT p.household_id, count(*)::integer AS n FROM clients_person p
                WHERE p.household_id IN (SELECT id FROM moved) GROUP BY 1
            )
            SELECT m.old_village AS village_id, m.old_status AS registry_status, m.old_source AS registry_source,
                   -1 AS households, -coalesce(k.n, 0) AS persons
            FROM moved m LEFT JOIN members k ON k.household_id = m.id
            UNION ALL
            SELECT m.village_id, m.registry_status, m.registry_source, 1, coalesce(k.n, 0)
            FROM moved m LEFT JOIN members k ON k.household_id = m.id
        ) d;
        PERFORM pandu_pmks_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            WITH moved AS (
                SELECT o.id, o.village_id AS old_village, n.village_id
                FROM old_households o JOIN new_households n ON n.id = o.id
                WHERE o.village_id IS DISTINCT FROM n.village_id
            ), links AS (
                SELECT l.pmkscategory_id AS category_id, m.old_village, m.village_id
                FROM moved m JOIN clients_person p ON p.household_id = m.id AND p.life_status = 'active'
                JOIN clients_person_pmks_categories l ON l.person_id = p.id
            )
            SELECT category_id, old_village AS village_id, -1 AS persons FROM links
            UNION ALL SELECT category_id, village_id, 1 FROM links
        ) d;
    ELSE
        -- Members are moved or deleted before (households are PROTECTed), so this is the
        -- household alone; any member left would fail the foreign key at commit anyway.
        PERFORM pandu_registry_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            SELECT village_id, registry_status, registry_source, -1 AS households, 0 AS persons
            FROM old_households
        ) d;
    END IF;
    RETURN NULL;
END
$$;

-- Persons: the registry cell is the household's; the PMKS cells are the household's village,
-- for living persons only.
CREATE OR REPLACE FUNCTION pandu_count_persons() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO clients_registrycount AS c (village_id, registry_status, registry_source, households, persons)
        SELECT h.village_id, coalesce(h.registry_status, ''), coalesce(h.registry_source, ''), 0, count(*)
        FROM new_persons p LEFT JOIN clients_household h ON h.id = p.household_id
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (village_id, registry_status, registry_source)
            DO UPDATE SET persons = c.persons + EXCLUDED.persons;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pandu_registry_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            WITH moved AS (
                SELECT o.household_id AS old_household, n.household_id
                FROM old_persons o JOIN new_persons n ON n.id = o.id
                WHERE o.household_id IS DISTINCT FROM n.household_id
            )
            SELECT h.village_id, coalesce(h.registry_status, '') AS registry_status,
                   coalesce(h.registry_source, '') AS registry_source, 0 AS households, -1 AS persons
            FROM moved m LEFT JOIN clients_household h ON h.id = m.old_household
            UNION ALL
            SELECT h.village_id, coalesce(h.registry_status, ''), coalesce(h.registry_source, ''), 0, 1
            FROM moved m LEFT JOIN clients_household h ON h.id = m.household_id
        ) d;
        PERFORM pandu_pmks_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            WITH changed AS (
                SELECT n.id, o.household_id AS old_household, o.life_status = 'active' AS was_living,
                       n.household_id, n.life_status = 'active' AS living
                FROM old_persons o JOIN new_persons n ON n.id = o.id
                WHERE (o.household_id, o.life_status) IS DISTINCT FROM (n.household_id, n.life_status)
            )
            SELECT l.pmkscategory_id AS category_id, h.village_id, -1 AS persons
            FROM changed c JOIN clients_person_pmks_categories l ON l.person_id = c.id
            LEFT JOIN clients_household h ON h.id = c.old_household WHERE c.was_living
            UNION ALL
            SELECT l.pmkscategory_id, h.village_id, 1
            FROM changed c JOIN clients_person_pmks_categories l ON l.person_id = c.id
            LEFT JOIN clients_household h ON h.id = c.household_id WHERE c.living
        ) d;
    ELSE
        PERFORM pandu_registry_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            SELECT h.village_id, coalesce(h.registry_status, '') AS registry_status,
                   coalesce(h.registry_source, '') AS registry_source, 0 AS households, -1 AS persons
            FROM old_persons p LEFT JOIN clients_household h ON h.id = p.household_id
        ) d;
        -- Category links still pointing at a deleted person are counted off here; links
        -- deleted first (as Django does) were counted off by their own trigger.
        PERFORM pandu_pmks_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            SELECT l.pmkscategory_id AS category_id, h.village_id, -1 AS persons
            FROM old_persons p JOIN clients_person_pmks_categories l ON l.person_id = p.id
            LEFT JOIN clients_household h ON h.id = p.household_id
            WHERE p.life_status = 'active'
        ) d;
    END IF;
    RETURN NULL;
END
$$;

-- Category links: a living person's link counts in their household's village.
CREATE OR REPLACE FUNCTION pandu_count_pmks_links() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pandu_pmks_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            SELECT l.pmkscategory_id AS category_id, h.village_id, -1 AS persons
            FROM old_links l JOIN clients_person p ON p.id = l.person_id AND p.life_status = 'active'
            LEFT JOIN clients_household h ON h.id = p.household_id
        ) d;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM pandu_pmks_count_add(coalesce(jsonb_agg(d), '[]')) FROM (
            SELECT l.pmkscategory_id AS category_id, h.village_id, 1 AS persons
            FROM new_links l JOIN clients_person p ON p.id = l.person_id AND p.life_status = 'active'
            LEFT JOIN clients_household h ON h.id = p.household_id
        ) d;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS household_count_insert ON clients_household;
CREATE TRIGGER household_count_insert AFTER INSERT ON clients_household
    REFERENCING NEW TABLE AS new_households FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_households();
DROP TRIGGER IF EXISTS household_count_update ON clients_household;
CREATE TRIGGER household_count_update AFTER UPDATE ON clients_household
    REFERENCING OLD TABLE AS old_households NEW TABLE AS new_households
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_households();
DROP TRIGGER IF EXISTS household_count_delete ON clients_household;
CREATE TRIGGER household_count_delete AFTER DELETE ON clients_household
    REFERENCING OLD TABLE AS old_households FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_households();

DROP TRIGGER IF EXISTS person_count_insert ON clients_person;
CREATE TRIGGER person_count_insert AFTER INSERT ON clients_person
    REFERENCING NEW TABLE AS new_persons FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_persons();
DROP TRIGGER IF EXISTS person_count_update ON clients_person;
CREATE TRIGGER person_count_update AFTER UPDATE ON clients_person
    REFERENCING OLD TABLE AS old_persons NEW TABLE AS new_persons
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_persons();
DROP TRIGGER IF EXISTS person_count_delete ON clients_person;
CREATE TRIGGER person_count_delete AFTER DELETE ON clients_person
    REFERENCING OLD TABLE AS old_persons FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_persons();

DROP TRIGGER IF EXISTS pmks_link_count_insert ON clients_person_pmks_categories;
CREATE TRIGGER pmks_link_count_insert AFTER INSERT ON clients_person_pmks_categories
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_links();
DROP TRIGGER IF EXISTS pmks_link_count_update ON clients_person_pmks_categories;
CREATE TRIGGER pmks_link_count_update AFTER UPDATE ON clients_person_pmks_categories
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_links();
DROP TRIGGER IF EXISTS pmks_link_count_delete ON clients_person_pmks_categories;
CREATE TRIGGER pmks_link_count_delete AFTER DELETE ON clients_person_pmks_categories
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_links();

-- What the counters must hold, counted from the rows: the migration's start, `manage.py
-- recount` (repairs) and `manage.py recount --check` (compares) read these views
-- (pandu/counters.py).
CREATE OR REPLACE VIEW pandu_registry_recount AS
    SELECT village_id, registry_status, registry_source,
           sum(households)::integer AS households, sum(persons)::integer AS persons
    FROM (
        SELECT village_id, registry_status, registry_source, count(*) AS households, 0 AS persons
        FROM clients_household GROUP BY 1, 2, 3
        UNION ALL
        SELECT h.village_id, coalesce(h.registry_status, ''), coalesce(h.registry_source, ''), 0, count(*)
        FROM clients_person p LEFT JOIN clients_household h ON h.id = p.household_id GROUP BY 1, 2, 3
    ) cells GROUP BY 1, 2, 3;

CREATE OR REPLACE VIEW pandu_pmks_recount AS
    SELECT l.pmkscategory_id AS category_id, h.village_id, count(*)::integer AS persons
    FROM clients_person_pmks_categories l JOIN clients_person p ON p.id = l.person_id AND p.life_status = 'active'
    LEFT JOIN clients_household h ON h.id = p.household_id
    GROUP BY 1, 2;

-- Start from what is there.
DELETE FROM clients_registrycount;
INSERT INTO clients_registrycount (village_id, registry_status, registry_source, households, persons)
    SELECT village_id, registry_status, registry_source, households, persons FROM pandu_registry_recount;
DELETE FROM clients_pmkscount;
INSERT INTO clients_pmkscount (category_id, village_id, persons)
    SELECT category_id, village_id, persons FROM pandu_pmks_recount;
