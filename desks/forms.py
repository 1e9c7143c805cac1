from django import forms
from django.utils.translation import gettext_lazy as _

from desks.models import Desk, Ticket


class TransferForm(forms.Form):
    to_desk = forms.ModelChoiceField(
        queryset=Desk.objects.none(), label=_("Send on to"), empty_label=_("Choose a desk")
    )
    note = forms.CharField(label=_("Note for the next desk"), max_length=255, required=False)

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        desks = Desk.objects.filter(is_active=True)
        if ticket is not None:
            desks = desks.exclude(pk=ticket.desk_id)
        self.fields["to_desk"].queryset = desks


class ReturnForm(forms.Form):
    number = forms.CharField(
        label=_("Ticket number of a citizen who came back"), max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "A-007", "autocomplete": "off", "class": "form-control"}),
    )


class IssueForm(forms.Form):
    """What the registration desk asks when issuing a ticket; both may stay empty (one click)."""

    purpose = forms.ChoiceField(
        label=_("Came for"), required=False, choices=[("", _("Not asked"))] + list(Ticket.Purpose.choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("None"))] + list(Ticket.Priority.choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
