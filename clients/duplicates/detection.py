"""The registry-wide duplicate check: pairs worth a look found by blocking in PostgreSQL, each
scored by ``scoring.score``, kept as DuplicateCandidate rows for the data officer's review.

Never all pairs: only persons with names alike (similar by trigrams, or equal once the words
are joined) who also share a block are compared:
- born the same day, of one sex;
- born on the day with day and month swapped, of one sex;
- NIKs equal in their first 12 digits (a slip in the serial) or in their last 10 (a slip in
  the region code).
A NIK slip in its birth-date digits is found by the first two blocks (the birth date itself is
a separate field). The same blocks and score serve registration (``person_candidates``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from clients.duplicates import scoring
from clients.models import DuplicateCandidate

# Names at least this alike (pg_trgm similarity of the keys) are compared within a block.
BLOCK_SIMILARITY = 0.45

_PERSON_COLUMNS = "id, nik, name_key, sex, birth_date, village_id, household_id, relationship"

_PERSONS_SQL = (
    "CREATE TEMP TABLE dup_persons ON COMMIT DROP AS"
    f" SELECT p.id, p.nik, p.name_key, {scoring.JOINED_KEY_SQL.format(col='p.name_key')} AS joined,"
    " p.sex, p.birth_date, h.village_id, p.household_id, p.relationship,"
    # the birth date with day and month swapped, where the day can be a month
    " CASE WHEN extract(day FROM p.birth_date) <= 12 THEN make_date(extract(year FROM p.birth_date)::int,"
    "  extract(day FROM p.birth_date)::int, extract(month FROM p.birth_date)::int) END AS swapped"
    " FROM clients_person p LEFT JOIN clients_household h ON h.id = p.household_id"
    " WHERE p.anonymised_at IS NULL"
)

_ALIKE = f"(a.joined = b.joined OR similarity(a.name_key, b.name_key) >= {BLOCK_SIMILARITY})"

# Every block asks for names alike: a NIK a typo away from a stranger's is common (serials
# follow each other; the kecamatan codes differ by a digit) and says nothing without the name.
# Persons of the other sex are not paired: the score would not make them candidates.
_PAIRS_SQL = (
    "CREATE TEMP TABLE dup_pairs ON COMMIT DROP AS"
    " SELECT a.id AS a, b.id AS b FROM dup_persons a JOIN dup_persons b"
    f"  ON b.birth_date = a.birth_date AND b.sex = a.sex AND b.id > a.id WHERE {_ALIKE}"
    " UNION"
    " SELECT least(a.id, b.id), greatest(a.id, b.id) FROM dup_persons a JOIN dup_persons b"
    f"  ON b.birth_date = a.swapped AND b.sex = a.sex AND a.swapped > a.birth_date WHERE {_ALIKE}"
    " UNION"
    " SELECT a.id, b.id FROM dup_persons a JOIN dup_persons b"
    f"  ON left(b.nik, 12) = left(a.nik, 12) AND b.id > a.id WHERE {_ALIKE}"
    " UNION"
    " SELECT a.id, b.id FROM dup_persons a JOIN dup_persons b"
    f"  ON right(b.nik, 10) = right(a.nik, 10) AND b.id > a.id WHERE {_ALIKE}"
)

_SCORED_ROWS_SQL = (
    f"SELECT {', '.join('a.' + c for c in _PERSON_COLUMNS.split(', '))},"
    f" {', '.join('b.' + c for c in _PERSON_COLUMNS.split(', '))}"
    " FROM dup_pairs x JOIN dup_persons a ON a.id = x.a JOIN dup_persons b ON b.id = x.b"
    " WHERE NOT EXISTS (SELECT 1 FROM clients_duplicatecandidate c"
    "  WHERE c.person_a_id = x.a AND c.person_b_id = x.b AND c.state = 'not_same')"
)

_STORE_SQL = """
INSERT INTO clients_duplicatecandidate
    (created_at, updated_at, person_a_id, person_b_id, score, level, reasons, state)
SELECT now(), now(), a, b, score, level, reasons, 'open' FROM dup_found
ON CONFLICT ON CONSTRAINT duplicate_pair_unique DO UPDATE
    SET score = EXCLUDED.score, level = EXCLUDED.level, reasons = EXCLUDED.reasons, updated_at = now()
    WHERE clients_duplicatecandidate.state <> 'not_same'
      AND (clients_duplicatecandidate.score, clients_duplicatecandidate.reasons)
          IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.reasons);
