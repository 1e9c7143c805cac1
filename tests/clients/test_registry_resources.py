"""django-import-export admin resources apply the registry import's rules."""

import tablib

from clients.models import Household, Person
from clients.resources import HouseholdResource, PersonResource
from tests.clients.test_registry_import import EXPECTED_REJECTED, FIXTURE


def _dataset():
    return tablib.Dataset().load(FIXTURE.read_text(encoding="utf-8"), format="csv")


def test_person_resource_imports_the_valid_rows_with_the_same_reasons(reference_data):
    from django.utils import translation

    with translation.override("en"):
        result = PersonResource().import_data(_dataset(), dry_run=False, raise_errors=False)
    invalid = {row.number + 1: row.error.messages for row in result.invalid_rows}
    # Line 29 is blank in the file: tablib drops it, so later lines shift by one.
    expected = {(line if line < 29 else line - 1): reasons for line, reasons in EXPECTED_REJECTED}
    assert set(invalid) == set(expected)
    assert invalid[8] == expected[8] and invalid[27] == expected[27]
    assert Person.objects.count() == 8
    assert Person.objects.get(nik="6403051205800001").full_name == "Budi Santoso"
    assert Household.objects.get(kk_number="6403050101200001").rt == "004"


def test_exports_escape_formulas(reference_data):
    from tests import factories

    factories.PersonFactory(full_name="=1+2", household__address="@SUM(A1)")
    assert PersonResource().export().dict[0]["NAMA"] == "'=1+2"
    assert HouseholdResource().export().dict[0]["ALAMAT"] == "'@SUM(A1)"
