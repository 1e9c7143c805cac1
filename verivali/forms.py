from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clients.images import process_image
from clients.models import Household, Person, Region
from pandu.text import is_digits
from verivali.models import AssessmentPhoto, Batch, MemberCheck, ScorecardVersion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["name", "code", "period_start", "period_end", "kecamatan", "villages"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = Region.objects.filter(
            level=Region.Level.DISTRICT
        ).order_by("name")
        self.fields["kecamatan"].required = True
        self.fields["villages"].queryset = (
            Region.objects.filter(level__in=Region.VILLAGE_LEVELS)
            .select_related("parent")
            .order_by("parent__name", "name")
        )
        self.fields["villages"].widget.attrs["size"] = 8
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Create batch")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        kecamatan, villages = cleaned.get("kecamatan"), cleaned.get("villages")
        if kecamatan and villages:
            outside = [v for v in villages if v.parent_id not in {k.pk for k in kecamatan}]
            if outside:
                self.add_error("villages", _("Some villages are not in the chosen kecamatan."))
        return cleaned


class AddHouseholdForm(forms.Form):
    kk_number = forms.CharField(label=_("KK number"), max_length=20)

    def clean_kk_number(self):
        kk = "".join(ch for ch in self.cleaned_data["kk_number"] if is_digits(ch))
        household = Household.objects.filter(kk_number=kk).first()
        if household is None:
            raise ValidationError(
                _("No household has this KK number. Register it at the front desk first.")
            )
        self.household = household
        return kk


class AssignForm(forms.Form):
    surveyor = forms.ModelChoiceField(label=_("Surveyor"), queryset=None)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    assessment = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, surveyors, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surveyor"].queryset = surveyors
        self.fields["surveyor"].label_from_instance = lambda u: (
            u.get_full_name() or u.get_username()
        )
        self.fields["village"].queryset = villages

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("village") and not cleaned.get("assessment"):
            raise ValidationError(_("Choose a village or a household."))
        return cleaned


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What must the surveyor check or fix?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ApproveForm(forms.Form):
    """Validates the head's decree fields; the batch page lays the three inputs out in one row."""

    decree_number = forms.CharField(label=_("Decree (SK) number"), max_length=80)
    decree_date = forms.DateField(label=_("Decree (SK) date"), widget=DateInput())


class WhatIfForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Scorecard version"), queryset=ScorecardVersion.objects.all(), empty_label=None
    )


MEMBER_FINDINGS = [
    (MemberCheck.Finding.PRESENT, _("Lives here")),
    (MemberCheck.Finding.MOVED, _("Moved away")),
    (MemberCheck.Finding.DECEASED, _("Died")),
]


class SurveyForm(forms.Form):
    """The 16 questions (radio groups), member findings, photos, location and notes.

    Every field is optional so a draft can be saved at any point; completeness is checked on submit.
    """

    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    # The phone's estimate in metres; the column is a PostgreSQL integer, so a tampered value
    # beyond it is refused here rather than by the database (an error page).
    accuracy = forms.IntegerField(
        required=False, min_value=0, max_value=2_147_483_647, widget=forms.HiddenInput
    )
    newborn_name = forms.CharField(label=_("Name of the newborn"), required=False, max_length=150)
    newborn_sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", "—"), *Person.Sex.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    newborn_birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput()
    )

    def __init__(self, *args, indicators, members, answers, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.members = members
        for indicator in indicators:
            self.fields[f"q_{indicator.code}"] = forms.TypedChoiceField(
                label=f"{indicator.position}. {indicator.text}",
                choices=indicator.options,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=answers.get(indicator.code),
            )
        for member in members:
            self.fields[f"m_{member.pk}"] = forms.ChoiceField(
                label=member.full_name,
                choices=MEMBER_FINDINGS,
                required=False,
                widget=forms.RadioSelect,
                initial=findings.get(member.pk, MemberCheck.Finding.PRESENT),
            )
        for kind, label in AssessmentPhoto.Kind.choices:
            self.fields[f"photo_{kind}"] = forms.FileField(
                label=label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
            )

    def question_fields(self):
        return [self[f"q_{i.code}"] for i in self.indicators]

    def member_fields(self):
        return [(m, self[f"m_{m.pk}"]) for m in self.members]

    def photo_fields(self):
        return [self[f"photo_{kind}"] for kind in AssessmentPhoto.Kind.values]

    def clean(self):
        cleaned = super().clean()
        for kind in AssessmentPhoto.Kind.values:
            upload = cleaned.get(f"photo_{kind}")
            if upload:
                try:
                    cleaned[f"photo_{kind}"] = process_image(upload)
                except ValidationError as error:
                    self.add_error(f"photo_{kind}", error)
        if cleaned.get("newborn_name") and not cleaned.get("newborn_sex"):
            self.add_error("newborn_sex", _("Choose the newborn's sex."))
        return cleaned

    def answers(self) -> dict[str, int | None]:
        return {i.code: self.cleaned_data.get(f"q_{i.code}") for i in self.indicators}

    def photos(self) -> dict:
        return {
            kind: self.cleaned_data[f"photo_{kind}"]
            for kind in AssessmentPhoto.Kind.values
            if self.cleaned_data.get(f"photo_{kind}")
        }

    def member_findings(self) -> dict[int, str]:
        return {
            m.pk: self.cleaned_data[f"m_{m.pk}"]
            for m in self.members
            if self.cleaned_data.get(f"m_{m.pk}")
        }

    def newborn(self) -> dict | None:
        if not self.cleaned_data.get("newborn_name"):
            return None
        return {
            "full_name": self.cleaned_data["newborn_name"],
            "sex": self.cleaned_data.get("newborn_sex"),
            "birth_date": self.cleaned_data.get("newborn_birth_date"),
        }
