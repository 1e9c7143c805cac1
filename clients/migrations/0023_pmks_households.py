"""Living members per household and PMKS category, kept by triggers: the paper's Table 1 counts
*Keluarga Miskin* and *Komunitas Adat Terpencil* in households (KK), "a household with at least
one living member in the category", and the dashboard read that by looking up every such person.

``clients_pmkshousehold`` (category, household) -> living members in the category. A household
counts in a Table 1 row while its cell is above zero. Kept like the counters of migration 0009:
statement-level triggers with transition tables on the category links (a link added or removed)
and on the persons (one who moves to another household, dies or comes back); one grouped,
ordered upsert per statement. A view counts the same from the rows (``manage.py recount
--check``); after a TRUNCATE it is counted again."""

import django.db.models.deletion
from django.db import migrations, models

ADD = """
    INSERT INTO clients_pmkshousehold AS c (category_id, household_id, members)
    SELECT category_id, household_id, sum(members) FROM ({cells}) d
    GROUP BY 1, 2 HAVING sum(members) <> 0 ORDER BY 1, 2
    ON CONFLICT (category_id, household_id) DO UPDATE SET members = c.members + EXCLUDED.members;
"""
LINKS = """
    SELECT l.pmkscategory_id AS category_id, p.household_id, {sign}1 AS members
    FROM {links} l JOIN clients_person p ON p.id = l.person_id
    WHERE p.life_status = 'active' AND p.household_id IS NOT NULL
"""
# The persons whose household or life changed: off where they counted, on where they count now.
MOVED = """
    SELECT l.pmkscategory_id AS category_id, o.household_id, -1 AS members
    FROM old_persons o JOIN new_persons n ON n.id = o.id
    JOIN clients_person_pmks_categories l ON l.person_id = o.id
    WHERE (o.household_id, o.life_status) IS DISTINCT FROM (n.household_id, n.life_status)
      AND o.life_status = 'active' AND o.household_id IS NOT NULL
    UNION ALL
    SELECT l.pmkscategory_id, n.household_id, 1
    FROM old_persons o JOIN new_persons n ON n.id = o.id
    JOIN clients_person_pmks_categories l ON l.person_id = n.id
    WHERE (o.household_id, o.life_status) IS DISTINCT FROM (n.household_id, n.life_status)
      AND n.life_status = 'active' AND n.household_id IS NOT NULL
"""
DELETED = """
    SELECT l.pmkscategory_id AS category_id, o.household_id, -1 AS members
    FROM old_persons o JOIN clients_person_pmks_categories l ON l.person_id = o.id
    WHERE o.life_status = 'active' AND o.household_id IS NOT NULL
"""

SQL = f"""
CREATE OR REPLACE FUNCTION pandu_count_pmks_households_links() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {ADD.format(cells=LINKS.format(sign="-", links="old_links"))}
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {ADD.format(cells=LINKS.format(sign="", links="new_links"))}
    END IF;
    RETURN NULL;
END
$$;

-- A person's links count in their household while they live; links still pointing at a deleted
-- person are counted off here (links deleted first, as Django does, by their own trigger).
CREATE OR REPLACE FUNCTION pandu_count_pmks_households_persons() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        {ADD.format(cells=MOVED)}
    ELSE
        {ADD.format(cells=DELETED)}
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS pmks_household_link_insert ON clients_person_pmks_categories;
CREATE TRIGGER pmks_household_link_insert AFTER INSERT ON clients_person_pmks_categories
    REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_households_links();
DROP TRIGGER IF EXISTS pmks_household_link_update ON clients_person_pmks_categories;
CREATE TRIGGER pmks_household_link_update AFTER UPDATE ON clients_person_pmks_categories
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_households_links();
DROP TRIGGER IF EXISTS pmks_household_link_delete ON clients_person_pmks_categories;
CREATE TRIGGER pmks_household_link_delete AFTER DELETE ON clients_person_pmks_categories
    REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_households_links();
DROP TRIGGER IF EXISTS pmks_household_person_update ON clients_person;
CREATE TRIGGER pmks_household_person_update AFTER UPDATE ON clients_person
    REFERENCING OLD TABLE AS old_persons NEW TABLE AS new_persons
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_households_persons();
DROP TRIGGER IF EXISTS pmks_household_person_delete ON clients_person;
CREATE TRIGGER pmks_household_person_delete AFTER DELETE ON clients_person
    REFERENCING OLD TABLE AS old_persons FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_pmks_households_persons();

CREATE OR REPLACE VIEW pandu_pmks_household_recount AS
    SELECT l.pmkscategory_id AS category_id, p.household_id, count(*)::integer AS members
    FROM clients_person_pmks_categories l JOIN clients_person p ON p.id = l.person_id
    WHERE p.life_status = 'active' AND p.household_id IS NOT NULL GROUP BY 1, 2;

-- After a TRUNCATE of the persons or the links (which fires no row trigger): counted again.
CREATE OR REPLACE FUNCTION pandu_recount_pmks_households_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_pmkshousehold;
    INSERT INTO clients_pmkshousehold (category_id, household_id, members)
        SELECT category_id, household_id, members FROM pandu_pmks_household_recount;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS clients_person_pmks_households_recount_after_truncate ON clients_person;
CREATE TRIGGER clients_person_pmks_households_recount_after_truncate AFTER TRUNCATE ON clients_person
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_pmks_households_after_truncate();
DROP TRIGGER IF EXISTS clients_pmks_links_households_recount_after_truncate ON clients_person_pmks_categories;
CREATE TRIGGER clients_pmks_links_households_recount_after_truncate AFTER TRUNCATE ON clients_person_pmks_categories
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_pmks_households_after_truncate();

INSERT INTO clients_pmkshousehold (category_id, household_id, members)
    SELECT category_id, household_id, members FROM pandu_pmks_household_recount;
"""

REVERSE = """
DROP TRIGGER IF EXISTS pmks_household_link_insert ON clients_person_pmks_categories;
DROP TRIGGER IF EXISTS pmks_household_link_update ON clients_person_pmks_categories;
DROP TRIGGER IF EXISTS pmks_household_link_delete ON clients_person_pmks_categories;
DROP TRIGGER IF EXISTS pmks_household_person_update ON clients_person;
DROP TRIGGER IF EXISTS pmks_household_person_delete ON clients_person;
DROP TRIGGER IF EXISTS clients_person_pmks_households_recount_after_truncate ON clients_person;
DROP TRIGGER IF EXISTS clients_pmks_links_households_recount_after_truncate ON clients_person_pmks_categories;
DROP FUNCTION IF EXISTS pandu_count_pmks_households_links();
DROP FUNCTION IF EXISTS pandu_count_pmks_households_persons();
DROP FUNCTION IF EXISTS pandu_recount_pmks_households_after_truncate();
DROP VIEW IF EXISTS pandu_pmks_household_recount;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0022_structured_disability"),
    ]

    operations = [
        migrations.CreateModel(
            name="PMKSHousehold",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("members", models.IntegerField(default=0)),
                ("category", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                               related_name="+", to="clients.pmkscategory")),
                ("household", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                                related_name="+", to="clients.household")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("category", "household"), name="pmks_household_cell")],
            },
        ),
        migrations.RunSQL(SQL, reverse_sql=REVERSE),
    ]
