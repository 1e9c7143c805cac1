-- Keep clients_searchname (each distinct person name_key once) in step with clients_person.
-- Statement-level triggers with transition tables: one INSERT ... SELECT DISTINCT per statement,
-- so a COPY or bulk import of a million persons adds its names in one go.
CREATE OR REPLACE FUNCTION pandu_add_search_names() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clients_searchname (key)
        SELECT DISTINCT name_key FROM new_persons WHERE name_key IS NOT NULL AND name_key <> ''
        ON CONFLICT (key) DO NOTHING;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS person_search_names_insert ON clients_person;
CREATE TRIGGER person_search_names_insert AFTER INSERT ON clients_person
    REFERENCING NEW TABLE AS new_persons FOR EACH STATEMENT EXECUTE FUNCTION pandu_add_search_names();

DROP TRIGGER IF EXISTS person_search_names_update ON clients_person;
CREATE TRIGGER person_search_names_update AFTER UPDATE ON clients_person
    REFERENCING NEW TABLE AS new_persons FOR EACH STATEMENT EXECUTE FUNCTION pandu_add_search_names();

INSERT INTO clients_searchname (key)
    SELECT DISTINCT name_key FROM clients_person WHERE name_key IS NOT NULL AND name_key <> ''
    ON CONFLICT (key) DO NOTHING;
