from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.images import process_image
from clients.models import DisabilityKind, Household, Person, Region
from clients.nik import parse_kk, parse_nik
from pandu.text import is_digits
from verivali.models import Assessment, AssessmentPhoto, Batch, MemberCheck, ScorecardVersion
from verivali.outcomes import MemberDetails, OutcomeReport, SplitPlan


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
    (MemberCheck.Finding.MOVED_KK, _("Moved to another KK")),
    (MemberCheck.Finding.DECEASED, _("Died")),
]
# New households a split may make in one survey.
SPLITS = (1, 2, 3)


def _household_by_kk(value: str) -> Household:
    household = Household.objects.filter(kk_number=parse_kk(value)).first()
    if household is None:
        raise ValidationError(_("No household has this KK number. Register it at the front desk first."))
    return household


def village_label(region: Region) -> str:
    return f"{region.name.title()} ({region.parent.name.title() if region.parent else ''})"


def berau_villages():
    """The villages a household may move to (the survey's "moved" outcome, online and offline)."""
    return (
        Region.objects.filter(level__in=Region.VILLAGE_LEVELS)
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def _not_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    return day


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

    outcome = forms.ChoiceField(
        label=_("What did you find?"),
        choices=Assessment.Outcome.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    outcome_note = forms.CharField(
        label=_("What you found (required when not found)"), required=False, max_length=255
    )
    moved_village = forms.ModelChoiceField(
        label=_("Moved to the village (in Berau)"), queryset=Region.objects.none(), required=False
    )
    moved_address = forms.CharField(label=_("New address"), required=False, max_length=255)
    moved_outside_place = forms.CharField(
        label=_("Or: moved outside Berau, to"), required=False, max_length=150
    )
    duplicate_kk = forms.CharField(
        label=_("KK number of the household it duplicates"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    head_education = forms.CharField(label=_("Education of the head"), required=False, max_length=60)
    head_occupation = forms.CharField(
        label=_("Occupation of the head"), required=False, max_length=80
    )

    def __init__(self, *args, indicators, members, answers, findings, assessment, facts, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.members = members
        self.assessment = assessment
        self.facts = facts
        self.head = next((m for m in members if m.relationship == Person.Relationship.HEAD), None)
        self._outcome_fields(assessment, members)
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

    def _outcome_fields(self, assessment, members):
        self.fields["moved_village"].queryset = berau_villages()
        self.fields["moved_village"].label_from_instance = village_label
        self.initial.update(
            outcome=assessment.outcome,
            outcome_note=assessment.outcome_note,
            moved_village=assessment.moved_village_id,
            moved_address=assessment.moved_address,
            moved_outside_place=assessment.moved_outside_place,
            duplicate_kk=assessment.duplicate_of.kk_number if assessment.duplicate_of else "",
        )
        if self.head is not None:
            facts = self.facts[self.head.pk]
            self.initial.update(head_education=facts.education, head_occupation=facts.occupation)
        checks = {c.person_id: c for c in assessment.member_checks.filter(person__isnull=False)}
        member_choices = [("", "—"), *((str(m.pk), m.full_name) for m in members)]
        splits = list(assessment.splits.prefetch_related("memberships"))
        split_of = {
            m.person_id: str(n) for n, split in enumerate(splits, 1) for m in split.memberships.all()
        }
        for number in SPLITS:
            split = splits[number - 1] if number <= len(splits) else None
            self.fields[f"split_{number}_kk"] = forms.CharField(
                label=_("KK number of new household %(n)s") % {"n": number},
                required=False,
                max_length=40,
                initial=split.kk_number if split else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields[f"split_{number}_head"] = forms.TypedChoiceField(
                label=_("Its head"),
                choices=member_choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=split.head_id if split else None,
            )
            self.fields[f"split_{number}_address"] = forms.CharField(
                label=_("Its address (empty: the same)"),
                required=False,
                max_length=255,
                initial=split.address if split else "",
            )
        for member in members:
            check = checks.get(member.pk)
            facts = self.facts[member.pk]
            self.fields[f"split_to_{member.pk}"] = forms.ChoiceField(
                label=_("Leaves into new household"),
                choices=[
                    ("", _("stays")),
                    *((str(n), _("new household %(n)s") % {"n": n}) for n in SPLITS),
                ],
                required=False,
                initial=split_of.get(member.pk, ""),
                widget=forms.Select(
                    attrs={"aria-label": _("%(name)s: stays or leaves") % {"name": member.full_name}}
                ),
            )
            self.fields[f"mkk_{member.pk}"] = forms.CharField(
                label=_("KK number of the new household"),
                required=False,
                max_length=40,
                initial=check.to_household.kk_number if check and check.to_household else "",
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields[f"mrel_{member.pk}"] = forms.ChoiceField(
                label=_("Relationship to its head"),
                choices=[("", "—"), *Person.Relationship.choices],
                required=False,
                initial=check.relationship if check else "",
            )
            self.fields[f"mon_{member.pk}"] = forms.DateField(
                label=_("Date of the death or move, if known"),
                required=False,
                widget=DateInput(),
                initial=check.on if check else None,
                validators=[_not_future],
            )
            self.fields[f"ill_{member.pk}"] = forms.CharField(
                label=_("Chronic illness"),
                required=False,
                max_length=255,
                initial=facts.chronic_illness,
            )
            self.fields[f"dis_{member.pk}"] = forms.MultipleChoiceField(
                label=_("Disability"),
                choices=DisabilityKind.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(facts.disability_kinds),
            )

        _bootstrap(self, skip=("photo_",))

    def question_fields(self):
        return [self[f"q_{i.code}"] for i in self.indicators]

    def member_fields(self):
        return [(m, self[f"m_{m.pk}"]) for m in self.members]

    def member_rows(self):
        """Per member: the finding, where and when they went, the registry facts to confirm."""
        return [
            {
                "member": m,
                "finding": self[f"m_{m.pk}"],
                "kk": self[f"mkk_{m.pk}"],
                "relationship": self[f"mrel_{m.pk}"],
                "on": self[f"mon_{m.pk}"],
                "illness": self[f"ill_{m.pk}"],
                "disability": self[f"dis_{m.pk}"],
                "split_to": self[f"split_to_{m.pk}"],
                "is_head": self.head is not None and m.pk == self.head.pk,
            }
            for m in self.members
        ]

    def split_rows(self):
        return [
            {
                "number": n,
                "kk": self[f"split_{n}_kk"],
                "head": self[f"split_{n}_head"],
                "address": self[f"split_{n}_address"],
            }
            for n in SPLITS
        ]

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
        if cleaned.get("newborn_name"):
            born = cleaned.get("newborn_birth_date")
            if not cleaned.get("newborn_sex"):
                self.add_error("newborn_sex", _("Choose the newborn's sex."))
            if born is None:
                self.add_error("newborn_birth_date", _("Enter the newborn's date of birth."))
            elif born > timezone.localdate():
                self.add_error("newborn_birth_date", _("The date is in the future."))
            elif (timezone.localdate() - born).days > 366:
                self.add_error(
                    "newborn_birth_date",
                    _("A birth is recorded within a year: register an older child as a member of the "
                      "household at the front desk instead."),
                )
        self._clean_outcome(cleaned)
        self._clean_members(cleaned)
        return cleaned

    def _clean_outcome(self, cleaned):
        outcome = cleaned.get("outcome") or Assessment.Outcome.FOUND
        cleaned["outcome"] = outcome
        cleaned["duplicate_of"] = None
        if outcome == Assessment.Outcome.MOVED and cleaned.get("moved_village") and (
            cleaned.get("moved_outside_place") or ""
        ).strip():
            self.add_error(
                "moved_outside_place",
                _("Either a village of Berau or a place outside Berau, not both."),
            )
        if outcome == Assessment.Outcome.DUPLICATE and cleaned.get("duplicate_kk"):
            try:
                other = _household_by_kk(cleaned["duplicate_kk"])
            except ValidationError as error:
                self.add_error("duplicate_kk", error)
            else:
                if other.pk == self.assessment.household_id:
                    self.add_error(
                        "duplicate_kk",
                        _("This is the surveyed household's own KK number: enter the other one's."),
                    )
                cleaned["duplicate_of"] = other
        cleaned["splits"] = []
        if outcome != Assessment.Outcome.SPLIT:
            return
        seen = set()
        for number in SPLITS:
            raw = (cleaned.get(f"split_{number}_kk") or "").strip()
            members = [
                m.pk for m in self.members if cleaned.get(f"split_to_{m.pk}") == str(number)
            ]
            head = cleaned.get(f"split_{number}_head")
            if not raw:
                if members or head:
                    self.add_error(
                        f"split_{number}_kk",
                        _("Enter the KK number of new household %(n)s.") % {"n": number},
                    )
                continue
            try:
                kk = parse_kk(raw)
            except ValidationError as error:
                self.add_error(f"split_{number}_kk", error)
                continue
            if kk in seen or kk == self.assessment.household.kk_number:
                self.add_error(f"split_{number}_kk", _("Each new household has its own KK number."))
                continue
            seen.add(kk)
            if head is None:
                self.add_error(f"split_{number}_head", _("Choose the head of the new household."))
                continue
            if head not in members:
                members.append(head)
            cleaned["splits"].append(
                SplitPlan(
                    kk_number=kk,
                    head_id=head,
                    member_ids=tuple(members),
                    address=cleaned.get(f"split_{number}_address") or "",
                )
            )

    def _clean_members(self, cleaned):
        cleaned["moved_to"] = {}
        for member in self.members:
            if cleaned.get(f"m_{member.pk}") != MemberCheck.Finding.MOVED_KK:
                continue
            raw = (cleaned.get(f"mkk_{member.pk}") or "").strip()
            if not raw:
                self.add_error(
                    f"mkk_{member.pk}",
                    _("Enter the KK number of the household %(name)s joined.")
                    % {"name": member.full_name},
                )
                continue
            try:
                household = _household_by_kk(raw)
            except ValidationError as error:
                self.add_error(f"mkk_{member.pk}", error)
                continue
            if household.pk == self.assessment.household_id:
                self.add_error(
                    f"mkk_{member.pk}",
                    _("This is the surveyed household's own KK number: choose lives here."),
                )
                continue
            cleaned["moved_to"][member.pk] = household

    def outcome_report(self) -> OutcomeReport:
        data = self.cleaned_data
        return OutcomeReport(
            outcome=data["outcome"],
            note=data.get("outcome_note") or "",
            moved_village=data.get("moved_village"),
            moved_address=data.get("moved_address") or "",
            moved_outside_place=data.get("moved_outside_place") or "",
            duplicate_of=data.get("duplicate_of"),
            splits=tuple(data["splits"]),
        )

    def member_details(self) -> dict[int, MemberDetails]:
        data = self.cleaned_data
        details = {}
        for member in self.members:
            is_head = self.head is not None and member.pk == self.head.pk
            # Confirmed only when the form showed the facts (a client that leaves them out clears
            # nothing on the person).
            checked = f"ill_{member.pk}" in self.data and (not is_head or "head_education" in self.data)
            details[member.pk] = MemberDetails(
                to_household=data["moved_to"].get(member.pk),
                relationship=data.get(f"mrel_{member.pk}") or "",
                on=data.get(f"mon_{member.pk}"),
                checked=checked,
                education=(data.get("head_education") or "") if is_head else "",
                occupation=(data.get("head_occupation") or "") if is_head else "",
                chronic_illness=data.get(f"ill_{member.pk}") or "",
                disability_kinds=tuple(data.get(f"dis_{member.pk}") or ()),
            )
        return details

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


def _bootstrap(form: forms.Form, skip: tuple[str, ...] = ()) -> None:
    """Bootstrap's classes on the inputs a template renders one by one."""
    for name, field in form.fields.items():
        if name.startswith(skip) or isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class FieldHouseholdForm(forms.Form):
    """A new household the surveyor found in the field (its members: ``FieldMemberFormSet``)."""

    kk_number = forms.CharField(
        label=_("KK number (if the family has one)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    rt = forms.CharField(label=_("RT"), required=False, max_length=3)
    rw = forms.CharField(label=_("RW"), required=False, max_length=3)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Region.objects.none())

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = village_label

    def clean_kk_number(self):
        value = (self.cleaned_data.get("kk_number") or "").strip()
        if not value:
            return None
        number = parse_kk(value)
        if Household.objects.filter(kk_number=number).exists():
            raise ValidationError(
                _("A household with this KK number is already registered: ask the validator to add "
                  "it to the batch.")
            )
        return number


class FieldMemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    nik = forms.CharField(
        label=_("NIK (if known)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # An empty first choice: a line left empty stays unchanged and is skipped.
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=[("", "—"), *Person.Relationship.choices]
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Person.Sex.choices])
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput(), validators=[_not_future]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_nik(self):
        value = (self.cleaned_data.get("nik") or "").strip()
        if not value:
            return None
        nik = parse_nik(value).nik
        if Person.objects.filter(nik=nik).exists():
            raise ValidationError(
                _("A person with this NIK is already registered: that person's household is in the "
                  "registry.")
            )
        return nik


class _FieldMembers(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        members = [f.cleaned_data for f in self.forms if f.cleaned_data]
        if not members:
            raise ValidationError(_("Enter at least the head of the household."))
        if sum(1 for m in members if m["relationship"] == Person.Relationship.HEAD) != 1:
            raise ValidationError(_("Enter the members with exactly one head of household."))
        niks = [m["nik"] for m in members if m.get("nik")]
        if len(niks) != len(set(niks)):
            raise ValidationError(_("Two members have the same NIK."))

    def members(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


FieldMemberFormSet = forms.formset_factory(
    FieldMemberForm, formset=_FieldMembers, extra=6, max_num=20, validate_max=True
)
