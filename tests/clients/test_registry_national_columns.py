"""The registry template's optional columns ID_DTKS and DESIL: stored with the decile's as-of date
by every path; a later file without them keeps them; the date moves only when the decile does."""

import csv
import datetime

import pytest

from clients.models import Household
from tests.clients.test_registry_import import ENGINES, run

pytestmark = pytest.mark.django_db
HEADER = ["NO_KK", "NIK", "NAMA", "JENIS_KELAMIN", "TANGGAL_LAHIR", "HUBUNGAN_KELUARGA", "ALAMAT", "KODE_WILAYAH"]
ROW = ["6403050101200001", "6403051205800001", "Rahmat", "L", "1980-05-12", "KEPALA KELUARGA", "Jl. Pemuda",
       "64.03.05.1004"]


def write(path, extra_header=(), extra=()):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, *extra_header])
        writer.writerow([*ROW, *extra])
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_national_identifier_and_decile_are_kept_and_dated(reference_data, tmp_path, engine):
    first = write(tmp_path / "dtks.csv", ["ID_DTKS", "DESIL"], ["ID-3401-77", "3"])
    run(engine, path=first, as_of=datetime.date(2026, 6, 1))
    household = Household.objects.get(kk_number=ROW[0])
    assert (household.national_id, household.decile, household.decile_as_of) == (
        "ID-3401-77", 3, datetime.date(2026, 6, 1))
    run(engine, path=write(tmp_path / "plain.csv"))  # without the columns: kept
    again = run(engine, path=first, as_of=datetime.date(2026, 9, 1))  # same decile: nothing changes
    assert again.households_updated == 0
    run(engine, path=write(tmp_path / "later.csv", ["DESIL"], ["5"]), as_of=datetime.date(2026, 10, 1))
    household.refresh_from_db()
    assert (household.national_id, household.decile, household.decile_as_of) == (
        "ID-3401-77", 5, datetime.date(2026, 10, 1))
    # (nothing valid to write: never a big import)
    rejected = run("fast" if engine == "big" else engine, path=write(tmp_path / "bad.csv", ["DESIL"], ["11"]))
    assert [item.codes for item in rejected.rejected] == [["decile_invalid"]]
