"""The dashboard's counters: whole days to an answer, referrals, the aid and the cases per month.

- ``days_to_close`` becomes whole days as the office counts them: the day (WITA) a referral was
  closed minus the day it was sent. It was a fraction of a day (4.37), which nobody at the desk
  counts in and which made every median a sort of every referral of the period.
- ``referrals_referralservicemonth`` and ``referrals_referralkecamatanmonth``: ``referrals_referralmonth``
  without the kecamatan, and with the kecamatan alone: the dashboard's tables per provider, service
  and month, and per kecamatan, add up a few thousand cells instead of every combination.
- ``referrals_referralserviceday`` and ``referrals_referralkecamatanday``: the same two per day
  made, for the days of a period around its whole months.
- ``referral_place_idx``: the referrals that hold a quota service's place, by service and the time
  they were sent: the places taken are counted from the index alone.
- ``referral_made_idx``: every referral by the time it was made, with what its cell needs, so the
  days around the whole months are read from the index alone.
- ``referrals_referralcompleteddays``: completed referrals per (month made, provider, service, days);
  the median days to completion per provider and per service add up these cells.
- ``referrals_referralanswerdays``: answered referrals (completed or rejected, with the channel the
  answer arrived by) per (month made, provider, channel, days): how the outcomes arrived and the
  median days of each channel.
- ``referrals_referralaidmonth``: grants per (month completed, provider, service, kecamatan, how the
  aid was given), with the rupiah given: what the aid was worth, added up for whole months.
- ``referrals_caseopenedday`` and ``referrals_caseclosedday``: cases per day opened and pathway,
  and per day closed and why (a few thousand cells a year: a period adds up its days).

Each is kept like ``referrals_referralmonth`` (migration 0003): statement-level triggers with
transition tables, one grouped upsert per statement ordered by cell; a view counting the same
from the rows (``manage.py recount --check``); counted again after a TRUNCATE."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Func, Q

# Per counted table: its rows' transition tables, and its counters: (counter table, its key
# columns, the counted row's expression of each, its value columns with the expression each adds
# up per row, which rows it counts, the view that counts the same from the rows).
ONE = (("referrals", "1"),)
STATE = ("status", "pandu_referral_granted(status, outcome)", "pandu_referral_within_sla(status, closed_at, due_on)")
SOURCES = {
    "referrals_referral": ("referrals", (
        ("referrals_referralservicemonth", ("month", "provider_id", "service_id", "status", "granted", "within_sla"),
         ("pandu_local_month(created_at)", "provider_id", "service_id", *STATE), ONE, "true",
         "pandu_referral_service_recount"),
        ("referrals_referralkecamatanmonth", ("month", "kecamatan_id", "status", "granted", "within_sla"),
         ("pandu_local_month(created_at)", "kecamatan_id", *STATE), ONE, "true", "pandu_referral_kecamatan_recount"),
        ("referrals_referralserviceday", ("day", "provider_id", "service_id", "status", "granted", "within_sla"),
         ("pandu_local_day(created_at)", "provider_id", "service_id", *STATE), ONE, "true",
         "pandu_referral_service_day_recount"),
        ("referrals_referralkecamatanday", ("day", "kecamatan_id", "status", "granted", "within_sla"),
         ("pandu_local_day(created_at)", "kecamatan_id", *STATE), ONE, "true",
         "pandu_referral_kecamatan_day_recount"),
        ("referrals_referralcompleteddays", ("month", "provider_id", "service_id", "days"),
         ("pandu_local_month(created_at)", "provider_id", "service_id", "days_to_close"), ONE,
         "status = 'completed' AND days_to_close IS NOT NULL", "pandu_referral_completed_days_recount"),
        ("referrals_referralanswerdays", ("month", "provider_id", "channel", "days"),
         ("pandu_local_month(created_at)", "provider_id", "answer_channel", "days_to_close"), ONE,
         "status IN ('completed', 'rejected') AND answer_channel <> '' AND days_to_close IS NOT NULL",
         "pandu_referral_answer_days_recount"),
        ("referrals_referralaidmonth", ("month", "provider_id", "service_id", "kecamatan_id", "aid_kind"),
         ("pandu_local_month(closed_at)", "provider_id", "service_id", "kecamatan_id", "aid_kind"),
         (("grants", "1"), ("rupiah", "coalesce(aid_value, 0)")),
         "status = 'completed' AND outcome = 'granted' AND closed_at IS NOT NULL", "pandu_referral_aid_recount"),
    )),
    "referrals_case": ("cases", (
        ("referrals_caseopenedday", ("day", "pathway"), ("pandu_local_day(created_at)", "pathway"),
         (("cases", "1"),), "true", "pandu_case_opened_recount"),
        ("referrals_caseclosedday", ("day", "closure_reason"), ("pandu_local_day(closed_at)", "closure_reason"),
         (("cases", "1"),), "status = 'closed' AND closed_at IS NOT NULL", "pandu_case_closed_recount"),
    )),
}
FUNCTIONS = {"referrals_referral": "pandu_count_referral_days", "referrals_case": "pandu_count_case_months"}


def _upsert(table: str, keys: tuple[str, ...], values, cells: str) -> str:
    columns = ", ".join(keys)
    numbers = ", ".join(str(i) for i in range(1, len(keys) + 1))
    names = [name for name, _expression in values]
    return (f"INSERT INTO {table} AS c ({columns}, {', '.join(names)})"
            f" SELECT {columns}, {', '.join(f'sum({name})' for name in names)} FROM ({cells}) cells"
            f" GROUP BY {numbers} HAVING {' OR '.join(f'sum({name}) <> 0' for name in names)} ORDER BY {numbers}"
            f" ON CONFLICT ({columns}) DO UPDATE SET"
            f" {', '.join(f'{name} = c.{name} + EXCLUDED.{name}' for name in names)};")


def _cells(keys, expressions, values, where, source: str, sign: str) -> str:
    named = ", ".join(f"{expression} AS {key}" for key, expression in zip(keys, expressions, strict=True))
    added = ", ".join(f"{sign}{expression} AS {name}" for name, expression in values)
    return f"SELECT {named}, {added} FROM {source} WHERE {where}"


def _view(source, keys, expressions, values, where, view) -> str:
    named = ", ".join(f"{expression} AS {key}" for key, expression in zip(keys, expressions, strict=True))
    sums = ", ".join(f"sum({expression})::{'bigint' if name == 'rupiah' else 'integer'} AS {name}"
                     for name, expression in values)
    numbers = ", ".join(str(i) for i in range(1, len(keys) + 1))
    return f"CREATE OR REPLACE VIEW {view} AS SELECT {named}, {sums} FROM {source} WHERE {where} GROUP BY {numbers};"


def _refill(counters) -> str:
    lines = []
    for table, keys, _expressions, values, _where, view in counters:
        columns = ", ".join([*keys, *(name for name, _e in values)])
        lines.append(f"    DELETE FROM {table};\n    INSERT INTO {table} ({columns}) SELECT {columns} FROM {view};")
    return "\n".join(lines)


def _source_sql(source: str) -> str:
    rows, counters = SOURCES[source]
    function = FUNCTIONS[source]
    inserted, updated, deleted = [], [], []
    for table, keys, expressions, values, where, _view_name in counters:
        old = _cells(keys, expressions, values, where, f"old_{rows}", "-")
        new = _cells(keys, expressions, values, where, f"new_{rows}", "")
        inserted.append(_upsert(table, keys, values, new))
        updated.append(_upsert(table, keys, values, f"{old} UNION ALL {new}"))
        deleted.append(_upsert(table, keys, values, old))
    views = "\n".join(_view(source, *counter[1:]) for counter in counters)
    trigger = function.removeprefix("pandu_count_")
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {chr(10).join(inserted)}
    ELSIF TG_OP = 'UPDATE' THEN
        {chr(10).join(updated)}
    ELSE
        {chr(10).join(deleted)}
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS {trigger}_insert ON {source};
CREATE TRIGGER {trigger}_insert AFTER INSERT ON {source}
    REFERENCING NEW TABLE AS new_{rows} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
DROP TRIGGER IF EXISTS {trigger}_update ON {source};
CREATE TRIGGER {trigger}_update AFTER UPDATE ON {source}
    REFERENCING OLD TABLE AS old_{rows} NEW TABLE AS new_{rows} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
DROP TRIGGER IF EXISTS {trigger}_delete ON {source};
CREATE TRIGGER {trigger}_delete AFTER DELETE ON {source}
    REFERENCING OLD TABLE AS old_{rows} FOR EACH STATEMENT EXECUTE FUNCTION {function}();

{views}
"""


