"""The paper's Table 1 (Data PMKS Kabupaten Berau, Dinas Sosial 2015) as data: disabled persons
with the kinds and severity of their disability, persons in PMKS categories, and households of
poor families and remote indigenous communities."""

import pytest
from django.db import connection
from django.utils import timezone

from clients.models import Household, Person, PMKSCategory, Region

# The paper's rows, in its order: the row's key, its label on an Indonesian page, the paper's number.
TABLE_1 = [
    ("child", "Anak dengan disabilitas (anak cacat)", 212),
    ("NAPZA", "Korban penyalahgunaan NAPZA", 64),
    ("physical", "Penyandang disabilitas fisik (daksa)", 56),
    ("sight", "Penyandang disabilitas netra (mata)", 28),
    ("hearing_speech", "Penyandang disabilitas rungu/wicara", 73),
    ("mental", "Penyandang disabilitas mental/intelektual", 90),
    ("multiple", "Penyandang disabilitas ganda (fisik dan mental)", 10),
    ("severe", "Penyandang disabilitas berat (ODK berat)", 36),
    ("LUT", "Lanjut usia terlantar", 1410),
    ("FM", "Keluarga miskin", 1739),
    ("BWBLP", "Bekas warga binaan pemasyarakatan (bekas narapidana)", 100),
    ("KAT", "Komunitas adat terpencil (KAT)", 741),
    ("PRSE", "Perempuan rawan sosial ekonomi (wanita rawan sosial)", 51),
]

# Each disability row as the records hold it: kinds (cycled) and severity.
DISABLED = {
    "child": ([["physical"], ["sight"], ["hearing", "speech"], ["intellectual"]], ""),
    "physical": ([["physical"]], "moderate"),
    "sight": ([["sight"]], ""),
    "hearing_speech": ([["hearing"], ["speech"], ["hearing", "speech"]], "mild"),
    "mental": ([["mental"], ["intellectual"], ["mental", "intellectual"]], ""),
    "multiple": ([["multiple"], ["physical", "mental"], ["sight", "hearing"]], ""),
    "severe": ([["physical"], ["mental"], ["sight", "physical"]], "severe"),
}


@pytest.fixture
def table_1(reference_data):
    """Every row of the paper's Table 1, in one kelurahan of Tanjung Redeb."""
    village = Region.objects.get(code="64.03.05.1004")
    household = Household.objects.create(address="Jl. Pemuda", village=village)
    today = timezone.localdate()
    persons = []
    for key, (kinds, severity) in DISABLED.items():
        count = next(n for k, _label, n in TABLE_1 if k == key)
        born = today.replace(year=today.year - (10 if key == "child" else 40))
        persons += [Person(household=household, full_name=f"{key} {i}", sex="L", no_nik_reason="data uji",
                           birth_date=born, disability_kinds=kinds[i % len(kinds)], disability_severity=severity)
                    for i in range(count)]
    Person.objects.bulk_create(persons)
    categories = {c.code: c for c in PMKSCategory.objects.all()}
    links = []
    for key, _label, count in TABLE_1:
        if key in ("NAPZA", "LUT", "BWBLP", "PRSE"):
            members = Person.objects.bulk_create(
                Person(household=household, full_name=f"{key} {i}", sex="P", no_nik_reason="data uji")
                for i in range(count))
            links += [(categories[key], person) for person in members]
        elif key in ("FM", "KAT"):  # households: two members of each KAT family, one of each poor family
            homes = Household.objects.bulk_create(Household(address=f"{key} {i}", village=village) for i in range(count))
            members = Person.objects.bulk_create(
                Person(household=home, full_name=f"{home.address}.{m}", sex="L", no_nik_reason="data uji")
                for home in homes for m in range(2 if key == "KAT" else 1))
            links += [(categories[key], person) for person in members]
    Through = Person.pmks_categories.through
    Through.objects.bulk_create(Through(pmkscategory_id=category.pk, person_id=person.pk) for category, person in links)
    with connection.cursor() as cursor:  # statistics of these rows, as autovacuum would give them (tests/test_walk.py)
        cursor.execute("ANALYZE")
    return household
