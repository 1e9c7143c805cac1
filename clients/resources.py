"""django-import-export resources for the admin's export of households and persons, in the
registry template's columns. Exports escape spreadsheet formulas; the admin logs each export
(``pandu.admin_mixins.AuditedExportMixin``).

The admin imports nothing: registry files go through ``import_registry`` or the data desk's
upload page, which apply the registry's row rules, keep the registry history and log the import.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from clients.models import Household, Person
from pandu.exports import escape_formula


class _EscapingResource(resources.ModelResource):
    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class PersonResource(_EscapingResource):
    household = fields.Field(attribute="household", column_name="NO_KK",
                             widget=widgets.ForeignKeyWidget(Household, "kk_number"))  # fmt: skip
    nik = fields.Field(attribute="nik", column_name="NIK")
    full_name = fields.Field(attribute="full_name", column_name="NAMA")
    sex = fields.Field(attribute="sex", column_name="JENIS_KELAMIN")
    birth_place = fields.Field(attribute="birth_place", column_name="TEMPAT_LAHIR")
    birth_date = fields.Field(
        attribute="birth_date", column_name="TANGGAL_LAHIR", widget=widgets.DateWidget("%Y-%m-%d")
    )
    relationship = fields.Field(attribute="relationship", column_name="HUBUNGAN_KELUARGA")

    class Meta:
        model = Person
        fields = (
            "household",
            "nik",
            "full_name",
            "sex",
            "birth_place",
            "birth_date",
            "relationship",
        )


class HouseholdResource(_EscapingResource):
    kk_number = fields.Field(attribute="kk_number", column_name="NO_KK")
    address = fields.Field(attribute="address", column_name="ALAMAT")
    rt = fields.Field(attribute="rt", column_name="RT")
    rw = fields.Field(attribute="rw", column_name="RW")
    village = fields.Field(attribute="village", column_name="KODE_WILAYAH",
                           widget=widgets.ForeignKeyWidget("clients.Region", "code"))  # fmt: skip
    registry_status = fields.Field(attribute="registry_status", column_name="STATUS")
    registry_source = fields.Field(attribute="registry_source", column_name="SUMBER")
    registry_year = fields.Field(attribute="registry_year", column_name="TAHUN")

    class Meta:
        model = Household
        fields = ("kk_number", "address", "rt", "rw", "village", "registry_status", "registry_source",
                  "registry_year")  # fmt: skip
