from django.db import migrations

# TRUNCATE fires no row or DELETE triggers, so the counters (pandu/counters.py) are counted
# again from their views after any TRUNCATE of a table they count: a benchmark or an
# administrator emptying tables leaves them exact too.
SQL = """
CREATE OR REPLACE FUNCTION pandu_recount_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME IN ('clients_household', 'clients_person') THEN
        DELETE FROM clients_registrycount;
        INSERT INTO clients_registrycount (village_id, registry_status, registry_source, households, persons)
            SELECT village_id, registry_status, registry_source, households, persons FROM pandu_registry_recount;
    END IF;
    IF TG_TABLE_NAME IN ('clients_household', 'clients_person', 'clients_person_pmks_categories') THEN
        DELETE FROM clients_pmkscount;
        INSERT INTO clients_pmkscount (category_id, village_id, persons)
            SELECT category_id, village_id, persons FROM pandu_pmks_recount;
    END IF;
    IF TG_TABLE_NAME = 'referrals_referral' THEN
        DELETE FROM referrals_referralmonth;
        INSERT INTO referrals_referralmonth (month, provider_id, service_id, kecamatan_id, status, granted,
                                             within_sla, referrals)
            SELECT month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals
            FROM pandu_referral_recount;
    END IF;
    RETURN NULL;
END
$$;
"""
TABLES = ("clients_household", "clients_person", "clients_person_pmks_categories", "referrals_referral")
SQL += "".join(
    f"DROP TRIGGER IF EXISTS {table}_recount_after_truncate ON {table};"
    f" CREATE TRIGGER {table}_recount_after_truncate AFTER TRUNCATE ON {table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_after_truncate();\n"
    for table in TABLES
)
REVERSE = "".join(f"DROP TRIGGER IF EXISTS {table}_recount_after_truncate ON {table};\n" for table in TABLES)
REVERSE += "DROP FUNCTION IF EXISTS pandu_recount_after_truncate();"


class Migration(migrations.Migration):
    dependencies = [
        ("pandu", "0002_account_security"),
        ("clients", "0010_person_anonymisation"),
        ("referrals", "0003_referral_months"),
    ]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
