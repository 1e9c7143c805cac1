"""Open referrals per provider and due date, for the home pages' "overdue".

Every home page showed the open referrals (from ``referrals_referralmonth``) and how many of them
are overdue, which it counted as the open ones minus those due today or later: an index scan of
every open referral not yet due, 8 ms of a front-desk home page's 26 at 500,000 referrals.
``referrals_referralopendue`` holds the open referrals per (provider, due date): a few hundred
cells. Kept like the other counters: statement-level triggers with transition tables, one
grouped upsert per statement ordered by cell, a view counting the same from the rows
(``manage.py recount --check``), counted again after a TRUNCATE."""

import django.db.models.deletion
from django.db import migrations, models


OPEN = "status IN ('sent', 'received', 'accepted', 'returned')"


def _upsert(cells: str) -> str:
    return ("INSERT INTO referrals_referralopendue AS c (provider_id, due_on, referrals)"
            f" SELECT provider_id, due_on, sum(n) FROM ({cells}) cells GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2"
            " ON CONFLICT (provider_id, due_on) DO UPDATE SET referrals = c.referrals + EXCLUDED.referrals;")


def _cells(rows: str, sign: str) -> str:
    return f"SELECT provider_id, due_on, {sign}1 AS n FROM {rows} WHERE {OPEN}"


SQL = f"""
CREATE OR REPLACE VIEW pandu_referral_open_due_recount AS
    SELECT provider_id, due_on, count(*)::integer AS referrals FROM referrals_referral WHERE {OPEN}
    GROUP BY provider_id, due_on;

CREATE OR REPLACE FUNCTION pandu_count_referral_open_due() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(_cells("new_referrals", ""))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_upsert(_cells("old_referrals", "-") + " UNION ALL " + _cells("new_referrals", ""))}
    ELSE
        {_upsert(_cells("old_referrals", "-"))}
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION pandu_recount_referral_open_due_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_referralopendue;
    INSERT INTO referrals_referralopendue (provider_id, due_on, referrals)
        SELECT provider_id, due_on, referrals FROM pandu_referral_open_due_recount;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS referral_open_due_insert ON referrals_referral;
CREATE TRIGGER referral_open_due_insert AFTER INSERT ON referrals_referral
    REFERENCING NEW TABLE AS new_referrals FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_referral_open_due();
DROP TRIGGER IF EXISTS referral_open_due_update ON referrals_referral;
CREATE TRIGGER referral_open_due_update AFTER UPDATE ON referrals_referral
    REFERENCING OLD TABLE AS old_referrals NEW TABLE AS new_referrals FOR EACH STATEMENT
    EXECUTE FUNCTION pandu_count_referral_open_due();
DROP TRIGGER IF EXISTS referral_open_due_delete ON referrals_referral;
CREATE TRIGGER referral_open_due_delete AFTER DELETE ON referrals_referral
    REFERENCING OLD TABLE AS old_referrals FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_referral_open_due();
DROP TRIGGER IF EXISTS referrals_referral_open_due_recount_after_truncate ON referrals_referral;
CREATE TRIGGER referrals_referral_open_due_recount_after_truncate AFTER TRUNCATE ON referrals_referral
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_referral_open_due_after_truncate();

-- Start from what is there.
INSERT INTO referrals_referralopendue (provider_id, due_on, referrals)
    SELECT provider_id, due_on, referrals FROM pandu_referral_open_due_recount;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS referral_open_due_insert ON referrals_referral;
DROP TRIGGER IF EXISTS referral_open_due_update ON referrals_referral;
DROP TRIGGER IF EXISTS referral_open_due_delete ON referrals_referral;
DROP TRIGGER IF EXISTS referrals_referral_open_due_recount_after_truncate ON referrals_referral;
DROP FUNCTION IF EXISTS pandu_count_referral_open_due();
DROP FUNCTION IF EXISTS pandu_recount_referral_open_due_after_truncate();
DROP VIEW IF EXISTS pandu_referral_open_due_recount;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('desks', '0011_service_programme'),
        ('referrals', '0014_served_persons'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferralOpenDue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_on', models.DateField(null=True)),
                ('referrals', models.IntegerField(default=0)),
                ('provider', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='desks.provider')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('provider', 'due_on'), name='referral_open_due_cell', nulls_distinct=False)],
            },
        ),
        migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL),
    ]
