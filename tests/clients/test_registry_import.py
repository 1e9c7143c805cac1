"""import_registry against the committed dirty fixture: both paths, same counts, same reasons,
same stored rows; idempotence, updates, XLSX, --strict, --dry-run, and crash safety. The fast
path runs twice: as a small import and as a big one (tables locked, loaded without indexes)."""

import csv
import datetime
import io
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import translation

from clients.models import Household, NameKey, Person, RegistryChange
from clients.registry import fast, importer
from clients.registry.importer import registry_import
from pandu.counters import differences
from tests import factories

FIXTURE = Path(__file__).parent / "fixtures" / "registry_dirty.csv"
TODAY = datetime.date(2026, 11, 28)
ENGINES = ["fast", "big", "rows"]  # big: the fast path as a big import, whatever the file's size
RELATIONSHIP_WORDS = (
    "KEPALA KELUARGA, KEPALA RUMAH TANGGA, ISTRI, SUAMI, ISTRI/SUAMI, ANAK, MENANTU, CUCU, "
    "ORANG TUA, ORANGTUA, MERTUA, FAMILI LAIN, PEMBANTU, LAINNYA"
)
SCIENTIFIC = "its last digits are lost"

EXPECTED_REJECTED = [
    (8, [f"NIK: The NIK was turned into a number by a spreadsheet (6.40305E+15): {SCIENTIFIC}. "
         "Format the column as text and enter it again."]),
    (9, ["NIK: A NIK has 16 digits; this one has 15."]),
    (10, ["NIK: The birth date in the NIK (digits 7–12: DDMMYY) is not a real date."]),
    (11, ["NIK: The province and regency code 99.03 at the start of the NIK does not exist."]),
    (12, ["NIK: The province and regency code 64.99 at the start of the NIK does not exist."]),
    (13, ["NIK: This NIK already appears on line 2; the first row counts."]),
    (14, ["NO_KK: A KK number has 16 digits."]),
    (15, [f"NO_KK: The KK number was turned into a number by a spreadsheet (6.40305E+15): {SCIENTIFIC}."]),
    (16, ["NAMA: Enter the name."]),
    (17, ["JENIS_KELAMIN: Write L (male) or P (female), not “X”."]),
    (18, ["TANGGAL_LAHIR: Write the date as YYYY-MM-DD or DD-MM-YYYY, not “1991.01.05”."]),
    (19, ["TANGGAL_LAHIR: “31-02-1991” is not a real date."]),
    (20, ["TANGGAL_LAHIR: The date of birth 2099-01-07 is in the future."]),
    (21, ["TANGGAL_LAHIR: Enter the date of birth."]),
    (22, [f"HUBUNGAN_KELUARGA: Unknown relationship “SEPUPU”; use one of: {RELATIONSHIP_WORDS}."]),
    (23, ["ALAMAT: Enter the address."]),
    (24, ["RT: An RT is a number of up to 3 digits, not “A1”.",
          "RW: An RW is a number of up to 3 digits, not “1234”."]),
    (25, ["KODE_WILAYAH: “64.03.05” is not the code of a kelurahan or kampung of the region list."]),
    (26, ["TAHUN: “20xx” is not a year like 2011."]),
    (27, [
        "NO_KK: A KK number has 16 digits.",
        f"NIK: The NIK was turned into a number by a spreadsheet ('6.40305E+15): {SCIENTIFIC}. "
        "Format the column as text and enter it again.",
        "NAMA: Enter the name.",
        "JENIS_KELAMIN: Write L (male) or P (female), not “perempuan”.",
        "TANGGAL_LAHIR: “1-13-1990” is not a real date.",
        f"HUBUNGAN_KELUARGA: Unknown relationship “”; use one of: {RELATIONSHIP_WORDS}.",
        "ALAMAT: Enter the address.",
        "RT: An RT is a number of up to 3 digits, not “x”.",
        "KODE_WILAYAH: “99.99.99.9999” is not the code of a kelurahan or kampung of the region list.",
        "TAHUN: “1800” is not a year like 2011.",
    ]),
    (28, ["NIK: A NIK has only digits."]),
    (30, ["JENIS_KELAMIN: Write L (male) or P (female), not “Z”."]),
    (31, ["NIK: This NIK already appears on line 30; the first row counts."]),
]  # fmt: skip

