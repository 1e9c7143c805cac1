"""The fast path: COPY the file into a staging table, then check and write set-wise in SQL.

The rules are ``rows.py``'s, written as SQL: each row gets the same reason codes in the
same order, so the error report is identical to the row-by-row path's. Nothing here runs
per row in Python except reading the file and handing each row to ``COPY``.

Stages (all inside the caller's transaction):
1. ``registry_stage_<pid>``: the raw text of every row, with its line number (COPY), in an
   UNLOGGED table so that parallel workers can read it.
2. ``registry_cells_<pid>``: each cell normalised, then ``registry_clean``: the values, the
   village id and the reason codes per row. The per-row work is shared by parallel workers
   (they read the staging and cells tables, which are UNLOGGED for that).
3. duplicates: a valid NIK seen on an earlier line rejects the later row.
4. households: the ones to write (first valid row of each KK describes it; unchanged ones are
   left alone), written with their RegistryChange rows.
5. persons: the ones to write (new NIK or a stored record that differs) with their name keys
   (each distinct word's key computed once), written.
A small import upserts (``INSERT … ON CONFLICT DO UPDATE … WHERE (stored) IS DISTINCT FROM
(new)``, ``xmax = 0`` tells created from updated), so a record another session writes meanwhile
is updated. A big import (``_is_big``) locks the tables, updates the changed records, inserts
the new ones (persons without the row triggers whose work it does itself: name keys, search
names) and rebuilds the indexes (``bulk.py``).
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

import psycopg
from django.db import DatabaseError, connection, models, transaction
from django.utils.translation import gettext as _

from clients.models import (
    Household,
    Person,
    Region,
    RegistryChange,
    RegistryStatus,
    SearchName,
    SearchWord,
)
from clients.registry import bulk
from clients.registry.result import Rejected
from clients.registry.rows import (
    MAX_ADDRESS,
    MAX_BIRTH_PLACE,
    MAX_NAME,
    MAX_NATIONAL_ID,
    MAX_SOURCE,
    RELATIONSHIPS,
    collapse,
    nik_region_prefixes,
)

logger = logging.getLogger(__name__)

# A big import (see _is_big): at least this many valid rows and half as many as persons stored.
BIG_IMPORT_ROWS = 20_000
BIG_IMPORT_TABLES = ["clients_household", "clients_registrychange", "clients_person", "clients_searchname"]
# Row triggers of clients_person a big import's insert does without: the name keys are given,
# the search names added by SEARCH_NAMES_SQL. The others (the counters) run.
PERSON_INSERT_TRIGGERS_OFF = ["person_name_key", "person_search_names_insert"]
BIG_IMPORT_LOCK_TIMEOUT = "10s"  # longer than this behind other sessions: import without the lock


def _execute(cursor, label: str, sql: str, params=None) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params)
    logger.info("registry fast path: %s took %.2f s", label, time.perf_counter() - started)


STAGE_COLUMNS = (
    "no_kk", "nik", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "hubungan_keluarga",
    "alamat", "rt", "rw", "kode_wilayah", "sumber", "tahun", "id_dtks", "desil",
)  # fmt: skip

WS = r"[\s\u00a0]"  # what Python's str.strip() and \s remove, for the characters files contain
# rows.collapse(): runs of whitespace become one space, ends trimmed. The regular expression
# only runs when the value needs it (a cheap test first: most cells are already clean).
COLLAPSE = (
    r"(CASE WHEN {0} ~ '[\t\n\r\f\v\u00a0]|  |^ | $'"
    r" THEN btrim(regexp_replace({0}, '[ \t\r\n\f\v\u00a0]+', ' ', 'g'), ' ') ELSE {0} END)"
)
# No character but digits (callers check the length). Cheaper than ltrim(x, '0123456789') = ''
# in UTF-8, and far cheaper than a counted repetition like ^[0-9]{16}$.
DIGITS = "({0} !~ '[^0-9]')"
NUMBER16 = "(length({0}) = 16 AND {0} !~ '[^0-9]')"
# A date written YYYY-MM-DD or DD-MM-YYYY (most files): ten characters, two dashes, the rest
# digits. Other writings go through the regular expressions of rows.py.
ISO_DATE = "^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$"
DMY_DATE = "^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$"
DATE_FAST = "(length(birth_text) = 10 AND birth_text ~ '^[0-9]+-[0-9]+-[0-9]+$')"

# The functions are PARALLEL SAFE (they are pure): one unsafe function in a query keeps all of
# it off the parallel workers.
SETUP_SQL = f"""
DROP TABLE IF EXISTS registry_clean, registry_relationship, registry_nik_region;
CREATE TEMP TABLE registry_relationship (word text PRIMARY KEY, value text);
CREATE TEMP TABLE registry_nik_region (prefix text PRIMARY KEY);
-- A real date (y, m, d) without raising: the month lengths by arithmetic.
CREATE OR REPLACE FUNCTION pg_temp.registry_ymd_ok(y integer, m integer, d integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT y >= 1 AND m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE
    WHEN m = 2 THEN 28 + (CASE WHEN (mod(y, 4) = 0 AND mod(y, 100) <> 0) OR mod(y, 400) = 0 THEN 1 ELSE 0 END)
    ELSE 30 + mod(m + m / 8, 2) END
$$;
-- clients.nik.clean_number: strip, drop a leading apostrophe, a trailing '.0', separators.
CREATE OR REPLACE FUNCTION pg_temp.registry_clean_number(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN {NUMBER16.format("raw")} THEN raw
    ELSE regexp_replace(regexp_replace(
      ltrim(regexp_replace(coalesce(raw, ''), '^{WS}+|{WS}+$', '', 'g'), '''`’'),
      '^([0-9]+)\\.0$', '\\1'), '[\\s\\u00a0.''-]', '', 'g')
  END
$$;
-- clients.nik.parse_nik's birth date: day (+40 for women) and month real, in the latest
-- century that is not in the future. ddmmyy: digits 7-12 of the NIK as a number.
CREATE OR REPLACE FUNCTION pg_temp.registry_nik_date_ok(ddmmyy integer, today date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN pg_temp.registry_ymd_ok(2000 + ddmmyy % 100, ddmmyy / 100 % 100, ddmmyy / 10000 % 40)
              THEN make_date(2000 + ddmmyy % 100, ddmmyy / 100 % 100, ddmmyy / 10000 % 40) <= today
              ELSE false END
      OR pg_temp.registry_ymd_ok(1900 + ddmmyy % 100, ddmmyy / 100 % 100, ddmmyy / 10000 % 40)
$$;
"""

def _cells_sql(stage: str, cells: str) -> str:
    """Each staged row's cells normalised, rows.collapse() first. Only per-cell work, so
    PostgreSQL's parallel workers share it."""
    c = lambda column: COLLAPSE.format("s." + column)  # noqa: E731
    return f"""
CREATE UNLOGGED TABLE {cells} AS
SELECT s.line,
  pg_temp.registry_clean_number(s.no_kk) AS kk,
  pg_temp.registry_clean_number(s.nik) AS nik,
  initcap({c("nama")}) AS full_name,
  upper({c("jenis_kelamin")}) AS sex,
  initcap({c("tempat_lahir")}) AS birth_place,
  {c("tanggal_lahir")} AS birth_text,
  upper({c("hubungan_keluarga")}) AS relationship_word,
  {c("alamat")} AS address,
  {c("rt")} AS rt_text,
  {c("rw")} AS rw_text,
  {c("kode_wilayah")} AS village_text,
  upper(coalesce(nullif({c("sumber")}, ''), %(default_source)s)) AS source,
  {c("tahun")} AS year_text,
  {c("id_dtks")} AS national_id,
  {c("desil")} AS decile_text,
  {NAME_WORDS.format("s.nama")} AS name_words
FROM {stage} s
WHERE NOT ({" AND ".join(f"s.{column} = ''" for column in STAGE_COLUMNS)})  -- a blank line
"""


# The normalised cells' values and reasons, in rows.py's order. Each CTE is computed once per
# row (OFFSET 0), not inlined into every use of its columns; the first one on parallel workers.
def _clean_sql(cells: str) -> str:
    return f"""
CREATE TEMP TABLE registry_clean AS
WITH d AS (
  SELECT n.*,
    CASE WHEN {NUMBER16.format("nik")} THEN substr(nik, 7, 6)::int END AS nik_date,
    coalesce(
      CASE WHEN {DATE_FAST} THEN
             CASE WHEN substr(birth_text, 5, 1) = '-' AND substr(birth_text, 8, 1) = '-'
                  THEN ARRAY[substr(birth_text, 1, 4)::int, substr(birth_text, 6, 2)::int, substr(birth_text, 9, 2)::int]
                  WHEN substr(birth_text, 3, 1) = '-' AND substr(birth_text, 6, 1) = '-'
                  THEN ARRAY[substr(birth_text, 7, 4)::int, substr(birth_text, 4, 2)::int, substr(birth_text, 1, 2)::int]
             END
      END,
      CASE WHEN birth_text ~ '{ISO_DATE}' THEN (regexp_match(birth_text, '{ISO_DATE}'))::int[]
           WHEN birth_text ~ '{DMY_DATE}'
           THEN ARRAY[(regexp_match(birth_text, '{DMY_DATE}'))[3]::int, (regexp_match(birth_text, '{DMY_DATE}'))[2]::int,
                      (regexp_match(birth_text, '{DMY_DATE}'))[1]::int]
      END) AS ymd,  -- year, month, day
    CASE WHEN length(rt_text) BETWEEN 1 AND 3 AND {DIGITS.format("rt_text")} THEN rt_text
         ELSE (regexp_match(rt_text, '^0*([0-9]{{1,3}})$'))[1] END AS rt_digits,
    CASE WHEN length(rw_text) BETWEEN 1 AND 3 AND {DIGITS.format("rw_text")} THEN rw_text
         ELSE (regexp_match(rw_text, '^0*([0-9]{{1,3}})$'))[1] END AS rw_digits,
    CASE WHEN length(village_text) = 10 AND {DIGITS.format("village_text")}
         THEN substr(village_text, 1, 2) || '.' || substr(village_text, 3, 2) || '.'
              || substr(village_text, 5, 2) || '.' || substr(village_text, 7, 4)
         ELSE village_text END AS village_code
  FROM {cells} n
  OFFSET 0
), v AS (
  SELECT d.*,
    {NUMBER16.format("kk")} AS kk_ok,
    CASE WHEN nik_date IS NOT NULL
         THEN pg_temp.registry_nik_date_ok(nik_date, %(today)s) AND nr.prefix IS NOT NULL
         ELSE false END AS nik_ok,
    CASE WHEN pg_temp.registry_ymd_ok(ymd[1], ymd[2], ymd[3]) THEN make_date(ymd[1], ymd[2], ymd[3]) END
      AS birth_date,
    rel.value AS relationship,
    r.id AS village_id,
    CASE WHEN length(year_text) = 4 AND {DIGITS.format("year_text")} THEN year_text::int END AS year,
    CASE WHEN length(decile_text) BETWEEN 1 AND 2 AND {DIGITS.format("decile_text")} THEN decile_text::int END
      AS decile
  FROM d
  LEFT JOIN registry_nik_region nr ON nr.prefix = left(d.nik, 4)
  LEFT JOIN registry_relationship rel ON rel.word = d.relationship_word
  LEFT JOIN {Region._meta.db_table} r ON r.code = d.village_code AND r.level IN ('kelurahan', 'kampung')
  OFFSET 0
)
SELECT line, kk, nik, nik_ok, full_name, sex, birth_place, birth_date, relationship, address,
  CASE WHEN cardinality(name_words) <= {NAME_SPLIT_WORDS} THEN name_words END AS name_words,
  CASE WHEN rt_text = '' THEN '' ELSE lpad(rt_digits, 3, '0') END AS rt,
  CASE WHEN rw_text = '' THEN '' ELSE lpad(rw_digits, 3, '0') END AS rw,
  village_id, source, year, national_id, CASE WHEN decile BETWEEN 1 AND 10 THEN decile END AS decile,
  CASE WHEN kk_ok AND nik_ok AND full_name <> '' AND length(full_name) <= {MAX_NAME} AND sex IN ('L', 'P')
        AND length(birth_place) <= {MAX_BIRTH_PLACE} AND birth_date <= %(today)s AND relationship IS NOT NULL
        AND address <> '' AND length(address) <= {MAX_ADDRESS} AND (rt_text = '' OR rt_digits IS NOT NULL)
        AND (rw_text = '' OR rw_digits IS NOT NULL) AND village_id IS NOT NULL AND length(source) <= {MAX_SOURCE}
        AND (year_text = '' OR year BETWEEN 1900 AND %(max_year)s)
        AND length(national_id) <= {MAX_NATIONAL_ID} AND (decile_text = '' OR decile BETWEEN 1 AND 10)
  THEN '{{}}'::text[]  -- the common case: a valid row, without building the list below
  ELSE array_remove(ARRAY[
    CASE WHEN NOT kk_ok THEN 'kk' END,
    CASE WHEN NOT nik_ok THEN 'nik' END,
    CASE WHEN full_name = '' THEN 'name_required' WHEN length(full_name) > {MAX_NAME} THEN 'name_long' END,
    CASE WHEN sex NOT IN ('L', 'P') THEN 'sex_invalid' END,
    CASE WHEN length(birth_place) > {MAX_BIRTH_PLACE} THEN 'birth_place_long' END,
    CASE WHEN birth_text = '' THEN 'birth_date_required'
         WHEN ymd IS NULL THEN 'birth_date_format'
         WHEN birth_date IS NULL THEN 'birth_date_invalid'
         WHEN birth_date > %(today)s THEN 'birth_date_future' END,
    CASE WHEN relationship IS NULL THEN 'relationship_invalid' END,
    CASE WHEN address = '' THEN 'address_required' WHEN length(address) > {MAX_ADDRESS} THEN 'address_long' END,
    CASE WHEN rt_text <> '' AND rt_digits IS NULL THEN 'rt_invalid' END,
    CASE WHEN rw_text <> '' AND rw_digits IS NULL THEN 'rw_invalid' END,
    CASE WHEN village_id IS NULL THEN 'village_unknown' END,
    CASE WHEN length(source) > {MAX_SOURCE} THEN 'source_long' END,
    CASE WHEN year_text <> '' AND (year IS NULL OR year NOT BETWEEN 1900 AND %(max_year)s) THEN 'year_invalid' END,
    CASE WHEN length(national_id) > {MAX_NATIONAL_ID} THEN 'national_id_long' END,
    CASE WHEN decile_text <> '' AND (decile IS NULL OR decile NOT BETWEEN 1 AND 10) THEN 'decile_invalid' END
  ], NULL) END AS reasons
FROM v
"""

# A valid NIK seen on an earlier line: the NIKs that occur more than once, with their first
# line, by hashing (no sort of a million NIKs).
DUPLICATES_SQL = """
UPDATE registry_clean c SET reasons = c.reasons || ('nik_duplicate:' || f.first_line)
FROM (
  SELECT nik, min(line) AS first_line FROM registry_clean WHERE nik_ok GROUP BY nik HAVING count(*) > 1
) f
WHERE c.nik = f.nik AND c.nik_ok AND c.line > f.first_line
"""


def _fixed_columns(model, skip: set[str]) -> dict[str, object]:
    """Columns the file does not fill, with the model's default (a column added later by
    another app keeps working). Generated columns are never written."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in skip or isinstance(field, models.GeneratedField):
            continue
        value = field.get_default() if field.has_default() or not field.null else None
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def _fixed_sql(fixed: dict[str, object]) -> tuple[str, str]:
    """The extra column names and their parameters, each preceded by a comma."""
    return "".join(f", {c}" for c in fixed), "".join(f", %(fixed_{c})s" for c in fixed)


# The households to write: the first valid row of each KK describes it; a stored household
# that the file leaves as it is is not written (an upsert would lock and log it).
HOUSEHOLD_PLAN_SQL = f"""
CREATE TEMP TABLE registry_household AS
WITH src AS (
  SELECT DISTINCT ON (kk COLLATE "C") line, kk, address, rt, rw, village_id, source, year, national_id, decile
  FROM registry_clean WHERE cardinality(reasons) = 0
  ORDER BY kk COLLATE "C", line  -- "C": bytes compared, the same groups, a faster sort
)
SELECT src.*, h.id AS household_id, h.registry_status AS old_status, h.registry_source AS old_source
FROM src LEFT JOIN {Household._meta.db_table} h ON h.kk_number = src.kk
WHERE h.id IS NULL OR NOT (
  (h.address, h.rt, h.rw, h.village_id, h.registry_status) IS NOT DISTINCT FROM
    (src.address, src.rt, src.rw, src.village_id, %(listed)s)
  AND h.registry_source = coalesce(nullif(src.source, ''), h.registry_source)
  AND h.registry_year IS NOT DISTINCT FROM coalesce(src.year, h.registry_year)
  AND h.national_id = coalesce(nullif(src.national_id, ''), h.national_id)
  AND h.decile IS NOT DISTINCT FROM coalesce(src.decile, h.decile))
"""

# A written household gets a RegistryChange row when it is new or its status or source changed.
REGISTRY_CHANGES = f"""
INSERT INTO {RegistryChange._meta.db_table}
  (household_id, at, from_status, to_status, source, year, reason, reference, changed_by_id)
SELECT w.id, now(), coalesce(w.old_status, ''), w.registry_status, w.registry_source, w.registry_year,
       %(reason)s, %(reference)s, %(user_id)s
FROM written w
WHERE w.old_status IS NULL OR w.old_status IS DISTINCT FROM w.registry_status
   OR w.old_source IS DISTINCT FROM w.registry_source
RETURNING 1
"""
HOUSEHOLD_COLUMNS = (
    "kk_number, address, rt, rw, village_id, registry_status, registry_source, registry_year, created_at,"
    " updated_at, created_by_id, national_id, decile, decile_as_of"
)
HOUSEHOLD_VALUES = (
    "r.kk, r.address, r.rt, r.rw, r.village_id, %(listed)s, r.source, r.year, now(), now(), %(user_id)s,"
    " r.national_id, r.decile, CASE WHEN r.decile IS NOT NULL THEN %(as_of)s::date END"
)
# A file without the national identifier or the decile keeps what is stored; the decile's date
# moves when the decile does. {0}: what is written (EXCLUDED in an upsert, r in an update).
NATIONAL_SET = (
    "national_id = coalesce(nullif({0}.national_id, ''), h.national_id), decile = coalesce({0}.decile, h.decile),"
    " decile_as_of = CASE WHEN {0}.decile IS NOT NULL AND {0}.decile IS DISTINCT FROM h.decile"
    " THEN %(as_of)s::date ELSE h.decile_as_of END"
)


def _households_upsert_sql(fixed: dict[str, object]) -> str:
    """New and changed households in one statement. A household of the same KK stored meanwhile
    by someone else is updated."""
    h = Household._meta.db_table
    fixed_cols, fixed_vals = _fixed_sql(fixed)
    return f"""
WITH up AS (
  INSERT INTO {h} AS h ({HOUSEHOLD_COLUMNS}{fixed_cols})
  SELECT {HOUSEHOLD_VALUES}{fixed_vals} FROM registry_household r ORDER BY r.line
  ON CONFLICT (kk_number) WHERE kk_number IS NOT NULL DO UPDATE SET
    address = EXCLUDED.address, rt = EXCLUDED.rt, rw = EXCLUDED.rw, village_id = EXCLUDED.village_id,
    registry_status = EXCLUDED.registry_status,
    registry_source = coalesce(nullif(EXCLUDED.registry_source, ''), h.registry_source),
    registry_year = coalesce(EXCLUDED.registry_year, h.registry_year),
    {NATIONAL_SET.format("EXCLUDED")},
    updated_at = now()
  WHERE (h.address, h.rt, h.rw, h.village_id, h.registry_status, h.registry_source, h.registry_year,
         h.national_id, h.decile)
    IS DISTINCT FROM (EXCLUDED.address, EXCLUDED.rt, EXCLUDED.rw, EXCLUDED.village_id,
                      EXCLUDED.registry_status,
                      coalesce(nullif(EXCLUDED.registry_source, ''), h.registry_source),
                      coalesce(EXCLUDED.registry_year, h.registry_year),
                      coalesce(nullif(EXCLUDED.national_id, ''), h.national_id),
                      coalesce(EXCLUDED.decile, h.decile))
  RETURNING h.id, (h.xmax = 0) AS created, h.registry_status, h.registry_source, h.registry_year
), written AS (
  SELECT up.*, r.old_status, r.old_source FROM up LEFT JOIN registry_household r ON r.household_id = up.id
), rc AS ({REGISTRY_CHANGES})
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created), (SELECT count(*) FROM rc)
FROM up
"""


HOUSEHOLDS_UPDATE_SQL = f"""
WITH written AS (
  UPDATE {Household._meta.db_table} h SET
    address = r.address, rt = r.rt, rw = r.rw, village_id = r.village_id, registry_status = %(listed)s,
    registry_source = coalesce(nullif(r.source, ''), h.registry_source),
    registry_year = coalesce(r.year, h.registry_year), {NATIONAL_SET.format("r")}, updated_at = now()
  FROM registry_household r WHERE h.id = r.household_id
  RETURNING h.id, h.registry_status, h.registry_source, h.registry_year, r.old_status, r.old_source
), rc AS ({REGISTRY_CHANGES})
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM rc)
"""


def _households_insert_sql(fixed: dict[str, object]) -> str:
    """New households only, in the file's order, for a big import (the table is locked)."""
    fixed_cols, fixed_vals = _fixed_sql(fixed)
    return f"""
WITH written AS (
  INSERT INTO {Household._meta.db_table} ({HOUSEHOLD_COLUMNS}{fixed_cols})
  SELECT {HOUSEHOLD_VALUES}{fixed_vals} FROM registry_household r WHERE r.household_id IS NULL ORDER BY r.line
  RETURNING id, registry_status, registry_source, registry_year, NULL::text AS old_status, NULL::text AS old_source
), rc AS ({REGISTRY_CHANGES})
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM rc)
"""


# A name of ASCII letters and spaces of at most NAME_SPLIT_WORDS words (most names): the cells
# stage splits it into its words, lower-cased (name_words), which is what pandu_name_words
# gives for it (unaccent leaves ASCII letters alone). Its key is then its words' keys joined,
# each word's key computed once per import (registry_word). Other names (name_words NULL) go
# through pandu_name_key itself.
NAME_SPLIT_WORDS = 4
NAME_WORDS = (
    "CASE WHEN %(split_names)s AND {0} ~ '^[A-Za-z ]+$'"
    " THEN string_to_array(lower(" + COLLAPSE + "), ' ') END"
)
WORD_KEYS_SQL = """
CREATE TEMP TABLE registry_word AS
SELECT word, pandu_name_word_key(word) AS key FROM (
  SELECT DISTINCT unnest(name_words) AS word FROM registry_clean WHERE cardinality(reasons) = 0
) d
"""
_WORD_JOINS = "".join(
    f" LEFT JOIN registry_word k{i} ON k{i}.word = c.name_words[{i}]" for i in range(1, NAME_SPLIT_WORDS + 1)
)
_JOINED_KEYS = ", ".join(f"nullif(k{i}.key, '')" for i in range(1, NAME_SPLIT_WORDS + 1))

# The persons to write: valid rows whose NIK is new or whose stored record differs, with their
# name keys. An unchanged person is not written at all (no new row version, no trigger work).
PERSON_PLAN_SQL = f"""
CREATE TEMP TABLE registry_person AS
SELECT c.line, c.nik, c.full_name, c.sex, c.birth_place, c.birth_date, c.relationship,
       h.id AS household_id, p.id AS person_id, c.name_words IS NOT NULL AS simple,
       CASE WHEN c.name_words IS NOT NULL THEN concat_ws(' ', {_JOINED_KEYS}) ELSE pandu_name_key(c.full_name) END
         AS name_key
FROM registry_clean c
JOIN {Household._meta.db_table} h ON h.kk_number = c.kk
LEFT JOIN {Person._meta.db_table} p ON p.nik = c.nik{_WORD_JOINS}
WHERE cardinality(c.reasons) = 0
  AND (p.id IS NULL
       OR (p.full_name, p.sex, p.birth_place, p.birth_date, p.relationship, p.household_id)
          IS DISTINCT FROM (c.full_name, c.sex, c.birth_place, c.birth_date, c.relationship, h.id))
"""

# A big import loads persons with the search-name trigger off: the new persons' names, and their
# words, go in here at once (the trigger of migration clients 0012 does the same per statement). The
# words of the simple names are among registry_word's keys; each of those is a word of a name
# of the file, stored now or before.
SEARCH_NAMES_SQL = f"""
WITH added AS (
  INSERT INTO {SearchName._meta.db_table} (key)
  SELECT DISTINCT r.name_key FROM registry_person r
  WHERE r.person_id IS NULL AND r.name_key <> ''
    AND NOT EXISTS (SELECT 1 FROM {SearchName._meta.db_table} s WHERE s.key = r.name_key)
  RETURNING 1
), words AS (
  INSERT INTO {SearchWord._meta.db_table} (word)
  SELECT DISTINCT word FROM (
    SELECT key AS word FROM registry_word
    UNION ALL
    SELECT unnest(string_to_array(name_key, ' ')) FROM registry_person WHERE person_id IS NULL AND NOT simple
  ) w
  WHERE word <> ''
  ON CONFLICT (word) DO NOTHING
)
SELECT count(*) FROM added
"""

PERSON_COLUMNS = "nik, full_name, name_key, sex, birth_place, birth_date, relationship, household_id"
# What a changed person gets, from the row written ({0}: EXCLUDED in an upsert, r in an update).
PERSON_SET = "".join(
    f"{column} = {{0}}.{column}, " for column in PERSON_COLUMNS.split(", ") if column != "nik"
) + "updated_at = now()"
PERSON_VALUES = ", ".join(f"r.{column}" for column in PERSON_COLUMNS.split(", "))
CHANGED = ("(p.full_name, p.sex, p.birth_place, p.birth_date, p.relationship, p.household_id) IS DISTINCT FROM "
           "(EXCLUDED.full_name, EXCLUDED.sex, EXCLUDED.birth_place, EXCLUDED.birth_date, EXCLUDED.relationship,"
           " EXCLUDED.household_id)")  # fmt: skip


def _persons_upsert_sql(fixed: dict[str, object]) -> str:
    """New and changed persons in one statement, in the file's order (ids as the row-by-row path
    gives them). A person of the same NIK stored meanwhile by someone else is updated."""
    fixed_cols, fixed_vals = _fixed_sql(fixed)
    return f"""
WITH up AS (
  INSERT INTO {Person._meta.db_table} AS p ({PERSON_COLUMNS}, created_at, updated_at, created_by_id{fixed_cols})
  SELECT {PERSON_VALUES}, now(), now(), %(user_id)s{fixed_vals}
  FROM registry_person r
  ORDER BY r.line
  ON CONFLICT (nik) WHERE nik IS NOT NULL DO UPDATE SET {PERSON_SET.format("EXCLUDED")}
  WHERE {CHANGED}
  RETURNING (p.xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up
"""


PERSONS_UPDATE_SQL = f"""
UPDATE {Person._meta.db_table} p SET {PERSON_SET.format("r")}
FROM registry_person r
WHERE p.id = r.person_id
"""


def _persons_insert_sql(fixed: dict[str, object]) -> str:
    """New persons only, in the file's order, for a big import: no other session writes persons
    meanwhile (the table is locked) and the NIK's unique index is being rebuilt."""
    fixed_cols, fixed_vals = _fixed_sql(fixed)
    return f"""
INSERT INTO {Person._meta.db_table} ({PERSON_COLUMNS}, created_at, updated_at, created_by_id{fixed_cols})
SELECT {PERSON_VALUES}, now(), now(), %(user_id)s{fixed_vals}
FROM registry_person r
WHERE r.person_id IS NULL
ORDER BY r.line
"""


def _work_tables(cursor) -> tuple[str, str]:
    """The names of the staging and cells tables. They are UNLOGGED, not TEMP, so that parallel
    workers can read them; named after the session, so that an import in another session never
    meets them; created and dropped inside the import's transaction (a rollback drops them too)."""
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    return f"registry_stage_{pid}", f"registry_cells_{pid}"


def _create_stage(cursor, stage: str, file_columns: list[str] | None = None) -> None:
    """The staging table: one text column per template column ('' when the file lacks it) and,
    for a raw COPY, one per other column of the file, in the file's order."""
    names = list(file_columns or STAGE_COLUMNS)
    names += [name for name in STAGE_COLUMNS if name not in names]
    columns = [f"{name} text NOT NULL DEFAULT ''" for name in names]
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(
        f"CREATE UNLOGGED TABLE {stage} (line integer GENERATED BY DEFAULT AS IDENTITY (START WITH 2 CACHE 100000), "
        + ", ".join(columns)
        + ")"
    )


def _copy_raw(cursor, stage: str, registry_file) -> int | None:
    """COPY the CSV file's bytes straight into the staging table (PostgreSQL parses the CSV).
    Returns the row count, or None when the file is not plain enough for it (blank lines,
    ragged rows): the caller then reads it row by row. Line numbers are the same either way."""
    spec = registry_file.raw_copy_spec()
    if spec is None:
        return None
    file_columns = [name.lower() if name else f"extra_{i}" for i, name in enumerate(spec.columns)]
    try:
        with transaction.atomic():
            _create_stage(cursor, stage, file_columns)
            names = ", ".join(file_columns)
            options = (
                f"FORMAT csv, HEADER true, DELIMITER '{spec.delimiter}', ENCODING '{spec.encoding}', "
                f"FORCE_NOT_NULL ({names})"
            )
            with (
                open(registry_file.path, "rb") as handle,
                cursor.copy(f"COPY {stage} ({names}) FROM STDIN WITH ({options})") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f"SELECT count(*) FROM {stage}")
            return cursor.fetchone()[0]
    except (DatabaseError, psycopg.Error) as error:
        logger.info("registry fast path: raw COPY refused the file (%s); reading row by row", error)
        return None


def _copy_rows(cursor, stage: str, registry_file, progress) -> int:
    _create_stage(cursor, stage)
    columns = ", ".join(STAGE_COLUMNS)
    count = 0
    with cursor.copy(f"COPY {stage} (line, {columns}) FROM STDIN") as copy:
        write = copy.write_row
        for line, values in registry_file.rows():
            write((line, *values))
            count += 1
            if not count % 50_000:
                progress("read", count)
    return count


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def _is_big(cursor) -> bool:
    """A file with at least half as many valid rows as the registry has persons (and at least
    BIG_IMPORT_ROWS) is a big import: it locks the registry's tables for the rest of its
    transaction, so that it may load them without their indexes (bulk.py)."""
    cursor.execute("SELECT count(*) FROM registry_clean WHERE cardinality(reasons) = 0")
    valid = cursor.fetchone()[0]
    return valid >= max(BIG_IMPORT_ROWS, _count(cursor, Person._meta.db_table) / 2) and bulk.lock_tables(
        cursor, BIG_IMPORT_TABLES, timeout=BIG_IMPORT_LOCK_TIMEOUT
    )


def _worth_rebuilding(cursor, table: str, new: int) -> bool:
    """Building an index costs about a quarter of keeping it up to date row by row, so loading
    without them pays from about a third as many new rows as stored ones."""
    return new >= max(BIG_IMPORT_ROWS, _count(cursor, table) / 2)


def _households(cursor, result, *, user_id, reference: str, big: bool, as_of) -> None:
    skip = {"id", "kk_number", "address", "rt", "rw", "village_id", "registry_status", "registry_source",
            "registry_year", "created_at", "updated_at", "created_by_id", "national_id", "decile",
            "decile_as_of"}  # fmt: skip
    fixed = _fixed_columns(Household, skip)
    params = {
        "as_of": as_of,
        "user_id": user_id,
        **{f"fixed_{column}": value for column, value in fixed.items()},
        "listed": RegistryStatus.LISTED.value,
        "reason": _("Registry import"),
        "reference": reference,
    }
    _execute(cursor, "households to write", HOUSEHOLD_PLAN_SQL, params)
    cursor.execute("ANALYZE registry_household")
    cursor.execute("SELECT count(*) FROM registry_household WHERE household_id IS NULL")
    new = cursor.fetchone()[0]
    households, changes = Household._meta.db_table, RegistryChange._meta.db_table
    if not (big and _worth_rebuilding(cursor, households, new)):
        _execute(cursor, "households", _households_upsert_sql(fixed), params)
        result.households_created, result.households_updated, result.registry_changes = cursor.fetchone()
        return
    with (
        bulk.rebuilt(cursor, households),
        bulk.rebuilt(cursor, changes) if _worth_rebuilding(cursor, changes, new) else nullcontext(),
    ):
        _execute(cursor, "households updated", HOUSEHOLDS_UPDATE_SQL, params)
        result.households_updated, updated_changes = cursor.fetchone()
        _execute(cursor, "households created", _households_insert_sql(fixed), params)
        result.households_created, created_changes = cursor.fetchone()
        result.registry_changes = updated_changes + created_changes


def _persons(cursor, result, *, user_id, big: bool) -> None:
    skip = {"id", "nik", "full_name", "name_key", "sex", "birth_place", "birth_date", "relationship",
            "household_id", "created_at", "updated_at", "created_by_id"}  # fmt: skip
    fixed = _fixed_columns(Person, skip)
    params = {"user_id": user_id, **{f"fixed_{column}": value for column, value in fixed.items()}}
    _execute(cursor, "name words", WORD_KEYS_SQL)
    cursor.execute("ANALYZE registry_word")
    _execute(cursor, "persons to write", PERSON_PLAN_SQL)
    cursor.execute("ANALYZE registry_person")
    cursor.execute("SELECT count(*) FROM registry_person WHERE person_id IS NULL")
    new = cursor.fetchone()[0]
    if not (big and _worth_rebuilding(cursor, Person._meta.db_table, new)):
        with bulk.name_keys_given(cursor):
            _execute(cursor, "persons", _persons_upsert_sql(fixed), params)
            result.persons_created, result.persons_updated = cursor.fetchone()
        return
    # New persons go in without the row triggers: their name keys are computed, and their names
    # go into clients_searchname at once (without its indexes too when they are many).
    with (
        bulk.rebuilt(cursor, Person._meta.db_table),
        bulk.rebuilt(cursor, SearchName._meta.db_table)
        if _worth_rebuilding(cursor, SearchName._meta.db_table, new)
        else nullcontext(),
        bulk.triggers_off(cursor, Person._meta.db_table, PERSON_INSERT_TRIGGERS_OFF),
    ):
        _execute(cursor, "persons updated", PERSONS_UPDATE_SQL)
        result.persons_updated = cursor.rowcount
        _execute(cursor, "search names", SEARCH_NAMES_SQL)
        _execute(cursor, "persons created", _persons_insert_sql(fixed), params)
        result.persons_created = cursor.rowcount


def _ascii_letters_unaccented(cursor) -> bool:
    """Whether unaccent leaves the ASCII letters as they are (its standard rules do): then a name
    of ASCII letters has the words NAME_WORDS splits it into."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    cursor.execute("SELECT pandu_unaccent(%s) = %s", [letters, letters])
    return cursor.fetchone()[0]


def import_fast(
    registry_file, *, result, today, default_source, user, reference, progress, may_lock=True, as_of=None
) -> None:
    user_id = getattr(user, "pk", None)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The per-row work (regular expressions on every cell) costs far more than the planner's
        # estimate of it: sharing the rows with parallel workers always pays.
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
        try:  # more memory for the staging tables; only possible before a session's first one
            with transaction.atomic():
                cursor.execute("SET LOCAL temp_buffers = '512MB'")
        except (DatabaseError, psycopg.Error):
            pass
        cursor.execute(SETUP_SQL)
        with cursor.copy("COPY registry_relationship (word, value) FROM STDIN") as copy:
            for word, value in RELATIONSHIPS.items():
                copy.write_row((word, str(value)))
        with cursor.copy("COPY registry_nik_region (prefix) FROM STDIN") as copy:
            for prefix in sorted(nik_region_prefixes()):
                copy.write_row((prefix,))

        started = time.perf_counter()
        stage, cells = _work_tables(cursor)
        count = _copy_raw(cursor, stage, registry_file)
        result.read_mode = "copy"
        if count is None:
            count = _copy_rows(cursor, stage, registry_file, progress)
            result.read_mode = "rows"
        logger.info(
            "registry fast path: reading (%s) took %.2f s",
            result.read_mode,
            time.perf_counter() - started,
        )
        result.rows = count
        progress("read", count)

        params = {
            "today": today,
            "max_year": today.year + 1,
            "default_source": collapse(default_source),
            "split_names": _ascii_letters_unaccented(cursor),
        }
        cursor.execute(f"DROP TABLE IF EXISTS {cells}")
        _execute(cursor, "cells", _cells_sql(stage, cells), params)
        _execute(cursor, "clean", _clean_sql(cells), params)
        _execute(cursor, "duplicates", DUPLICATES_SQL)
        # The planner's row counts for the stages below, the valid rows' too (without statistics
        # on cardinality(reasons) it guesses 0.5% of them, and hashes a million rows).
        cursor.execute(
            "CREATE STATISTICS pg_temp.registry_clean_reasons ON (cardinality(reasons)) FROM registry_clean"
        )
        cursor.execute("ANALYZE registry_clean")
        _execute(
            cursor,
            "rejected",
            "SELECT c.line, c.reasons, "
            + ", ".join(f"s.{column}" for column in STAGE_COLUMNS)
            + f" FROM registry_clean c JOIN {stage} s USING (line)"
            " WHERE cardinality(c.reasons) > 0 ORDER BY c.line",
        )
        result.rejected = [
            Rejected(row[0], list(row[1]), list(row[2:])) for row in cursor.fetchall()
        ]
        progress("checked", count)

        big = result.big = may_lock and _is_big(cursor)
        _households(cursor, result, user_id=user_id, reference=reference, big=big, as_of=as_of or today)
        progress("households", count)

        _persons(cursor, result, user_id=user_id, big=big)
        cursor.execute(
            f"DROP TABLE {stage}, {cells}, registry_clean, registry_relationship, registry_nik_region,"
            " registry_household, registry_word, registry_person"
        )
        progress("persons", count)
