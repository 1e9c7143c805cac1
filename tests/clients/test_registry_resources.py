"""django-import-export resources: the admin's export of households and persons."""

from clients.resources import HouseholdResource, PersonResource
from tests import factories


def test_exports_escape_formulas(reference_data):
    factories.PersonFactory(full_name="=1+2", household__address="@SUM(A1)")
    assert PersonResource().export().dict[0]["NAMA"] == "'=1+2"
    assert HouseholdResource().export().dict[0]["ALAMAT"] == "'@SUM(A1)"