# What the 8 valid rows become (first row of a KK describes the household).
EXPECTED_PERSONS = [
    ("6403050101700005", "Muhammad Yusuf", "L", "", datetime.date(1970, 1, 1), "head", "6403050101200002"),
    ("6403050107150033", "Yohanes", "L", "", datetime.date(2015, 7, 1), "child", "6403050101200003"),
    ("6403051205800001", "Budi Santoso", "L", "Tanjung Redeb", datetime.date(1980, 5, 12), "head",
     "6403050101200001"),
    ("6403052008120004", "Ahmad O'Neil", "L", "Berau", datetime.date(2012, 8, 20), "grandchild",
     "6403050101200001"),
    ("6403054103900032", "Maria Lusiana", "P", "", datetime.date(1990, 3, 5), "head", "6403050101200003"),
    ("6403054703850002", "Siti Aminah", "P", "Tanjung Redeb", datetime.date(1985, 3, 7), "spouse",
     "6403050101200001"),
    ("6403055506100003", "Rina Putri", "P", "", datetime.date(2010, 6, 15), "child", "6403050101200001"),
    ("6403056902720006", "Nur Hasanah", "P", "Samarinda", datetime.date(1972, 2, 29), "spouse",
     "6403050101200002"),
]  # fmt: skip
EXPECTED_HOUSEHOLDS = [
    (
        "6403050101200001",
        "Jl. Pemuda No. 5",
        "004",
        "002",
        "64.03.05.1004",
        "listed",
        "PPLS2011",
        2011,
    ),
    ("6403050101200002", "Jl. Anggur RT 1", "", "", "64.03.05.1005", "listed", "DTKS", None),
    ("6403050101200003", "Kampung Merabu", "001", "001", "64.03.01.2001", "listed", "DTKS", 2015),
]


def run(engine, path=FIXTURE, **kwargs):
    kwargs.setdefault("source", "dtks")
    big_rows = 0 if engine == "big" else fast.BIG_IMPORT_ROWS
    with translation.override("en"), mock.patch.object(fast, "BIG_IMPORT_ROWS", big_rows):
        result = registry_import(path, engine="rows" if engine == "rows" else "fast", today=TODAY, **kwargs)
    assert result.big == (engine == "big" and not kwargs.get("dry_run"))
    return result


def reasons(result):
    with translation.override("en"):
        return [(item.line, result.reasons(item, today=TODAY)) for item in result.rejected]


def counts(result):
    return (result.households_created, result.households_updated, result.persons_created,
            result.persons_updated, result.rejected_count)  # fmt: skip


def stored():
    persons = sorted(
        Person.objects.values_list(
            "nik",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "relationship",
            "household__kk_number",
        )
    )
    households = sorted(
        Household.objects.values_list(
            "kk_number",
            "address",
            "rt",
            "rw",
            "village__code",
            "registry_status",
            "registry_source",
            "registry_year",
        )
    )
    changes = sorted(
        RegistryChange.objects.values_list(
            "household__kk_number",
            "from_status",
            "to_status",
            "source",
            "year",
            "reason",
            "reference",
        )
    )
    return persons, households, changes


@pytest.mark.parametrize("engine", ENGINES)
def test_dirty_fixture_imports_valid_rows_and_reports_every_reason(reference_data, engine):
    result = run(engine)
    assert counts(result) == (3, 0, 8, 0, 23)
    assert (
        result.summary_line()
        == "households created=3 updated=0; persons created=8 updated=0; rejected=23"
    )
    assert reasons(result) == EXPECTED_REJECTED
    persons, households, changes = stored()
    assert persons == EXPECTED_PERSONS
    assert households == EXPECTED_HOUSEHOLDS
    assert [(kk, before, after, source) for kk, before, after, source, *_ in changes] == [
        ("6403050101200001", "", "listed", "PPLS2011"),
        ("6403050101200002", "", "listed", "DTKS"),
        ("6403050101200003", "", "listed", "DTKS"),
    ]
    assert differences() == []  # the dashboard's counters followed the bulk insert
    assert not Person.objects.exclude(name_key=NameKey("full_name")).exists()


@pytest.mark.parametrize("engine", ["fast", "big"])
def test_fast_and_row_by_row_paths_store_the_same_rows(reference_data, engine):
    with transaction.atomic():
        fast_result = run(engine)
        fast_rows = stored()
        transaction.set_rollback(True)
    assert Person.objects.count() == 0
    rows_result = run("rows")
    assert stored() == fast_rows
    assert counts(rows_result) == counts(fast_result)
    assert reasons(rows_result) == reasons(fast_result)
    assert [item.values for item in rows_result.rejected] == [
        item.values for item in fast_result.rejected
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [("fast", "fast"), ("rows", "rows"), ("fast", "rows"), ("rows", "fast"), ("big", "big"), ("big", "fast")],
)
def test_the_same_file_twice_changes_nothing(reference_data, first, second):
    run(first)
    before = stored()
    again = run(second)
    assert counts(again) == (0, 0, 0, 0, 23)
    assert stored() == before


