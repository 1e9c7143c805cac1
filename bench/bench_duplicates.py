"""Duplicate check over 1,000,000 persons < 10 minutes on 2 cores (DESIGN.md, Targets).

The persons are bench_search's (generated once, reused), with planted duplicates: a copy of
some persons without NIK, with a NIK one digit off, or with the name written another way.
Times `clients.duplicates.detection.duplicates_check` (blocking on birth dates, name keys and
NIK prefixes in PostgreSQL, each pair scored in Python), against the baseline in the same
process: blocking on the full name alone (every pair of persons with the same written name
scored by the same function), which misses every spelling variant.
"""

from __future__ import annotations

import random
import time

from bench.bench_search import PERSONS, _ensure_persons
from bench.common import Line, target_line

PLANTED_SHARE = 0.002  # of the persons, copied as duplicates


def _plant(count: int) -> int:
    """Copy ``count`` persons as the duplicates real registries hold (once per database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_person WHERE birth_place = 'Bench duplicate'")
        if cursor.fetchone()[0]:
            return 0
        # a third without NIK; a third with a NIK whose last digit is one off; a third with the
        # name's words joined (a space dropped) and no NIK
        cursor.execute(
            "INSERT INTO clients_person (created_at, updated_at, household_id, nik, no_nik_reason, full_name,"
            " name_key, sex, birth_place, birth_date, relationship, education, occupation, disability,"
            " chronic_illness, phone, life_status, photo, photo_thumb)"
            " SELECT now(), now(), household_id,"
            "  CASE WHEN id %% 3 = 1 AND nik IS NOT NULL"
            "   THEN left(nik, 15) || ((right(nik, 1)::int + 5) %% 10)::text END,"
            "  CASE WHEN id %% 3 = 1 AND nik IS NOT NULL THEN '' ELSE 'Belum punya KTP' END,"
            "  CASE WHEN id %% 3 = 2 THEN regexp_replace(full_name, ' ', '') ELSE full_name END,"
            "  '', sex, 'Bench duplicate', birth_date, relationship, '', '', '', '', '', 'active', '', ''"
            " FROM (SELECT * FROM clients_person WHERE id %% %s = 0 LIMIT %s) picked"
            " WHERE NOT EXISTS (SELECT 1 FROM clients_person p"
            "  WHERE p.nik = left(picked.nik, 15) || ((right(picked.nik, 1)::int + 5) %% 10)::text)",
            [max(1, int(1 / PLANTED_SHARE)), count],
        )
        planted = cursor.rowcount
        cursor.execute("ANALYZE clients_person")
        return planted


def _baseline() -> tuple[float, int]:
    """Blocking on the written full name only: the pairs with one name, scored the same way."""
    from django.db import connection

    from clients.duplicates import scoring

    started = time.perf_counter()
    found = 0
    columns = "id, nik, name_key, sex, birth_date, village_id, household_id, relationship"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE base_persons AS SELECT p.id, p.nik, p.name_key, p.sex, p.birth_date, h.village_id,"
            " p.household_id, p.relationship, p.full_name"
            " FROM clients_person p LEFT JOIN clients_household h ON h.id = p.household_id"
        )
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join('a.' + c for c in columns.split(', '))}, {', '.join('b.' + c for c in columns.split(', '))}"
            " FROM base_persons a JOIN base_persons b ON b.full_name = a.full_name AND b.id > a.id"
        )
        while rows := cursor.fetchmany(5000):
            for row in rows:
                if scoring.score(scoring.Record(*row[:8]), scoring.Record(*row[8:])).level:
                    found += 1
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE base_persons")
    return time.perf_counter() - started, found


def run(scale: float) -> list[Line]:
    from clients.duplicates.detection import duplicates_check

    persons = max(1000, int(PERSONS * scale))
    count, load_s = _ensure_persons(persons)
    lines: list[Line] = []
    if load_s:
        lines.append(Line(f"generated and loaded {count:,} persons in {load_s:.0f} s", True))
    planted = _plant(int(count * PLANTED_SHARE))
    if planted:
        lines.append(Line(f"planted {planted:,} duplicates (no NIK, a NIK one digit off, words joined)", True))
    random.seed(1)
    baseline_s, baseline_found = _baseline()
    result = duplicates_check(dry_run=True)
    lines.append(target_line(
        f"duplicate check of {count:,} persons ({result.compared:,} pairs compared, {len(result.found):,} found;"
        f" baseline found {baseline_found:,})",
        result.seconds, "s", 600, lower_is_better=True, baseline=baseline_s,
        baseline_name="blocking on the full name only",
    ))
    return lines
