"""Duplicate check over 1,000,000 persons < 10 minutes on 2 cores (DESIGN.md, Targets).

The persons are bench_search's (generated once, reused), with planted duplicates: a copy of
some persons without NIK, with a NIK one digit off, or with the name written another way.
Times `clients.duplicates.detection.duplicates_check` (blocking on birth dates, name keys and
NIK prefixes in PostgreSQL, each pair scored in Python) and counts the planted duplicates it
finds; the baseline in the same process is the naive check, the same written name and birth
date, which is fast and misses the names written another way. (Blocking on the written name
alone, every pair scored, is quadratic in a common name's count: 250 million pairs here.)
"""

from __future__ import annotations

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


def _baseline() -> tuple[float, set[int]]:
    """The naive check: the same written full name and birth date (one hash join in
    PostgreSQL). Returns its time and the persons it pairs."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, b.id FROM clients_person a JOIN clients_person b"
            " ON b.full_name = a.full_name AND b.birth_date = a.birth_date AND b.id > a.id"
        )
        paired = {pk for row in cursor.fetchall() for pk in row}
    return time.perf_counter() - started, paired


def _planted_ids() -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM clients_person WHERE birth_place = 'Bench duplicate'")
        return {row[0] for row in cursor.fetchall()}


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
    planted_ids = _planted_ids()
    baseline_s, baseline_paired = _baseline()
    result = duplicates_check(dry_run=True)
    found_planted = {pair.person_b for pair in result.found} & planted_ids
    lines.append(target_line(
        f"duplicate check of {count:,} persons ({result.compared:,} pairs compared, {len(result.found):,} found,"
        f" {len(found_planted):,} of {len(planted_ids):,} planted duplicates)",
        result.seconds, "s", 600, lower_is_better=True,
    ))
    lines.append(Line(
        f"baseline, the same written name and birth date: {baseline_s:,.1f} s,"
        f" {len(baseline_paired & planted_ids):,} of {len(planted_ids):,} planted duplicates", True,
    ))
    return lines
