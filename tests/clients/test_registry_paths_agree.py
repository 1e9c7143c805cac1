"""Property: on any mix of dirty cells, the SQL fast path (as a small or a big import) and the
Python row rules agree."""

import csv

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.models import Household, NameKey, Person, SearchName
from tests.clients.test_registry_import import counts, reasons, run, stored

WS = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
CELLS = {
    "NO_KK": st.sampled_from(["6403050101200001", "'6403050101200002", " 6403 0501 0120 0003", "6.40305E+15",
                              "640305010120000", "6403050101200004.0", "", "abc"]),
    "NIK": st.sampled_from(["6403051205800001", "'6403054703850002", "6403 0555 0610 0003", "6403052008120004.0",
                            "6.40305E+15", "6403051213900008", "9903051205800009", "6499051205800010",
                            "6403050002900011", "6403057102900012", "6403052902000013", "", "64030512058"]),
    "NAMA": st.text(alphabet="abcXYZ '\u00a0-é1_", max_size=12),
    "JENIS_KELAMIN": st.sampled_from(["L", "p", " l ", "X", "", "LP"]),
    "TEMPAT_LAHIR": st.text(alphabet="ab BC", max_size=6),
    "TANGGAL_LAHIR": st.sampled_from(["1980-05-12", "12-05-1980", "1-2-1990", "1990/1/2", "31-02-1991",
                                      "2099-01-01", "1980.05.12", "", "0000-01-01", "29-02-2000", "1990--1-05"]),
    "HUBUNGAN_KELUARGA": st.sampled_from(["KEPALA KELUARGA", "kepala  keluarga", "Istri", "anak ", "SEPUPU", ""]),
    "ALAMAT": st.text(alphabet="Jl. 12 ab\t", max_size=10),
    "RT": st.sampled_from(["004", "4", "0004", "1000", "A1", "", " 7 ", "000"]),
    "RW": st.sampled_from(["002", "2", "", "x"]),
    "KODE_WILAYAH": st.sampled_from(["64.03.05.1004", "6403051005", " 64.03.01.2001 ", "64.03.05", "99.99.99.9999"]),
    "SUMBER": st.sampled_from(["PPLS2011", "dtks", "", " x  y "]),
    "TAHUN": st.sampled_from(["2011", "", "20xx", "1800", "2027", "2028"]),
    "ID_DTKS": st.sampled_from(["", "3403050101200001", " dtks-77 ", "x" * 41]),
    "DESIL": st.sampled_from(["", "1", "04", "10", "11", "0", "3.5", "a"]),
}  # fmt: skip
ROWS = st.lists(
    st.fixed_dictionaries({k: st.tuples(WS, v, WS) for k, v in CELLS.items()}),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_fast_and_row_paths_agree_on_random_dirty_rows(reference_data, tmp_path, rows):
    path = tmp_path / "random.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(CELLS))
        for row in rows:
            writer.writerow(["".join(row[column]) for column in CELLS])
    outcomes = []
    for engine in ("fast", "big", "rows"):
        with transaction.atomic():
            result = run(engine, path=path, source="")
            national = sorted(Household.objects.values_list("kk_number", "national_id", "decile", "decile_as_of"))
            outcomes.append((counts(result), reasons(result), stored(), national))
            # Every path stores pandu_name_key(full_name), and every key is a search name.
            assert not Person.objects.exclude(name_key=NameKey("full_name")).exists()
            keys = set(Person.objects.exclude(name_key="").values_list("name_key", flat=True))
            assert keys <= set(SearchName.objects.values_list("key", flat=True))
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1] == outcomes[2]
