"""The distinct persons served in a period, from counters.

A person served (a queue ticket issued to them, or a case opened for them) counts once in a
period however often they came. A distinct count over a year's tickets and cases was the
dashboard's slowest figure (45-60 ms at 250,000 cases) and cannot be added up from months. It
can be added up from days once each person-day knows the day the person was last served before:

    persons served in [a, b] = person-days in [a, b]
                               - person-days in [a, b] whose previous day is also in [a, b]

(of a person's k days in the period, the first has its previous day before it, the other k - 1
inside it). So:

- ``referrals_servedpersonday``: each (person, day) served, with the previous day and the number
  of tickets and cases that day; a person's days are counted again from their rows whenever one
  of their tickets or cases is added, removed, moved to another person or day.
- ``referrals_servedday``: person-days per day.
- ``referrals_servedagain``: person-days per (day, previous day): a period reads the cells with
  both days in it, at most one per pair of its days however many persons came.

The triggers are statement-level with transition tables, like the other counters. A person's days
are counted under a transaction-scoped advisory lock on the person, so two desks serving the
same person at once count one after the other. A statement touching more than 1,000 persons (a
bulk load, a merge of many) counts everything again under a table lock instead. The views count
the same from the rows (``manage.py recount --check``), and a TRUNCATE of tickets or cases counts
again.

The referrals app keeps these counters, triggers on ``desks_ticket`` included: it stands above
desks and is the one app that knows both tickets and cases."""

from django.db import migrations, models

# Each source of a served day: its table, its transition tables' name, the day of a row ``{r}``.
SOURCES = (("desks_ticket", "tickets", "{r}issued_on"), ("referrals_case", "cases", "pandu_local_day({r}created_at)"))


def _days(where: str) -> str:
    """Each person's days served with the previous one and the services of the day; ``where``
    picks the persons (the rows' ``person_id``)."""
    served = " UNION ALL ".join(f"SELECT person_id, {day.format(r='')} AS day FROM {table} WHERE {where}"
                                for table, _rows, day in SOURCES)
    return ("SELECT person_id, day, lag(day) OVER (PARTITION BY person_id ORDER BY day) AS previous_day, services"
            f" FROM (SELECT person_id, day, count(*)::integer AS services FROM ({served}) served"
            " GROUP BY person_id, day) days")


def _add(cells: str, *, before: str = "") -> str:
    """Add person-days (``cells``: day, previous_day, n with n = 1 or -1) to both counters;
    ``before``: common table expressions the cells read."""
    return f"""WITH {before}cells AS ({cells}),
        per_day AS (
            INSERT INTO referrals_servedday AS c (day, persons)
            SELECT day, sum(n) FROM cells GROUP BY day HAVING sum(n) <> 0 ORDER BY day
            ON CONFLICT (day) DO UPDATE SET persons = c.persons + EXCLUDED.persons)
    INSERT INTO referrals_servedagain AS c (day, previous_day, persons)
    SELECT day, previous_day, sum(n) FROM cells WHERE previous_day IS NOT NULL
    GROUP BY previous_day, day HAVING sum(n) <> 0 ORDER BY previous_day, day
    ON CONFLICT (previous_day, day) DO UPDATE SET persons = c.persons + EXCLUDED.persons;"""


def _changed_persons(rows: str, day: str) -> dict[str, str]:
    """Per operation: the persons whose days a statement may have changed."""
    return {
        "INSERT": f"SELECT person_id FROM new_{rows}",
        "UPDATE": (f"SELECT p FROM old_{rows} o JOIN new_{rows} n USING (id),"
                   " LATERAL (VALUES (o.person_id), (n.person_id)) v(p)"
                   " WHERE o.person_id IS DISTINCT FROM n.person_id"
                   f" OR {day.format(r='o.')} IS DISTINCT FROM {day.format(r='n.')}"),
        "DELETE": f"SELECT person_id FROM old_{rows}",
    }


def _trigger(table: str, rows: str, day: str) -> str:
    persons = _changed_persons(rows, day)
    branches = "\n    ELS".join(
        f"IF TG_OP = '{op}' THEN\n        PERFORM pandu_count_served(ARRAY(SELECT DISTINCT p FROM ({sql}) changed(p)"
        " WHERE p IS NOT NULL));"
        for op, sql in persons.items()
    )
    return f"""
CREATE OR REPLACE FUNCTION pandu_count_served_{rows}() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    {branches}
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS served_{rows}_insert ON {table};
CREATE TRIGGER served_{rows}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_{rows} FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_served_{rows}();
DROP TRIGGER IF EXISTS served_{rows}_update ON {table};
CREATE TRIGGER served_{rows}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_{rows} NEW TABLE AS new_{rows} FOR EACH STATEMENT
    EXECUTE FUNCTION pandu_count_served_{rows}();
DROP TRIGGER IF EXISTS served_{rows}_delete ON {table};
CREATE TRIGGER served_{rows}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_{rows} FOR EACH STATEMENT EXECUTE FUNCTION pandu_count_served_{rows}();
DROP TRIGGER IF EXISTS {table}_served_recount_after_truncate ON {table};
CREATE TRIGGER {table}_served_recount_after_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_served_after_truncate();
"""