def _rewrite(tmp_path, changes: dict[int, dict[str, str]]) -> Path:
    """A copy of the fixture with some cells changed: {line: {column: value}}."""
    with open(FIXTURE, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = [name.strip().upper() for name in rows[0]]
    for line, cells in changes.items():
        for column, value in cells.items():
            rows[line - 1][header.index(column)] = value
    path = tmp_path / "changed.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_a_later_file_updates_changed_records_and_records_the_new_listing(
    reference_data, tmp_path, engine
):
    run(engine)
    changed = _rewrite(
        tmp_path,
        {
            2: {"ALAMAT": "Jl. Pemuda No. 7", "SUMBER": "DTKS2015", "TAHUN": "2015"},  # household A
            3: {"NAMA": "SITI AMINAH BINTI ALI"},  # one person
            33: {"HUBUNGAN_KELUARGA": "CUCU"},  # another person
            7: {"NAMA": "nur   HASANAH"},  # the same value written differently: no change
        },
    )
    result = run(engine, path=changed)
    assert counts(result) == (0, 1, 0, 2, 23)
    household = Household.objects.get(kk_number="6403050101200001")
    assert (household.address, household.registry_source, household.registry_year) == (
        "Jl. Pemuda No. 7", "DTKS2015", 2015,
    )  # fmt: skip
    assert Person.objects.get(nik="6403054703850002").full_name == "Siti Aminah Binti Ali"
    change = household.registry_changes.first()
    assert (change.from_status, change.to_status, change.source, change.year) == (
        "listed",
        "listed",
        "DTKS2015",
        2015,
    )
    assert RegistryChange.objects.count() == 4
    assert differences() == []  # the dashboard's counters followed the bulk update


@pytest.mark.parametrize("engine", ENGINES)
def test_import_lists_a_household_that_was_in_verification(reference_data, engine):
    household = factories.HouseholdFactory(
        kk_number="6403050101200001", registry_status="in_verification"
    )
    result = run(engine)
    assert counts(result)[:2] == (2, 1)
    household.refresh_from_db()
    assert household.registry_status == "listed"
    change = household.registry_changes.get()
    assert (change.from_status, change.to_status, change.reference) == (
        "in_verification", "listed", "import:registry_dirty.csv",
    )  # fmt: skip


