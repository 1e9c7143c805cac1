"""Forms of the household changes at the desk (``clients.changes``): move, split, death, birth."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms import HouseholdForm, _helper
from clients.models import Household, Person
from clients.nik import parse_kk, parse_nik

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, initial=timezone.localdate)


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name} · {obj.get_relationship_display()}"


class HeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


def _living_members(household: Household):
    return household.members.exclude(life_status=Person.LifeStatus.DECEASED).order_by("relationship", "birth_date", "pk")


class PersonMoveForm(forms.Form):
    kk_number = forms.CharField(label=_("KK number of the household the person joins"), max_length=40,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    relationship = forms.ChoiceField(label=_("Relationship to the head of that household"),
                                     choices=Person.Relationship.choices)
    on = _date_field(_("Date of the move"))
    note = forms.CharField(label=_("Note (e.g. marriage, the new KK issued by Disdukcapil)"), required=False,
                           max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.household: Household | None = None
        self.helper = _helper()

    def clean_kk_number(self) -> str:
        number = parse_kk(self.cleaned_data["kk_number"])
        self.household = Household.objects.filter(kk_number=number).select_related("village").first()
        if self.household is None:
            raise ValidationError(_("No household with this KK number is registered: register it first."))
        return number


class HouseholdSplitForm(HouseholdForm):
    """The new household (its KK number, address, village) and who leaves into it."""

    members = MemberChoiceField(label=_("Members who leave into the new household"), queryset=Person.objects.none(),
                                widget=forms.CheckboxSelectMultiple)
    head = HeadChoiceField(label=_("Head of the new household"), queryset=Person.objects.none())
    on = _date_field(_("Date of the split"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kk_number"].required = True
        self.fields["kk_number"].label = _("KK number of the new household")
        living = _living_members(household)
        self.fields["members"].queryset = living
        self.fields["head"].queryset = living
        self.initial.setdefault("address", household.address)
        self.initial.setdefault("rt", household.rt)
        self.initial.setdefault("rw", household.rw)


class PersonDeathForm(forms.Form):
    died_on = _date_field(_("Date of death"))
    note = forms.CharField(label=_("Note (e.g. the death certificate's number)"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class BirthForm(forms.Form):
    full_name = forms.CharField(label=_("Name of the baby"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Person.Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    birth_place = forms.CharField(label=_("Place of birth"), required=False, max_length=100)
    nik = forms.CharField(label=_("NIK (when already issued)"), required=False, max_length=40,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    note = forms.CharField(label=_("Note (e.g. the birth certificate's number)"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_nik(self) -> str | None:
        value = self.cleaned_data.get("nik")
        return parse_nik(value).nik if value else None
