"""Registry import: 1,000,000 persons through import_registry vs django-import-export bulk vs bare COPY.

Generates `.bench/registry_<n>.csv` (valid Berau NIKs, ~4 persons per household, about 1% dirt),
imports it with `import_registry` (the fast path) into the empty bench database, then measures on
the same machine and in the same process:
- django-import-export's fastest bulk mode (use_bulk, skip_diff, force_init_instance,
  batch_size=1000) on a 100,000-row sample of the file's clean rows, scaled to rows/s;
- a bare PostgreSQL COPY of the whole file into an UNLOGGED table of text columns;
- the floor under any import of the file on this machine: the rows the import stored, written
  again into empty tables of the same definition and indexed as the registry's tables are, with
  nothing read, checked or computed (rolled back).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import random
import re
import time
from pathlib import Path

from bench.common import FAMILY, Line, birth_date, person_name, target_line

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
PERSONS = 1_000_000
SAMPLE = 100_000
HEADER = ["NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TEMPAT_LAHIR", "TANGGAL_LAHIR", "HUBUNGAN_KELUARGA",
          "ALAMAT", "RT", "RW", "KODE_WILAYAH", "SUMBER", "TAHUN"]  # fmt: skip
PLACES = [
    "Tanjung Redeb",
    "Berau",
    "Samarinda",
    "Balikpapan",
    "Tarakan",
    "Bone",
    "Surabaya",
    "Talisayan",
]
STREETS = [
    "Jl. Pemuda",
    "Jl. Anggur",
    "Jl. Durian",
    "Jl. Mangga",
    "Jl. Gatot Subroto",
    "Jl. Pulau Panjang",
]


def _dirty(rng: random.Random, row: list[str]) -> tuple[list[str], bool]:
    """About 1 row in 100 gets dirt the rules clean (spaces, case, apostrophe) or reject."""
    roll = rng.random()
    if roll < 0.004:
        row[1] = "'" + row[1]
        row[2] = "  " + row[2].upper() + " "
        row[8] = row[8].lstrip("0")
        return row, False
    if roll < 0.006:
        row[1] = f"{int(row[1]) / 1e15:.5f}E+15"  # a spreadsheet turned it into a number
        return row, True
    if roll < 0.008:
        row[5] = "31-02-1990"
        return row, True
    if roll < 0.009:
        row[10] = "64.03.99.9999"
        return row, True
    if roll < 0.010:
        row[3] = "X"
        return row, True
    return row, False


def generate(path: Path, sample_path: Path, persons: int) -> None:
    from clients.models import Region
    from clients.nik import make_nik

    rng = random.Random(20261128)
    today = datetime.date(2026, 11, 28)
    villages = list(
        Region.objects.filter(level__in=Region.VILLAGE_LEVELS).values_list("code", flat=True)
    )
    serials: dict[tuple, int] = {}
    BENCH_DIR.mkdir(exist_ok=True)
    with (
        open(path, "w", newline="", encoding="utf-8") as handle,
        open(sample_path, "w", newline="", encoding="utf-8") as sample_handle,
    ):
        writer, sample = csv.writer(handle), csv.writer(sample_handle)
        writer.writerow(HEADER)
        sample.writerow(HEADER)
        written = sampled = household = 0
        while written < persons:
            household += 1
            village = rng.choice(villages)
            kecamatan = village[:8]
            kk = f"{kecamatan.replace('.', '')}{household:010d}"
            address = f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}"
            rt, rw = f"{rng.randint(1, 30):03d}", f"{rng.randint(1, 10):03d}"
            family = rng.choice(FAMILY)
            size = min(persons - written, rng.choice((1, 2, 3, 4, 4, 5, 5, 6, 4, 6)))
            for member in range(size):
                sex = "L" if member == 0 else ("P" if member == 1 else rng.choice("LP"))
                born = (
                    birth_date(rng, today)
                    if member < 2
                    else today - datetime.timedelta(days=rng.randint(0, 20 * 365))
                )
                key = (kecamatan, born, sex)
                serials[key] = serials.get(key, 0) + 1
                nik = make_nik(
                    kecamatan_code=kecamatan, birth_date=born, sex=sex, serial=serials[key]
                )
                relationship = (
                    "KEPALA KELUARGA" if member == 0 else ("ISTRI" if member == 1 else "ANAK")
                )
                name = person_name(rng, sex) + ("" if member == 1 else f" {family}")
                row = [kk, nik, name, sex, rng.choice(PLACES), born.isoformat() if rng.random() < 0.7
                       else born.strftime("%d-%m-%Y"), relationship, address, rt, rw, village, "PPLS2011", "2011"]  # fmt: skip
                row, rejected = _dirty(rng, row)
                writer.writerow(row)
                if not rejected and row[1].isdigit() and sampled < SAMPLE:
                    sample.writerow([*row[:5], born.isoformat(), *row[6:]])
                    sampled += 1
                written += 1


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE clients_registrychange, clients_person_pmks_categories, clients_person, "
                       "clients_household RESTART IDENTITY CASCADE")  # fmt: skip


def _import_registry(path: Path) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_registry", str(path), stdout=out)
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


def _import_export_bulk(sample_path: Path) -> tuple[float, int]:
    import tablib
    from import_export import fields, resources, widgets

    from clients.models import Person

    class PersonBulkResource(resources.ModelResource):
        nik = fields.Field(attribute="nik", column_name="NIK")
        full_name = fields.Field(attribute="full_name", column_name="NAMA")
        sex = fields.Field(attribute="sex", column_name="JENIS_KELAMIN")
        birth_place = fields.Field(attribute="birth_place", column_name="TEMPAT_LAHIR")
        birth_date = fields.Field(
            attribute="birth_date",
            column_name="TANGGAL_LAHIR",
            widget=widgets.DateWidget("%Y-%m-%d"),
        )
        relationship = fields.Field(attribute="relationship", column_name="HUBUNGAN_KELUARGA")

        class Meta:
            model = Person
            fields = ("nik", "full_name", "sex", "birth_place", "birth_date", "relationship")
            import_id_fields = ("nik",)
            use_bulk = True
            skip_diff = True
            force_init_instance = True
            batch_size = 1000

    _truncate()
    started = time.perf_counter()
    with open(sample_path, encoding="utf-8") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    result = PersonBulkResource().import_data(dataset, raise_errors=True)
    elapsed = time.perf_counter() - started
    return elapsed, result.totals["new"]


def _bare_copy(path: Path) -> float:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_registry_copy")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_registry_copy ("
            + ", ".join(f"{c.lower()} text" for c in HEADER)
            + ")"
        )
        connection.connection.commit()
        started = time.perf_counter()
        with (
            open(path, "rb") as handle,
            cursor.copy(
                "COPY bench_registry_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        connection.connection.commit()
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_registry_copy")
        connection.connection.commit()
    return elapsed


# The tables a registry import writes, in the order it writes them.
WRITTEN_TABLES = ["clients_household", "clients_registrychange", "clients_searchname", "clients_person"]


def _writes_and_indexes() -> float:
    """Seconds to insert the rows the import stored (still in the tables) into empty tables of the
    same columns, defaults and checks, then build the registry tables' indexes on them: what any
    import of the file must at least do after reading it. Nothing of it is kept."""
    from django.db import connection

    connection.ensure_connection()
    pg = connection.connection
    with pg.cursor() as cursor:
        for table in WRITTEN_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS bench_src_{table}, bench_floor_{table}")
            cursor.execute(f"CREATE UNLOGGED TABLE bench_src_{table} AS SELECT * FROM {table}")
            cursor.execute(
                f"CREATE TABLE bench_floor_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY"
                " INCLUDING CONSTRAINTS INCLUDING GENERATED)"
            )
        cursor.execute(
            "SELECT indrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[]) ORDER BY indrelid::regclass::text, indexrelid",
            [WRITTEN_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT attrelid::regclass::text, string_agg(quote_ident(attname), ', ' ORDER BY attnum)"
            " FROM pg_attribute WHERE attrelid = ANY(%s::regclass[]) AND attnum > 0 AND NOT attisdropped"
            " AND attgenerated = '' GROUP BY attrelid",
            [WRITTEN_TABLES],
        )
        columns = dict(cursor.fetchall())
        pg.commit()
        cursor.execute("SET work_mem = '256MB'")  # as the import has them
        cursor.execute("SET maintenance_work_mem = '512MB'")
        started = time.perf_counter()
        for table in WRITTEN_TABLES:
            cursor.execute(
                f"INSERT INTO bench_floor_{table} ({columns[table]}) SELECT {columns[table]} FROM bench_src_{table}"
            )
        for number, (table, definition) in enumerate(indexes):
            cursor.execute(
                re.sub(r"INDEX \S+ ON \S+ ", f"INDEX bench_floor_{number} ON bench_floor_{table} ", definition, count=1)
            )
        elapsed = time.perf_counter() - started
        pg.rollback()
        cursor.execute(
            "DROP TABLE " + ", ".join(f"bench_src_{t}, bench_floor_{t}" for t in WRITTEN_TABLES)
        )
        pg.commit()
    return elapsed


def run(scale: float = 1.0) -> list[Line]:
    persons = max(1000, int(PERSONS * scale))
    sample_rows = min(SAMPLE, persons // 2)
    path = BENCH_DIR / f"registry_{persons}.csv"
    sample_path = BENCH_DIR / f"registry_{persons}_clean_sample.csv"
    if not path.exists() or not sample_path.exists() or os.environ.get("BENCH_REGENERATE"):
        generate(path, sample_path, persons)

    _truncate()
    seconds, summary = _import_registry(path)
    rate = persons / seconds
    again_seconds, again = _import_registry(path)
    floor_seconds = _writes_and_indexes()

    bulk_seconds, bulk_rows = _import_export_bulk(sample_path)
    bulk_rate = bulk_rows / bulk_seconds
    copy_seconds = _bare_copy(path)
    _truncate()

    return [
        Line(f"import_registry {persons:,} rows in {seconds:.1f} s: {summary}", True),
        Line(f"import_registry same file again in {again_seconds:.1f} s: {again}", True),
        Line(f"import_registry rows/s ({persons:,} persons): {rate:,.1f} rows/s; django-import-export bulk "
             f"({min(sample_rows, bulk_rows):,}-row sample) {bulk_rate:,.1f} rows/s", True),
        target_line(
            "import_registry speed-up over django-import-export bulk",
            rate / bulk_rate,
            "×",
            5,
            lower_is_better=False,
        ),  # fmt: skip
        target_line(
            "import_registry time / the floor (the same rows written and indexed, nothing checked)",
            seconds / floor_seconds,
            "×",
            3,
            lower_is_better=True,
        ),  # fmt: skip
        Line(
            f"bare COPY of the file: {copy_seconds:.1f} s = {persons / copy_seconds:,.0f} rows/s",
            True,
        ),
        Line(
            f"floor: the imported rows written again and indexed, nothing read or checked: {floor_seconds:.1f} s"
            + (f" = {floor_seconds / copy_seconds:.1f}× bare COPY, with the COPY "
               f"{(floor_seconds + copy_seconds) / copy_seconds:.1f}×" if copy_seconds else ""),
            True,
        ),  # fmt: skip
    ]