def _xlsx_from_fixture(tmp_path) -> Path:
    """The fixture as a spreadsheet: NIKs of valid rows as numbers, dates as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with open(FIXTURE, newline="", encoding="utf-8") as handle:
        for index, row in enumerate(csv.reader(handle), start=1):
            cells = list(row)
            if index == 2:
                cells[1] = int(cells[1])  # a NIK stored as a number
                cells[5] = datetime.date(1980, 5, 12)  # a date cell
                cells[8] = 4  # RT as a number
            sheet.append(cells)
    path = tmp_path / "registry_dirty.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_xlsx_file_gives_the_same_result_as_the_csv(reference_data, tmp_path, engine):
    result = run(engine, path=_xlsx_from_fixture(tmp_path))
    assert counts(result) == (3, 0, 8, 0, 23)
    # Line 28's "=HYPERLINK(…)" is a formula cell in a spreadsheet: read as its stored value
    # (none, as no spreadsheet computed it), never run.
    expected = [
        (line, ["NIK: Enter the NIK (16 digits).", "NAMA: Enter the name."] if line == 28 else text)
        for line, text in EXPECTED_REJECTED
    ]
    assert reasons(result) == expected
    assert stored()[0] == EXPECTED_PERSONS


def _command(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_registry", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


def test_command_prints_the_contract_last_line_and_writes_the_error_report(
    reference_data, tmp_path
):
    errors = tmp_path / "errors.csv"
    lines = _command(FIXTURE, "--source", "DTKS", "--errors", errors)
    assert lines[-1] == "households created=3 updated=0; persons created=8 updated=0; rejected=23"
    with open(errors, newline="", encoding="utf-8") as handle:
        report = list(csv.DictReader(handle))
    assert [int(row["LINE"]) for row in report] == [line for line, _ in EXPECTED_REJECTED]
    assert report[0]["REASONS"].startswith("NIK: The NIK was turned into a number by a spreadsheet")
    formula = next(row for row in report if row["LINE"] == "28")
    assert formula["NIK"].startswith("'=") and formula["NAMA"].startswith("'=")
    assert _command(FIXTURE, "--source", "DTKS")[-1] == (
        "households created=0 updated=0; persons created=0 updated=0; rejected=23"
    )


def test_strict_imports_nothing_when_a_row_is_rejected(reference_data):
    out = io.StringIO()
    with pytest.raises(CommandError, match="23 rows rejected"):
        call_command("import_registry", str(FIXTURE), "--strict", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "households created=0 updated=0; persons created=0 updated=0; rejected=23"
    )
    assert (
        Household.objects.count() == Person.objects.count() == RegistryChange.objects.count() == 0
    )


def test_strict_imports_a_clean_file(reference_data, tmp_path):
    clean = tmp_path / "clean.csv"
    with open(FIXTURE, encoding="utf-8") as source, open(clean, "w", encoding="utf-8") as target:
        lines = source.read().splitlines()
        target.write("\n".join([lines[0], *lines[1:7]]) + "\n")
    assert _command(clean, "--strict")[-1] == (
        "households created=2 updated=0; persons created=6 updated=0; rejected=0"
    )


@pytest.mark.parametrize("engine", ["fast", "rows"])
def test_dry_run_counts_but_saves_nothing(reference_data, engine):
    lines = _command(FIXTURE, "--dry-run", "--engine", engine)
    assert lines[-1] == "households created=3 updated=0; persons created=8 updated=0; rejected=23"
    assert (
        Household.objects.count() == Person.objects.count() == RegistryChange.objects.count() == 0
    )


@pytest.mark.parametrize(
    ("engine", "statement"),
    [("fast", "_persons_upsert_sql"), ("big", "_persons_insert_sql"), ("big", "_households_insert_sql")],
)
def test_interrupted_fast_import_leaves_the_database_unchanged(reference_data, monkeypatch, engine, statement):
    factories.PersonFactory(
        household__kk_number="6403050101200001", nik="6403051205800001", full_name="Lama"
    )
    before, schema = stored(), {table: _schema(table) for table in BIG_TABLES}

    def crash(fixed):
        raise RuntimeError("power cut in the middle of the import")

    monkeypatch.setattr(fast, statement, crash)
    with pytest.raises(RuntimeError):
        run(engine)
    assert stored() == before
    assert {table: _schema(table) for table in BIG_TABLES} == schema


def test_interrupted_row_by_row_import_leaves_the_database_unchanged(reference_data, monkeypatch):
    factories.PersonFactory(
        household__kk_number="6403050101200001", nik="6403051205800001", full_name="Lama"
    )
    before = stored()
    real = importer._person_upsert
    calls = []

    def crash_on_third(row, **kwargs):
        calls.append(row)
        if len(calls) == 3:
            raise RuntimeError("interrupted")
        return real(row, **kwargs)

    monkeypatch.setattr(importer, "_person_upsert", crash_on_third)
    with pytest.raises(RuntimeError):
        run("rows")
    assert stored() == before


def test_missing_template_column_refuses_the_file(reference_data, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("NIK,NAMA\n6403051205800001,Budi\n", encoding="utf-8")
    with pytest.raises(CommandError, match="NO_KK"):
        _command(path)


def test_semicolon_csv_from_an_indonesian_excel_reads_the_same(reference_data, tmp_path):
    path = tmp_path / "semicolon.csv"
    with (
        open(FIXTURE, newline="", encoding="utf-8") as source,
        open(path, "w", newline="", encoding="utf-8-sig") as target,
    ):
        csv.writer(target, delimiter=";").writerows(csv.reader(source))
    assert counts(run("fast", path=path)) == (3, 0, 8, 0, 23)


def test_a_plain_csv_is_parsed_by_copy_and_a_ragged_one_row_by_row_with_the_same_result(
    reference_data, tmp_path
):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(line for line in lines if line) + "\n", encoding="utf-8")
    with transaction.atomic():
        copied = run("fast", path=plain)
        copied_rows = stored()
        transaction.set_rollback(True)
    by_rows = run("rows", path=plain)
    assert copied.read_mode == "copy"
    assert counts(copied) == counts(by_rows) == (3, 0, 8, 0, 23)
    assert reasons(copied) == reasons(by_rows)
    assert copied_rows == stored()
    assert (
        run("fast").read_mode == "rows"
    )  # the fixture's blank line: COPY refuses it, Python reads it


BIG_TABLES = ["clients_household", "clients_registrychange", "clients_person", "clients_searchname"]


def _schema(table: str) -> dict[str, list]:
    """Indexes, constraints and triggers of a table, as PostgreSQL writes them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger"
            " WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY 1",
            [table],
        )
        return {"indexes": indexes, "constraints": constraints, "triggers": cursor.fetchall()}