def _trigger_sql() -> str:
    referral_counters, case_counters = SOURCES["referrals_referral"][1], SOURCES["referrals_case"][1]
    return f"""
-- A moment's day at the office (WITA), as pandu_local_month its month.
CREATE OR REPLACE FUNCTION pandu_local_day(at timestamptz) RETURNS date
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (at AT TIME ZONE 'Asia/Makassar')::date;
{_source_sql("referrals_referral")}
{_source_sql("referrals_case")}

-- After a TRUNCATE (which fires no row trigger), the counters of the table again.
CREATE OR REPLACE FUNCTION pandu_recount_referrals_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals_referralmonth;
    INSERT INTO referrals_referralmonth (month, provider_id, service_id, kecamatan_id, status, granted,
                                         within_sla, referrals)
        SELECT month, provider_id, service_id, kecamatan_id, status, granted, within_sla, referrals
        FROM pandu_referral_recount;
{_refill(referral_counters)}
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION pandu_recount_cases_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
{_refill(case_counters)}
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS referrals_case_recount_after_truncate ON referrals_case;
CREATE TRIGGER referrals_case_recount_after_truncate AFTER TRUNCATE ON referrals_case
    FOR EACH STATEMENT EXECUTE FUNCTION pandu_recount_cases_after_truncate();

-- Start from what is there.
{_refill(referral_counters)}
{_refill(case_counters)}
"""


