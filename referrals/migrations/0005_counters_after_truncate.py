from django.db import migrations

# TRUNCATE fires no row or DELETE triggers, so the referrals' monthly counter (migration 0003,
# pandu/counters.py) is counted again from its view after a TRUNCATE of the referrals.
#
# This trigger was installed by the project app's migration pandu 0003 (since removed) with one
# function for the clients' and the referrals' tables; each app now installs its own (clients
# 0016 for its tables). Idempotent, so a database that applied pandu 0003 gets the same trigger
# calling this function, and the old function, which no trigger uses any more, goes.
SQL = """
CREATE OR REPLACE FUNCTION pandu_recount_referrals_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_referralmonth;
    INSERT INTO referrals_referralmonth (month, provider_id, service_id, kecamatan_id, status, granted,
                                         within_sla, referrals)
        SELECT month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals
        FROM pandu_referral_recount;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS referrals_referral_recount_after_truncate ON referrals_referral;
CREATE TRIGGER referrals_referral_recount_after_truncate AFTER TRUNCATE ON referrals_referral
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_referrals_after_truncate();

DROP FUNCTION IF EXISTS pandu_recount_after_truncate();
"""

REVERSE = """
DROP TRIGGER IF EXISTS referrals_referral_recount_after_truncate ON referrals_referral;
DROP FUNCTION IF EXISTS pandu_recount_referrals_after_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_files_removed_by_retention"),
        # on a database that applied pandu 0003, the clients' triggers leave the old function first
        ("clients", "0016_counters_after_truncate"),
    ]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
