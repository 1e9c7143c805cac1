from __future__ import annotations

from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clients import hooks
from clients.models import PMKSCategory, Region, RegistryStatus

MAX_UPLOAD_BYTES = getattr(settings, "REGISTRY_UPLOAD_MAX_BYTES", 500 * 1024 * 1024)


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (CSV or XLSX)"),
        help_text=_("One row per person with the registry template's columns: NO_KK, NIK, NAMA, …"),
    )
    source = forms.CharField(
        label=_("Source"), max_length=60, required=False,
        help_text=_("For rows whose SUMBER column is empty, e.g. PPLS2011 or DTKS2015."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Upload and check")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)d MB.")
                % {"mb": MAX_UPLOAD_BYTES >> 20}
            )
        return upload


class ProgrammeUploadForm(RegistryUploadForm):
    """An agency's list of programme recipients: checked, or imported at once (it is small)."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("The date the list describes. Empty: today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Programme list (CSV or XLSX)")
        self.fields["file"].help_text = _("One row per recipient: NIK, NO_KK, PROGRAM, MULAI, SELESAI, SUMBER.")
        self.fields["source"].help_text = _("For rows whose SUMBER column is empty, e.g. KEMENSOS or DINKES.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("check", _("Check only"), css_class="btn-outline-primary"))
        self.helper.add_input(Submit("import", _("Import")))


class RegistryExportForm(forms.Form):
    FORMATS = [("xlsx", "XLSX"), ("csv", "CSV")]

    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Region.objects.filter(level=Region.Level.DISTRICT),
        required=False,
    )
    village = forms.ModelChoiceField(
        label=_("Kelurahan/kampung"),
        queryset=Region.objects.filter(level__in=Region.VILLAGE_LEVELS),
        required=False,
    )
    registry_status = forms.ChoiceField(
        label=_("Registry status"),
        choices=[("", _("All"))] + list(RegistryStatus.choices),
        required=False,
    )
    registry_source = forms.CharField(label=_("Registry source"), max_length=60, required=False)
    pmks = forms.ModelChoiceField(
        label=_("PMKS category"), queryset=PMKSCategory.objects.all(), required=False
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="xlsx")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters of the apps above (the welfare class of verivali's latest validated survey).
        extra = {item.name: item.field() for item in hooks.household_filters()}
        self.fields = {**{k: v for k, v in self.fields.items() if k != "format"}, **extra,
                       "format": self.fields["format"]}  # fmt: skip
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("download", _("Download")))

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "kecamatan": data.get("kecamatan").code if data.get("kecamatan") else "",
            "village": data.get("village").code if data.get("village") else "",
            "registry_status": data.get("registry_status") or "",
            "registry_source": (data.get("registry_source") or "").strip().upper(),
            "pmks": data.get("pmks").code if data.get("pmks") else "",
            **{item.name: data.get(item.name) or "" for item in hooks.household_filters()},
        }
