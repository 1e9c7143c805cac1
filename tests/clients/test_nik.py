import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import translation

from clients.nik import make_nik, parse_kk, parse_nik
from tests import factories

TODAY = datetime.date(2026, 11, 28)


def test_a_womans_nik_gives_her_birth_date_and_sex():
    info = parse_nik("6403055203850012", today=TODAY)
    assert info.birth_date == datetime.date(1985, 3, 12)
    assert info.sex == "P"
    assert info.region_code == "64.03.05"


def test_a_child_born_this_century_is_not_placed_in_the_last():
    nik = make_nik(kecamatan_code="64.03.05", birth_date=datetime.date(2019, 7, 1), sex="L", serial=3)
    assert parse_nik(nik, today=TODAY).birth_date == datetime.date(2019, 7, 1)


@pytest.mark.parametrize(
    "value",
    ["6403055203850012", " 6403055203850012 ", "'6403055203850012", "6403.0552.0385.0012", "6403 0552 0385 0012"],
)
def test_spaces_dots_and_a_leading_apostrophe_are_tolerated(value):
    assert parse_nik(value, today=TODAY).nik == "6403055203850012"


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("", "required", "Enter the NIK"),
        ("640305520385", "length", "has 16 digits; this one has 12"),
        ("64030552038500123", "length", "this one has 17"),
        ("64030552038A0012", "format", "only digits"),
        ("9903055203850012", "region", "99.03"),
        ("6403053203850012", "date", "not a real date"),
        ("6403051313850012", "date", "not a real date"),
        ("6.40305E+15", "scientific", "spreadsheet"),
        ("640305²²03850012", "format", "only digits"),  # found by fuzzing: isdigit() but not int()
        ("٦٤٠٣٠٥٥٢٠٣٨٥٠٠١٢", "format", "only digits"),
    ],
)
def test_each_wrong_nik_says_what_is_wrong(value, code, words):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        parse_nik(value, today=TODAY)
    assert error.value.code == code
    assert words in error.value.messages[0]


def test_kk_number_is_cleaned_and_checked():
    assert parse_kk("'6403 0501 0120 0001") == "6403050101200001"
    with pytest.raises(ValidationError):
        parse_kk("64030501")
    with pytest.raises(ValidationError):
        parse_kk("6.40305E+15")


def test_the_message_is_indonesian_by_default():
    with pytest.raises(ValidationError) as error:
        parse_nik("640305520385", today=TODAY)
    assert error.value.messages[0] == "NIK terdiri dari 16 digit; yang ini 12 digit."


@pytest.mark.parametrize("value", ["٦٤٠٣٠٥٠١٠١٢٠٠٠٠١", "６４０３０５０１０１２００００１", "⁶⁴⁰³⁰⁵⁰¹⁰¹²⁰⁰⁰⁰¹"])
def test_a_kk_number_in_digits_other_than_ascii_is_refused(value):
    """str.isdigit() accepts these; stored, they would match no registry row."""
    with pytest.raises(ValidationError):
        parse_kk(value)


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["clients_person.nik", "clients_household.kk_number"])
@pytest.mark.parametrize(
    ("number", "stored"),
    [("6403051205800001", True), ("640305120580001", False), ("64030512058000011", False),
     ("640305120580000x", False), ("6403 51205800001", False), ("٦٤٠٣٠٥١٢٠٥٨٠٠٠٠١", False)],
)  # fmt: skip
def test_the_database_keeps_only_numbers_of_sixteen_ascii_digits(reference_data, column, number, stored):
    """The last guard, whatever code writes the row: the check constraints person_nik_16_digits
    and household_kk_16_digits."""
    person = factories.PersonFactory(nik="6403050101900002", household__kk_number="6403050101900003")
    table, field = column.split(".")
    row = person.pk if table == "clients_person" else person.household_id
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {field} = %s WHERE id = %s", [number, row])
        saved = True
    except (IntegrityError, DataError):  # DataError: longer than the column
        saved = False
    assert saved is stored