def _fk(to: str, *, null: bool = False):
    return models.ForeignKey(db_constraint=False, null=null, on_delete=django.db.models.deletion.DO_NOTHING,
                             related_name="+", to=to)


def _counter_model(name: str, fields: list, cell: str, unique: tuple[str, ...]):
    """A counter table: an id, its cell's fields, one unique constraint on the cell (a cell with
    no kecamatan is a cell like the others)."""
    nulls = {"nulls_distinct": False} if "kecamatan" in unique else {}
    return migrations.CreateModel(
        name=name,
        fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                *fields],
        options={"constraints": [models.UniqueConstraint(fields=unique, name=cell, **nulls)]},
    )


STATE_FIELDS = [("status", models.CharField(max_length=10)), ("granted", models.BooleanField()),
                ("within_sla", models.BooleanField()), ("referrals", models.IntegerField(default=0))]
STATE_CELL = ("status", "granted", "within_sla")
SERVICE_FIELDS = [("provider", _fk("desks.provider")), ("service", _fk("desks.service"))]
KECAMATAN_FIELDS = [("kecamatan", _fk("clients.region", null=True))]
# (model, its fields, its unique constraint's name, the cell)
COUNTER_MODELS = (
    ("ReferralServiceMonth", [("month", models.DateField()), *STATE_FIELDS, *SERVICE_FIELDS],
     "referral_service_month_cell", ("month", "provider", "service", *STATE_CELL)),
    ("ReferralKecamatanMonth", [("month", models.DateField()), *STATE_FIELDS, *KECAMATAN_FIELDS],
     "referral_kecamatan_month_cell", ("month", "kecamatan", *STATE_CELL)),
    ("ReferralServiceDay", [("day", models.DateField()), *STATE_FIELDS, *SERVICE_FIELDS],
     "referral_service_day_cell", ("day", "provider", "service", *STATE_CELL)),
    ("ReferralKecamatanDay", [("day", models.DateField()), *STATE_FIELDS, *KECAMATAN_FIELDS],
     "referral_kecamatan_day_cell", ("day", "kecamatan", *STATE_CELL)),
    ("ReferralCompletedDays", [("month", models.DateField()), ("days", models.IntegerField()),
                               ("referrals", models.IntegerField(default=0)), *SERVICE_FIELDS],
     "referral_completed_days_cell", ("month", "provider", "service", "days")),
    ("ReferralAnswerDays", [("month", models.DateField()), ("channel", models.CharField(max_length=10)),
                            ("days", models.IntegerField()), ("referrals", models.IntegerField(default=0)),
                            ("provider", _fk("desks.provider"))],
     "referral_answer_days_cell", ("month", "provider", "channel", "days")),
    ("ReferralAidMonth", [("month", models.DateField()), ("aid_kind", models.CharField(max_length=8)),
                          ("grants", models.IntegerField(default=0)), ("rupiah", models.BigIntegerField(default=0)),
                          *SERVICE_FIELDS, *KECAMATAN_FIELDS],
     "referral_aid_month_cell", ("month", "provider", "service", "kecamatan", "aid_kind")),
    ("CaseOpenedDay", [("day", models.DateField()), ("pathway", models.CharField(max_length=20)),
                       ("cases", models.IntegerField(default=0))], "case_opened_day_cell", ("day", "pathway")),
    ("CaseClosedDay", [("day", models.DateField()), ("closure_reason", models.CharField(max_length=20)),
                       ("cases", models.IntegerField(default=0))], "case_closed_day_cell", ("day", "closure_reason")),
)