def _index_ids(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass", [table])
        return {row[0] for row in cursor.fetchall()}


def test_a_big_import_leaves_indexes_keys_and_triggers_as_they_were(reference_data):
    factories.PersonFactory(household__kk_number="6403050101200001", nik="6403051205800001", full_name="Lama")
    schema = {table: _schema(table) for table in BIG_TABLES}
    index_ids = _index_ids("clients_person")
    result = run("big")
    assert counts(result) == (2, 1, 7, 1, 23)
    assert {table: _schema(table) for table in BIG_TABLES} == schema
    assert _index_ids("clients_person") != index_ids  # rebuilt, not kept
    assert differences() == []
    assert not Person.objects.exclude(name_key=NameKey("full_name")).exists()
    assert Person.objects.get(nik="6403051205800001").name_key == "budi santoso"


def test_small_and_big_imports_over_stored_records_agree_with_the_row_by_row_path(reference_data):
    """A stored person and household that the file changes: updated, the rest created."""
    outcomes = []
    for engine in ENGINES:
        with transaction.atomic():
            factories.PersonFactory(household__kk_number="6403050101200001", nik="6403051205800001",
                                    full_name="Lama", birth_place="Berau")  # fmt: skip
            result = run(engine)
            persons, households, changes = stored()
            outcomes.append((counts(result), persons, households, [change[:5] for change in changes]))
            assert differences() == []
            transaction.set_rollback(True)
    assert outcomes[0][0] == (2, 1, 7, 1, 23)
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_a_dry_run_of_a_big_file_locks_nothing(reference_data):
    with mock.patch.object(fast, "BIG_IMPORT_ROWS", 0), mock.patch.object(fast.bulk, "lock_tables") as lock:
        result = registry_import(FIXTURE, dry_run=True, today=TODAY)
    assert counts(result) == (3, 0, 8, 0, 23)
    lock.assert_not_called()


def test_a_big_import_that_cannot_lock_the_tables_soon_imports_without_the_lock(reference_data, monkeypatch):
    import psycopg

    monkeypatch.setattr(fast, "BIG_IMPORT_LOCK_TIMEOUT", "100ms")
    with psycopg.connect(**connection.get_connection_params()) as reader:
        reader.execute("SELECT count(*) FROM clients_person")  # holds a read lock until it ends
        with mock.patch.object(fast, "BIG_IMPORT_ROWS", 0):
            result = registry_import(FIXTURE, source="dtks", today=TODAY)
    assert not result.big
    assert counts(result) == (3, 0, 8, 0, 23)
    assert stored()[0] == EXPECTED_PERSONS


# Names whose key the fast path computes by splitting (ASCII letters, up to four words) and names
# that go through pandu_name_key whole (titles with dots, degrees after a comma, accents,
# apostrophes, five words and more).
NAMES = [
    "Siti Aminah", "Sitti Aminah", "Muhammad Rizky", "Mochammad Joesoef", "Haji Djoko Bin Tjipto",
    "Hj Nur", "Bin", "Ahmad Ahmad Ahmad Ahmad", "Ahmad Ahmad Ahmad Ahmad Ahmad",
    "Drs. H. Moch. Soekarno Bin Djojo, S.Pd.", "M. Yusuf", "Nur'aini", "José Ramos Horta", "Ni Made Ayu Sri Wahyuni",
]  # fmt: skip


@pytest.mark.parametrize("engine", ["fast", "big"])
def test_imported_names_get_the_keys_and_search_names_of_pandu_name_key(reference_data, tmp_path, engine):
    from clients.models import SearchName, SearchWord
    from clients.nik import make_nik

    path = tmp_path / "names.csv"
    with open(FIXTURE, encoding="utf-8") as template, open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(next(csv.reader(template)))
        for serial, name in enumerate(NAMES, start=1):
            nik = make_nik(kecamatan_code="64.03.05", birth_date=datetime.date(1980, 5, 12), sex="L", serial=serial)
            writer.writerow([f"64030501012{serial:05d}", nik, name, "L", "", "1980-05-12", "kepala keluarga",
                             "Jl. Pemuda", "", "", "64.03.05.1004", "DTKS", ""])  # fmt: skip
    result = run(engine, path=path)
    assert counts(result) == (len(NAMES), 0, len(NAMES), 0, 0)
    assert not Person.objects.exclude(name_key=NameKey("full_name")).exists()
    keys = set(Person.objects.exclude(name_key="").values_list("name_key", flat=True))
    assert "siti aminah" in keys and "muhamad sukarno jojo" in keys and "muhamad yusuf" in keys
    assert keys <= set(SearchName.objects.values_list("key", flat=True))
    words = {word for key in keys for word in key.split()}
    assert words <= set(SearchWord.objects.values_list("word", flat=True))
