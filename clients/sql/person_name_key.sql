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
