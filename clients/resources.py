"""django-import-export resources for the admin, with the registry import's row rules.

The admin's import of persons applies ``clients.registry.rows.check_row`` to each row (the
same rules and reasons as ``import_registry``), creates or updates the household of the
row's NO_KK, and stores the normalised values. Exports escape spreadsheet formulas. Large
files belong in ``import_registry`` or the data desk's upload page, not here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from clients.models import Household, Person
from clients.nik import parse_kk
from clients.registry.importer import _household_upsert, village_ids
from clients.registry.result import ImportResult
from clients.registry.rows import (
    COLUMNS,
    check_row,
    collapse,
    reason_text,
    row_nik,
    rt_rw,
    village_code,
)
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
        import_id_fields = ("nik",)
        skip_unchanged = True
        report_skipped = False

    def before_import(self, dataset, **kwargs):
        dataset.headers = [
            str(name or "").strip().upper().replace(" ", "_") for name in dataset.headers
        ]
        self._villages = village_ids()
        self._today = timezone.localdate()
        self._seen: dict[str, int] = {}
        self._households: dict[str, Household] = {}
        self._user = kwargs.get("user")

    def before_import_row(self, row, row_number=None, **kwargs):
        raw = {
            column: "" if row.get(column) is None else str(row.get(column)) for column in COLUMNS
        }
        line = (row_number or 0) + 1
        clean, codes = check_row(raw, line=line, villages=self._villages, today=self._today)
        nik = clean.nik if clean is not None else row_nik(raw, self._today)
        if nik is not None:
            first = self._seen.setdefault(nik, line)
            if first != line:
                codes = [*codes, f"nik_duplicate:{first}"]
        if codes:
            raise ValidationError([reason_text(code, raw, today=self._today) for code in codes])
        household = self._households.get(clean.kk_number)
        if (
            household is None
        ):  # the first row of a KK describes the household, as in import_registry
            household = _household_upsert(
                clean, result=ImportResult(), user=self._user, reference="admin import"
            )
            self._households[clean.kk_number] = household
        row.update({
            "NO_KK": household.kk_number, "NIK": clean.nik, "NAMA": clean.full_name, "JENIS_KELAMIN": clean.sex,
            "TEMPAT_LAHIR": clean.birth_place, "TANGGAL_LAHIR": clean.birth_date.isoformat(),
            "HUBUNGAN_KELUARGA": clean.relationship,
        })  # fmt: skip


class HouseholdResource(_EscapingResource):
    """Households for export (and import of changed addresses by KK number)."""

    kk_number = fields.Field(attribute="kk_number", column_name="NO_KK")
    address = fields.Field(attribute="address", column_name="ALAMAT")
    rt = fields.Field(attribute="rt", column_name="RT")
    rw = fields.Field(attribute="rw", column_name="RW")
    village = fields.Field(attribute="village", column_name="KODE_WILAYAH",
                           widget=widgets.ForeignKeyWidget("clients.Region", "code"))  # fmt: skip
    registry_status = fields.Field(attribute="registry_status", column_name="STATUS", readonly=True)
    registry_source = fields.Field(attribute="registry_source", column_name="SUMBER", readonly=True)
    registry_year = fields.Field(attribute="registry_year", column_name="TAHUN", readonly=True)

    class Meta:
        model = Household
        fields = ("kk_number", "address", "rt", "rw", "village", "registry_status", "registry_source",
                  "registry_year")  # fmt: skip
        import_id_fields = ("kk_number",)
        skip_unchanged = True

    def before_import_row(self, row, row_number=None, **kwargs):

        try:
            row["NO_KK"] = parse_kk(row.get("NO_KK"))
        except ValidationError as error:
            raise ValidationError([f"NO_KK: {error.messages[0]}"]) from None
        for column in ("RT", "RW"):
            value = rt_rw(collapse(row.get(column)))
            if value is None:
                raise ValidationError([f"{column}: {collapse(row.get(column))}"])
            row[column] = value
        row["ALAMAT"] = collapse(row.get("ALAMAT"))
        row["KODE_WILAYAH"] = village_code(collapse(row.get("KODE_WILAYAH")))