DELETE FROM clients_duplicatecandidate c WHERE c.state IN ('open', 'later')
    AND NOT EXISTS (SELECT 1 FROM dup_found f WHERE f.a = c.person_a_id AND f.b = c.person_b_id);
"""


@dataclass(frozen=True)
class Found:
    person_a: int
    person_b: int
    score: int
    level: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    found: list[Found]
    compared: int
    seconds: float

    @property
    def likely(self) -> int:
        return sum(1 for pair in self.found if pair.level == DuplicateCandidate.Level.LIKELY)

    def summary_line(self) -> str:
        return f"compared={self.compared} likely={self.likely} possible={len(self.found) - self.likely}"


def _record(row) -> scoring.Record:
    return scoring.Record(*row)


@transaction.atomic
def duplicates_check(*, dry_run: bool = False) -> CheckResult:
    """Compare the persons who share a block, store the pairs at or above the "possible"
    threshold as open candidates (a pair decided "not the same person" is left as decided and
    never proposed again; a pair that no longer scores leaves the queue), and return them.
    Idempotent: run twice, the second run changes nothing. ``dry_run``: store nothing."""
    started = time.monotonic()
    width = len(_PERSON_COLUMNS.split(", "))
    found: list[Found] = []
    compared = 0
    with connection.cursor() as cursor:
        # (dropped at commit; here too, for a caller's transaction that runs the check twice)
        cursor.execute("DROP TABLE IF EXISTS dup_found, dup_pairs, dup_persons")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_PERSONS_SQL)
        cursor.execute("ANALYZE dup_persons")
        cursor.execute(_PAIRS_SQL)
    with connection.chunked_cursor() as cursor:
        cursor.execute(_SCORED_ROWS_SQL)
        while rows := cursor.fetchmany(5000):
            compared += len(rows)
            for row in rows:
                result = scoring.score(_record(row[:width]), _record(row[width:]))
                level = result.level
                if level:
                    found.append(Found(row[0], row[width], result.points, level, result.reasons))
    if not dry_run:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE dup_found (a bigint, b bigint, score smallint, level text, reasons text[])"
                " ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY dup_found FROM STDIN") as copy:
                for pair in found:
                    copy.write_row((pair.person_a, pair.person_b, pair.score, pair.level, list(pair.reasons)))
            cursor.execute(_STORE_SQL)
    found.sort(key=lambda pair: (-pair.score, pair.person_a, pair.person_b))
    return CheckResult(found, compared, time.monotonic() - started)


def person_candidates(
    *, record: scoring.Record, limit: int = 10
) -> list[tuple[int, scoring.Score]]:
    """Registration's check: the persons already registered who score at or above "possible"
    against what the officer typed, best first, as (id, score). Blocks as the registry-wide
    check: a similar name born the same day or with day and month swapped, or a NIK a slip away."""
    conditions, params = [], []
    if record.birth_date is not None:
        dates = [record.birth_date]
        if record.birth_date.day <= 12 and record.birth_date.day != record.birth_date.month:
            dates.append(record.birth_date.replace(month=record.birth_date.day, day=record.birth_date.month))
        conditions.append(
            f"(p.birth_date = ANY(%s) AND (p.name_key %% %s OR {scoring.JOINED_KEY_SQL.format(col='p.name_key')} = %s))"
        )
        params += [dates, record.name_key, scoring.joined_key(record.name_key)]
    if record.nik:
        conditions.append("(left(p.nik, 12) = left(%s, 12) OR right(p.nik, 10) = right(%s, 10))")
        params += [record.nik, record.nik]
    if not conditions or not record.name_key:
        return []
    sql = (
        f"SELECT p.{', p.'.join(_PERSON_COLUMNS.split(', '))}".replace("p.village_id", "h.village_id")
        + " FROM clients_person p LEFT JOIN clients_household h ON h.id = p.household_id"
        f" WHERE ({' OR '.join(conditions)}) AND p.id <> %s AND p.anonymised_at IS NULL LIMIT 200"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT set_config('pg_trgm.similarity_threshold', '{BLOCK_SIMILARITY}', true)")
        cursor.execute(sql, [*params, record.id or 0])
        rows = cursor.fetchall()
    scored = [(row[0], scoring.score(record, _record(row))) for row in rows]
    scored = [(pk, result) for pk, result in scored if result.level]
    scored.sort(key=lambda item: (-item[1].points, item[0]))
    return scored[:limit]