REVERSE_SQL = """
DROP TRIGGER IF EXISTS referral_days_insert ON referrals_referral;
DROP TRIGGER IF EXISTS referral_days_update ON referrals_referral;
DROP TRIGGER IF EXISTS referral_days_delete ON referrals_referral;
DROP FUNCTION IF EXISTS pandu_count_referral_days();
DROP TRIGGER IF EXISTS case_months_insert ON referrals_case;
DROP TRIGGER IF EXISTS case_months_update ON referrals_case;
DROP TRIGGER IF EXISTS case_months_delete ON referrals_case;
DROP FUNCTION IF EXISTS pandu_count_case_months();
DROP TRIGGER IF EXISTS referrals_case_recount_after_truncate ON referrals_case;
DROP FUNCTION IF EXISTS pandu_recount_cases_after_truncate();
DROP VIEW IF EXISTS pandu_referral_service_recount;
DROP VIEW IF EXISTS pandu_referral_service_day_recount;
DROP VIEW IF EXISTS pandu_referral_kecamatan_day_recount;
DROP VIEW IF EXISTS pandu_referral_kecamatan_recount;
DROP VIEW IF EXISTS pandu_referral_completed_days_recount;
DROP VIEW IF EXISTS pandu_referral_answer_days_recount;
DROP VIEW IF EXISTS pandu_referral_aid_recount;
DROP VIEW IF EXISTS pandu_case_opened_recount;
DROP VIEW IF EXISTS pandu_case_closed_recount;
DROP FUNCTION IF EXISTS pandu_local_day(timestamptz);
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
"""


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0012_aid_value_and_answer_channel"),
        ("clients", "0009_counters"),
    ]

    operations = [
        # The covering indexes hold days_to_close: they go with it and come back with the new one.
        migrations.RemoveIndex(model_name="referral", name="referral_completed_idx"),
        migrations.RemoveIndex(model_name="referral", name="referral_answered_idx"),
        migrations.RemoveField(model_name="referral", name="days_to_close"),
        migrations.AddField(
            model_name="referral",
            name="days_to_close",
            field=models.GeneratedField(
                db_persist=True,
                expression=Func(F("closed_at"), F("sent_at"), arg_joiner=" AT TIME ZONE 'Asia/Makassar')::date - (",
                                output_field=models.IntegerField(),
                                template="((%(expressions)s AT TIME ZONE 'Asia/Makassar')::date)"),
                output_field=models.IntegerField(),
                verbose_name="days from sending to closing",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(condition=Q(status="completed"), fields=["created_at"],
                               include=["provider", "service", "kecamatan", "days_to_close"],
                               name="referral_completed_idx"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(condition=Q(status__in=("completed", "rejected")), fields=["created_at"],
                               include=["provider", "kecamatan", "answer_channel", "days_to_close"],
                               name="referral_answered_idx"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["created_at"],
                               include=["provider", "service", "kecamatan", "status", "outcome", "closed_at", "due_on"],
                               name="referral_made_idx"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=(Q(status__in=("sent", "received", "returned", "accepted"))
                           | Q(status="completed", outcome="granted")) & Q(place_released_at__isnull=True),
                fields=["service", "sent_at"], name="referral_place_idx"),
        ),
        *(_counter_model(name, fields, cell, unique) for name, fields, cell, unique in COUNTER_MODELS),
        migrations.RunSQL(_trigger_sql(), reverse_sql=REVERSE_SQL),
    ]
