"""Person.name_key is pandu_name_key(full_name), whatever writes the person."""

import pytest
from django.db import connection

from clients.models import Person
from clients.selectors import name_key
from tests import factories

# Keys as pandu_name_key gave them while it was one function over the whole name (before it was
# split into the name's words and each word's key): stored keys must keep meeting typed names.
KEYS = [
    ("Drs. H. Moch. Soekarno bin Djojo, S.Pd.", "muhamad sukarno jojo"),
    ("Hj. Sitti Njai Tjoet", "siti nyai cut"),
    ("M. Yusuf", "muhamad yusuf"),
    ("Muh.Ali Akbar", "muhamad ali akbar"),
    ("Mhd Rizky", "muhamad rizki"),
    ("Mochammad Chairul Anwar", "muhamad khairul anwar"),
    ("Mukhammad Sjahrir", "muhamad syahrir"),
    ("Achmad Fauzi, S.E., M.Si.", "ahmad fauzi"),
    ("Akhmad Baharuddin", "ahmad baharudin"),
    ("Nur'aini binti Abdullah", "nuraini abdulah"),
    ("H. Hj. Aminah", "aminah"),
    ("Ustadzah Halimah S.Pd.I", "halimah s pd i"),
    ("Ir. Gunawan A.Md", "gunawan"),
    ("Dr. dr. Yohanes Lawing", "yohanes lawing"),
    ("Prof. KH. Hasan", "hasan"),
    ("Bpk. Rahmat bt Saleh", "rahmat saleh"),
    ("José Müller", "jose muler"),
    ("Ñoño Øst", "nono ost"),
    ("Al-Amin", "al amin"),
    ("Abd. Rahman", "abd rahman"),
    ("Ahmad  Yani", "ahmad yani"),
    ("Moehammad Oesman Djohan", "muhamad usman johan"),
    ("Md. Sjamsoeddin", "muhamad syamsudin"),
    ("Yy", "i"),
    ("H.", ""),
    (",", ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key"), KEYS)
def test_the_normaliser_keeps_its_keys(name, key):
    assert name_key(name) == key


def _stored_key(person) -> str:
    return Person.objects.values_list("name_key", flat=True).get(pk=person.pk)


@pytest.mark.django_db
def test_a_created_person_holds_the_key_of_its_name(reference_data):
    person = factories.PersonFactory(full_name="Hj. Sitti Aminah")
    assert person.name_key == _stored_key(person) == "siti aminah"


@pytest.mark.django_db
def test_the_key_follows_every_change_of_the_name(reference_data):
    person = factories.PersonFactory(full_name="Siti Aminah")
    person.full_name = "Moh. Soekarno"
    person.save()
    assert _stored_key(person) == "muhamad sukarno"
    Person.objects.filter(pk=person.pk).update(full_name="Djoko Susilo")
    assert _stored_key(person) == "joko susilo"


@pytest.mark.django_db
def test_a_key_written_by_hand_is_replaced_by_the_names_key(reference_data):
    person = factories.PersonFactory(full_name="Siti Aminah")
    Person.objects.filter(pk=person.pk).update(name_key="someone else")
    assert _stored_key(person) == "siti aminah"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clients_person (created_at, updated_at, nik, no_nik_reason, full_name, name_key, sex,"
            " birth_place, relationship, education, occupation, disability, chronic_illness, phone,"
            " life_status, photo, photo_thumb)"
            " VALUES (now(), now(), NULL, 'Belum punya KTP', 'Budi Santoso', 'wrong', 'L', '', 'head', '', '',"
            " '', '', '', 'active', '', '') RETURNING name_key"
        )
        assert cursor.fetchone()[0] == "budi santoso"
