"""Forms of the front desk and the data desk: search, household, person, photo, complaint."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clients import selectors
from clients.models import (
    Complaint,
    DisabilityKind,
    Household,
    Person,
    PMKSCategory,
    Region,
    RegistryStatus,
)
from clients.nik import parse_kk, parse_nik
from clients.services import normalise_rt_rw
from pandu.http import parse_id


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _village_picker_attrs() -> dict:
    """htmx: choosing a kecamatan reloads the kelurahan/kampung list under it."""
    return {"hx-get": reverse("clients:village_options"), "hx-target": "#id_village", "hx-swap": "innerHTML"}


class RegionSelect(forms.Select):
    """A select of regions written in one pass. Django renders each option through two
    templates: the 110 villages and 13 kecamatan took about 4 ms of every search page. The same
    HTML: the widget's attributes, optional groups, ``selected`` on the chosen option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rows = format_html_join("", '<option value="{}"{}>{}</option>', (
                (str(option["value"]), " selected" if option["selected"] else "", option["label"])
                for option in options))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rows) if group_name else rows)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                           format_html_join("", "{}", ((group,) for group in groups)))


class VillageChoiceField(forms.ModelChoiceField):
    """Kelurahan/kampung grouped under their kecamatan (the region tree), usable without JS."""

    widget = RegionSelect

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Region.objects.filter(level__in=Region.VILLAGE_LEVELS))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return obj.name.title()

    def grouped(self, kecamatan: Region | None = None):
        choices = [("", self.empty_label or "---------")]
        for district, villages in selectors.villages_grouped(kecamatan):
            choices.append((district.name.title(), [(v.pk, v.name.title()) for v in villages]))
        return choices


class KecamatanChoiceField(forms.ModelChoiceField):
    widget = RegionSelect

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Region.objects.filter(level=Region.Level.DISTRICT).order_by("name"))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return obj.name.title()


class SearchForm(forms.Form):
    q = forms.CharField(label=_("NIK, KK number or name"), required=False, max_length=150)
    kecamatan = KecamatanChoiceField(label=_("Kecamatan"), empty_label=_("All kecamatan"))
    village = VillageChoiceField(label=_("Kelurahan/kampung"), required=False, empty_label=_("All villages"))
    registry_status = forms.ChoiceField(
        label=_("Registry status"), required=False, choices=[("", _("Any status")), *RegistryStatus.choices]
    )
    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kecamatan = None
        kecamatan_id = parse_id(self.data.get("kecamatan")) if self.is_bound else None
        if kecamatan_id is not None:
            kecamatan = Region.objects.filter(pk=kecamatan_id, level=Region.Level.DISTRICT).first()
        self.fields["village"].widget.choices = self.fields["village"].grouped(kecamatan)
        self.fields["kecamatan"].widget.attrs.update(_village_picker_attrs())

    def filters(self) -> selectors.SearchFilters:
        data = self.cleaned_data
        return selectors.SearchFilters(
            kecamatan=data.get("kecamatan"), village=data.get("village"),
            registry_status=data.get("registry_status") or "",
        )


