from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.duplicates.merging import MERGE_FIELDS, merge_field_label
from clients.models import DuplicateCandidate, Person

SIDES = (("a", "A"), ("b", "B"))


def _empty(value) -> bool:
    return value in (None, "") or (hasattr(value, "name") and not value.name)


class MergeForm(forms.Form):
    """Which record stays, and for each field whose value differs, which value it keeps.
    By default the record with a NIK stays (the older one when both or neither have one), and
    takes the other's value where its own is empty."""

    keep = forms.ChoiceField(label=_("Record that stays"), choices=SIDES, widget=forms.RadioSelect)

    def __init__(self, *args, candidate: DuplicateCandidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.a, self.b = candidate.person_a, candidate.person_b
        keep = "b" if (self.b.nik and not self.a.nik) else "a"
        self.fields["keep"].initial = keep
        self.rows = []
        for name in MERGE_FIELDS:
            value_a, value_b = getattr(self.a, name), getattr(self.b, name)
            differs = value_a != value_b
            if differs:
                kept = self.a if keep == "a" else self.b
                initial = keep if not _empty(getattr(kept, name)) else ("b" if keep == "a" else "a")
                # not chosen: the value of the record that stays
                self.fields[name] = forms.ChoiceField(label=merge_field_label(name), choices=SIDES, required=False,
                                                      widget=forms.RadioSelect, initial=initial)
            self.rows.append({"name": name, "label": merge_field_label(name), "a": _shown(self.a, name),
                              "b": _shown(self.b, name), "differs": differs,
                              "field": self[name] if differs else None})

    def survivor(self) -> Person:
        return self.a if self.cleaned_data["keep"] == "a" else self.b

    def choices(self) -> dict[str, str]:
        """The service's choices: for each field, the survivor's value or the other's."""
        keep = self.cleaned_data["keep"]
        return {name: "survivor" if self.cleaned_data[name] in ("", keep) else "other"
                for name in MERGE_FIELDS if name in self.cleaned_data}


def _shown(person: Person, name: str) -> str:
    if name == "household":
        household = person.household
        return f"{household.kk_number or '-'} · {household.address}, {household.village.name.title()}" if household else ""
    if name == "photo":
        return _("photo") if person.photo else ""
    display = getattr(person, f"get_{name}_display", None)
    value = display() if display else getattr(person, name)
    return "" if value is None else str(value)


class CandidateFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All")), *DuplicateCandidate.Level.choices])
    later = forms.BooleanField(label=_("Only those put off for later"), required=False)
