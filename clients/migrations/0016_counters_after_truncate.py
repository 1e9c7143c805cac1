from django.db import migrations

# TRUNCATE fires no row or DELETE triggers, so the registry and PMKS counters (migration 0009,
# pandu/counters.py) are counted again from their views after any TRUNCATE of a table they
# count: a benchmark or an administrator emptying tables leaves them exact too.
#
# These triggers were installed by the project app's migration pandu 0003 (since removed) with
# one function for the clients' and the referrals' tables; each app now installs its own.
# Idempotent, so a database that applied pandu 0003 gets the same triggers, calling this
# function (referrals 0005 drops the old one once no trigger uses it).

SQL = """
CREATE OR REPLACE FUNCTION pandu_recount_registry_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME IN ('clients_household', 'clients_person') THEN
        DELETE FROM clients_registrycount;
        INSERT INTO clients_registrycount (village_id, registry_status, registry_source, households, persons)
            SELECT village_id, registry_status, registry_source, households, persons FROM pandu_registry_recount;
    END IF;
    DELETE FROM clients_pmkscount;
    INSERT INTO clients_pmkscount (category_id, village_id, persons)
        SELECT category_id, village_id, persons FROM pandu_pmks_recount;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS clients_household_recount_after_truncate ON clients_household;
CREATE TRIGGER clients_household_recount_after_truncate AFTER TRUNCATE ON clients_household
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_registry_after_truncate();

DROP TRIGGER IF EXISTS clients_person_recount_after_truncate ON clients_person;
CREATE TRIGGER clients_person_recount_after_truncate AFTER TRUNCATE ON clients_person
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_registry_after_truncate();

DROP TRIGGER IF EXISTS clients_person_pmks_categories_recount_after_truncate ON clients_person_pmks_categories;
CREATE TRIGGER clients_person_pmks_categories_recount_after_truncate AFTER TRUNCATE ON clients_person_pmks_categories
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_registry_after_truncate();
"""

REVERSE = """
DROP TRIGGER IF EXISTS clients_household_recount_after_truncate ON clients_household;
DROP TRIGGER IF EXISTS clients_person_recount_after_truncate ON clients_person;
DROP TRIGGER IF EXISTS clients_person_pmks_categories_recount_after_truncate ON clients_person_pmks_categories;
DROP FUNCTION IF EXISTS pandu_recount_registry_after_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("clients", "0015_household_kk_check_without_counted_repetition")]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