class HouseholdForm(forms.ModelForm):
    kecamatan = KecamatanChoiceField(
        label=_("Kecamatan"), empty_label=_("Choose the kecamatan first"),
        help_text=_("Narrows the list of kelurahan/kampung."),
    )
    village = VillageChoiceField(label=_("Kelurahan/kampung"))

    class Meta:
        model = Household
        fields = ["kk_number", "address", "rt", "rw", "kecamatan", "village"]
        widgets = {
            "kk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate: Household | None = None
        self.fields["kk_number"].required = False
        self.fields["kk_number"].max_length = 40
        self.fields["kk_number"].widget.attrs.pop("maxlength", None)
        self.fields["kk_number"].validators = []
        kecamatan = None
        kecamatan_id = parse_id(self.data.get(self.add_prefix("kecamatan"))) if self.is_bound else None
        if kecamatan_id is not None:
            kecamatan = Region.objects.filter(pk=kecamatan_id, level=Region.Level.DISTRICT).first()
        elif self.instance.pk:
            kecamatan = self.instance.village.parent
            self.initial.setdefault("kecamatan", kecamatan.pk)
        self.fields["village"].widget.choices = self.fields["village"].grouped(kecamatan)
        self.fields["kecamatan"].widget.attrs.update(_village_picker_attrs())
        self.helper = _helper()

    def clean_kk_number(self):
        value = self.cleaned_data.get("kk_number")
        if not value:
            return None
        number = parse_kk(value)
        self.duplicate = Household.objects.filter(kk_number=number).exclude(pk=self.instance.pk).first()
        if self.duplicate is not None:
            raise ValidationError(_("A household with this KK number is already registered."), code="duplicate")
        return number

    def clean_rt(self):
        return normalise_rt_rw(self.cleaned_data.get("rt", ""))

    def clean_rw(self):
        return normalise_rt_rw(self.cleaned_data.get("rw", ""))


class PersonForm(forms.ModelForm):
    disability_kinds = forms.TypedMultipleChoiceField(
        label=_("Kinds of disability"), choices=DisabilityKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every kind the person has; none when the person has no disability."),
    )
    confirm_nik_mismatch = forms.BooleanField(
        label=_("I checked the KTP/KK: the data entered is right although the NIK says otherwise."),
        required=False,
    )
    confirm_new = forms.BooleanField(
        label=_("None of these is the person: register a new person."), required=False
    )

    CONFIRM_FIELDS = ("confirm_nik_mismatch", "confirm_new")

    class Meta:
        model = Person
        fields = [
            "nik", "no_nik_reason", "full_name", "sex", "birth_place", "birth_date", "relationship",
            "education", "occupation", "disability_kinds", "disability_severity", "disability", "chronic_illness",
            "phone", "pmks_categories",
        ]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pmks_categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household or self.instance.household
        self.duplicate: Person | None = None
        self.candidates: list[Person] = []
        self.nik_mismatch = False
        nik = self.fields["nik"]
        nik.required = False
        nik.max_length = 40
        nik.widget.attrs.pop("maxlength", None)
        nik.validators = []
        nik.help_text = _("16 digits from the KTP or KK. Leave empty only if the person has none, and say why.")
        self.fields["birth_date"].required = True
        self.fields["pmks_categories"].queryset = PMKSCategory.objects.filter(is_active=True)
        self.fields["pmks_categories"].required = False
        self.helper = _helper()

    def visible_main_fields(self):
        return [field for field in self if field.name not in self.CONFIRM_FIELDS]

    def clean_nik(self):
        value = self.cleaned_data.get("nik")
        if not value or not str(value).strip():
            return None
        info = parse_nik(value)
        self.nik_info = info
        self.duplicate = Person.objects.filter(nik=info.nik).exclude(pk=self.instance.pk).first()
        if self.duplicate is not None:
            raise ValidationError(_("A person with this NIK is already registered."), code="duplicate")
        return info.nik

    def clean(self):
        data = super().clean()
        if (data.get("disability") or "").strip() and not data.get("disability_kinds"):
            self.add_error("disability_kinds", _("Tick the kind of disability the description is about."))
        if data.get("disability_severity") and not data.get("disability_kinds"):
            self.add_error("disability_kinds", _("A severity is for a disability: tick its kind."))
        if not data.get("nik") and "nik" not in self.errors and not (data.get("no_nik_reason") or "").strip():
            self.add_error("no_nik_reason", _("A person without NIK needs the reason (for example: newborn)."))
        info = getattr(self, "nik_info", None)
        if info and data.get("birth_date") and data.get("sex"):
            differences = []
            if info.birth_date != data["birth_date"]:
                differences.append(_("born on %(date)s") % {"date": date_format(info.birth_date, "j F Y")})
            if info.sex != data["sex"]:
                differences.append(_("female") if info.sex == "P" else _("male"))
            if differences and not data.get("confirm_nik_mismatch"):
                self.nik_mismatch = True
                self.add_error(
                    "nik",
                    _("The NIK says: %(what)s. Check the KTP or KK and correct the data, or confirm it below.")
                    % {"what": ", ".join(str(difference) for difference in differences)},
                )
        if not self.errors and not self.instance.pk and not data.get("confirm_new"):
            self.candidates = selectors.person_duplicate_candidates(
                full_name=data.get("full_name", ""), birth_date=data.get("birth_date"),
                village=self.household.village if self.household else None, nik=data.get("nik"),
                sex=data.get("sex", ""), household=self.household, relationship=data.get("relationship", ""),
            )
            if self.candidates:
                raise ValidationError(
                    _("Persons like this one are already registered. Compare them, then open the existing "
                      "record or confirm that this is a new person."),
                    code="possible_duplicate",
                )
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in (*self.CONFIRM_FIELDS, "pmks_categories"):
            data.pop(name, None)
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["kind", "complainant_name", "complainant_phone", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, household: Household | None = None, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household, self.person = household, person
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        has_household = self.household is not None or (self.person is not None and self.person.household_id)
        if data.get("kind") == Complaint.Kind.NOT_IN_DATABASE and not has_household:
            raise ValidationError(
                _("A complaint that a household is not in the database is filed from the household's page: "
                  "find or register the household first.")
            )
        if not self.person and not self.household and not (data.get("complainant_name") or "").strip():
            self.add_error("complainant_name", _("Write who complains, or file it from the person's page."))
        return data


class ComplaintStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Complaint.Status.choices)
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in Complaint.Status.choices if c[0] != Complaint.Status.OPEN]
        self.helper = _helper()


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[("", _("All")), *Complaint.Status.choices])
    kind = forms.ChoiceField(required=False, label=_("Kind"), choices=[("", _("All")), *Complaint.Kind.choices])
    q = forms.CharField(required=False, label=_("Number or name"))
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