SQL = f"""
CREATE OR REPLACE VIEW pandu_served_person_day_recount AS {_days("person_id IS NOT NULL")};
CREATE OR REPLACE VIEW pandu_served_day_recount AS
    SELECT day, count(*)::integer AS persons FROM pandu_served_person_day_recount GROUP BY day;
CREATE OR REPLACE VIEW pandu_served_again_recount AS
    SELECT day, previous_day, count(*)::integer AS persons FROM pandu_served_person_day_recount
    WHERE previous_day IS NOT NULL GROUP BY day, previous_day;

CREATE OR REPLACE FUNCTION pandu_recount_served() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_servedpersonday;
    INSERT INTO referrals_servedpersonday (person_id, day, previous_day, services)
        SELECT person_id, day, previous_day, services FROM pandu_served_person_day_recount;
    DELETE FROM referrals_servedday;
    INSERT INTO referrals_servedday (day, persons)
        SELECT day, count(*) FROM referrals_servedpersonday GROUP BY day;
    DELETE FROM referrals_servedagain;
    INSERT INTO referrals_servedagain (day, previous_day, persons)
        SELECT day, previous_day, count(*) FROM referrals_servedpersonday WHERE previous_day IS NOT NULL
        GROUP BY day, previous_day;
END
$$;

-- The days of these persons counted again from their tickets and cases, and the counters moved
-- by the difference.
CREATE OR REPLACE FUNCTION pandu_count_served(persons bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    gone_days date[];
    gone_previous date[];
BEGIN
    IF cardinality(persons) = 0 THEN
        RETURN;
    END IF;
    IF cardinality(persons) > 1000 THEN
        -- Waits for the desks counting a person now, and holds them back until this commits.
        LOCK TABLE referrals_servedpersonday IN SHARE ROW EXCLUSIVE MODE;
        PERFORM pandu_recount_served();
        RETURN;
    END IF;
    -- One transaction at a time counts a person's days (in one order: no deadlock between two).
    PERFORM pg_advisory_xact_lock(hashtext('referrals.served'), h)
        FROM (SELECT DISTINCT hashint8(p) AS h FROM unnest(persons) p ORDER BY 1) locks;
    -- Their days as counted so far go, their days counted again come, and the counters move by
    -- the difference (a new ticket of a regular moves two cells, not all of their days).
    WITH gone AS (DELETE FROM referrals_servedpersonday WHERE person_id = ANY(persons) RETURNING day, previous_day)
    SELECT coalesce(array_agg(day), '{{}}'), coalesce(array_agg(previous_day), '{{}}')
        INTO gone_days, gone_previous FROM gone;
    {_add("SELECT day, previous_day, -1 AS n FROM unnest(gone_days, gone_previous) AS gone(day, previous_day)"
          " UNION ALL SELECT day, previous_day, 1 FROM fresh",
          before="fresh AS (INSERT INTO referrals_servedpersonday (person_id, day, previous_day, services) "
                 f"{_days('person_id = ANY(persons)')} RETURNING day, previous_day), ")}
END
$$;

CREATE OR REPLACE FUNCTION pandu_recount_served_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pandu_recount_served();
    RETURN NULL;
END
$$;
{"".join(_trigger(*source) for source in SOURCES)}
-- Start from what is there.
SELECT pandu_recount_served();
"""

REVERSE_SQL = "\n".join(
    [*(f"DROP TRIGGER IF EXISTS served_{rows}_{op} ON {table};" for table, rows, _day in SOURCES
       for op in ("insert", "update", "delete")),
     *(f"DROP TRIGGER IF EXISTS {table}_served_recount_after_truncate ON {table};" for table, _r, _d in SOURCES),
     *(f"DROP FUNCTION IF EXISTS pandu_count_served_{rows}();" for _t, rows, _d in SOURCES),
     "DROP FUNCTION IF EXISTS pandu_recount_served_after_truncate();",
     "DROP FUNCTION IF EXISTS pandu_count_served(bigint[]);",
     "DROP FUNCTION IF EXISTS pandu_recount_served();",
     "DROP VIEW IF EXISTS pandu_served_again_recount;",
     "DROP VIEW IF EXISTS pandu_served_day_recount;",
     "DROP VIEW IF EXISTS pandu_served_person_day_recount;"]
)


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0013_dashboard_counters'),
        ('desks', '0011_service_programme'),
    ]

    operations = [
        migrations.CreateModel(
            name='ServedAgain',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('previous_day', models.DateField()),
                ('persons', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('previous_day', 'day'), name='served_again_cell')],
            },
        ),
        migrations.CreateModel(
            name='ServedDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('persons', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day',), name='served_day_cell')],
            },
        ),
        migrations.CreateModel(
            name='ServedPersonDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('previous_day', models.DateField(null=True)),
                ('services', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('person_id', 'day'), name='served_person_day_cell')],
            },
        ),
        migrations.RunSQL(SQL, reverse_sql=REVERSE_SQL),
    ]
