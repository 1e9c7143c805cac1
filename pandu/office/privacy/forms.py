"""Forms of the data subject request: a correction is the person form plus its reason (which
``service_fields`` passes on to ``person_correct``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.forms import PersonForm


class PersonCorrectionForm(PersonForm):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the person asked and what shows the right data (for example: KTP seen at the desk). "
                    "Kept in the audit log with the values before and after."),
    )


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason and legal basis"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person's request (when and how it was made) and why the office may erase the data, "
                    "without the person's name: it stays on the person's page and in the audit log."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the name, NIK, photos and the other details are removed for good and "
                "cannot be restored."),
    )
