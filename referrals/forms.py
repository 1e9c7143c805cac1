from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Region
from desks.models import Domain, Pathway, Provider, Service
from referrals.models import RETURN_CODE_LENGTH, Case, Referral, normalise_return_code
from referrals.services import NeedInput, case_workers


class CaseWorkerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        pathways = ", ".join(str(Pathway(p).label) for p in obj.accepted_pathways)
        quota = _(" · quota %(n)s") % {"n": obj.quota} if obj.quota else ""
        sla = _("%(n)s working days") % {"n": obj.sla_days}
        return f"{obj.provider.name} — {obj.name} ({sla}; {pathways}{quota})"


class CaseOpenForm(forms.Form):
    """The case and its needs assessment, domain by domain (the SLRT's areas): in each, what the
    citizen needs, and the services it is referred to or what the office did about it.

    Drawn by ``templates/referrals/case_open.html`` one domain at a time (``sections``): the
    service checkboxes of one field are split by domain, which a crispy layout cannot do.
    ``needs`` holds the assessment once the form is valid."""

    pathway = forms.ChoiceField(label=_("Eligibility pathway"), choices=Pathway.choices)
    override_reason = forms.CharField(
        label=_("Reason for another pathway than the proposed one"), required=False, max_length=255
    )
    case_worker = CaseWorkerField(
        label=_("Case worker (Sakti Peksos)"), queryset=case_workers(), required=False,
        empty_label=_("Nobody yet: a case worker takes it from the open cases"),
    )
    services = ServiceChoiceField(
        label=_("Refer to (one referral per service)"),
        queryset=Service.objects.filter(is_active=True, provider__is_active=True).select_related(
            "provider"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, proposed: str, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligibility: dict = {}  # desks.eligibility answers by service id, set by the view
        self.fields["pathway"].initial = proposed
        self.fields["ticket"].initial = ticket.pk if ticket else None
        self.fields["case_worker"].queryset = case_workers()
        for domain, label in Domain.choices:
            self.fields[f"need_{domain}"] = forms.CharField(
                label=_("What the citizen needs (%(domain)s)") % {"domain": label}, required=False, max_length=255,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"handled_{domain}"] = forms.CharField(
                label=_("Handled at the office: what was done (%(domain)s)") % {"domain": label}, required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        self.needs: list[NeedInput] = []

    def sections(self) -> list[dict]:
        """Per domain: its label, the need and handled fields, and its services' checkboxes."""
        domains = {service.pk: service.domain for service in self.fields["services"].queryset}
        boxes: dict[str, list] = {}
        for box in self["services"]:
            pk = box.data["value"].value
            boxes.setdefault(domains.get(pk, ""), []).append({"box": box, "eligibility": self.eligibility.get(pk)})
        return [
            {
                "domain": domain,
                "label": label,
                "need": self[f"need_{domain}"],
                "handled": self[f"handled_{domain}"],
                "services": boxes.get(domain, []),
            }
            for domain, label in Domain.choices
        ] + ([{"domain": "other", "label": _("Other services"), "services": boxes[""]}] if boxes.get("") else [])

    def clean(self):
        data = super().clean()
        chosen = list(data.get("services") or [])
        needs = []
        for domain, _label in Domain.choices:
            description = (data.get(f"need_{domain}") or "").strip()
            handled = (data.get(f"handled_{domain}") or "").strip()
            services = tuple(service for service in chosen if service.domain == domain)
            if not (description or handled or services):
                continue
            if services and handled:
                self.add_error(f"handled_{domain}", _("Refer the need or record it as handled, not both."))
                continue
            if not description:
                if handled:
                    self.add_error(f"need_{domain}", _("Say what the citizen needs."))
                    continue
                description = ", ".join(service.name for service in services)
            needs.append(NeedInput(domain, description, services, handled))
        # Services outside the domains (none, unless the admin left one without): needs of their own.
        data["services"] = [service for service in chosen if service.domain not in Domain.values]
        if not needs and not data["services"] and not self.errors:
            raise forms.ValidationError(
                _("Record at least one need: refer it to a service or say how the office handled it.")
            )
        self.needs = needs
        return data


class ServiceSingleField(forms.ModelChoiceField):
    label_from_instance = ServiceChoiceField.label_from_instance


class AddNeedForm(forms.Form):
    """One more need of an open case: the services the case's pathway may use, not those the
    case already has; for an open need of the assessment (``need``), only its domain's."""

    service = ServiceSingleField(label=_("Another need"), queryset=Service.objects.none(), empty_label=_("Choose a service"))
    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case, ticket=None, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        taken = case.referrals.values("service_id")
        services = (
            Service.objects.filter(is_active=True, provider__is_active=True, accepted_pathways__contains=[case.pathway])
            .exclude(pk__in=taken)
            .select_related("provider")
        )
        if need is not None:
            services = services.filter(domain=need.domain)
            self.fields["service"].label = _("Refer to")
        self.fields["service"].queryset = services
        self.fields["ticket"].initial = ticket.pk if ticket else None
        self.need = need


class EligibilityOverrideForm(AddNeedForm):
    """The head refers an open need although the person is not eligible: the reason is kept on
    the referral."""

    reason = forms.CharField(label=_("Why refer anyway (the head's reason)"), max_length=255,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CaseAssignForm(forms.Form):
    case_worker = CaseWorkerField(label=_("Case worker"), queryset=case_workers(),
                                  empty_label=_("Choose a case worker"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = case_workers()


class NeedRecordForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    description = forms.CharField(label=_("What the citizen needs"), max_length=255)


class NeedHandleForm(forms.Form):
    note = forms.CharField(label=_("What the office did"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=255)


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(label=_("Done on (empty: today)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class CaseCloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=Case.ClosureReason.choices)
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the case reopened?"), widget=forms.Textarea(attrs={"rows": 2}))


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Cases"), required=False,
        choices=[
            ("", _("All cases")),
            ("open", _("Open")),
            ("unassigned", _("Open, without a case worker")),
            ("overdue", _("With an overdue follow-up")),
            ("closed", _("Closed")),
        ],
    )
    reason = forms.ChoiceField(label=_("Reason for closing"), required=False,
                               choices=[("", _("Any reason")), *Case.ClosureReason.choices])


class ReleasePlaceForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the place free?"), choices=Referral.PlaceRelease.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "id": "id_release_reason"}),
    )


def aid_form_check(form: forms.Form, *, granted: bool) -> None:
    """A grant says what it was worth: its value in rupiah, or that it was given in kind (what was
    given is the outcome detail). A value alone is in rupiah."""
    data = form.cleaned_data
    kind, value = data.get("aid_kind") or "", data.get("aid_value")
    if not granted:  # the form's choice of kind is moot without a grant
        data["aid_kind"] = ""
        if value is not None:
            form.add_error("aid_value", _("The value of the aid is for a granted outcome only."))
        return
    if value is not None and not kind:
        data["aid_kind"] = kind = Referral.AidKind.MONEY
    if kind == Referral.AidKind.MONEY and value is None:
        form.add_error("aid_value", _("Type the value of the aid in rupiah, or choose in kind."))
    elif kind == Referral.AidKind.IN_KIND and value is not None:
        form.add_error("aid_value", _("Aid in kind has no value in rupiah: leave the amount empty, or choose in rupiah."))
    elif not kind and "aid_value" not in form.errors:
        form.add_error("aid_kind", _("Say how the aid was given: its value in rupiah, or in kind."))


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Referral.Outcome.choices, required=False
    )
    outcome_detail = forms.CharField(
        label=_("Granted what / why not"), required=False, max_length=255
    )
    aid_kind = forms.ChoiceField(
        label=_("Aid given"), choices=[("", "—"), *Referral.AidKind.choices], required=False,
    )
    aid_value = forms.IntegerField(
        label=_("Value of the aid (Rp)"), required=False, min_value=0, max_value=10**12
    )

    def clean(self):
        data = super().clean()
        aid_form_check(self, granted=data.get("outcome") == Referral.Outcome.GRANTED)
        return data


class DocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("Documents present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(doc, doc) for doc in referral.required_documents]
        self.fields["documents"].initial = referral.documents_checked


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Scanned document (PDF or photo)"))
    document = forms.ChoiceField(label=_("Which document"), required=False)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", _("Other"))] + [
            (d, d) for d in referral.required_documents
        ]
        self.fields["file"].widget.attrs.update(accept="application/pdf,image/*", **{"class": "form-control"})
        self.fields["document"].widget.attrs["class"] = "form-select"


class RecommendationRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the request"), widget=forms.Textarea(attrs={"rows": 3})
    )
    assessment = forms.CharField(
        label=_("Officer's assessment"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("reason"),
            Field("assessment"),
            Submit("submit", _("Send the request to the head")),
        )


class RecommendationDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note (required when refusing)"), required=False, max_length=255)


class ReferralFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("All states")),
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        *Referral.Status.choices,
    ]
    status = forms.ChoiceField(label=_("State"), choices=STATUS_CHOICES, required=False)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.select_related("provider"),
        required=False,
        empty_label=_("All services"),
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Provider.objects.all(),
        required=False,
        empty_label=_("All providers"),
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"),
        queryset=Region.objects.filter(level=Region.Level.DISTRICT),
        required=False,
        empty_label=_("All kecamatan"),
    )
    q = forms.CharField(label=_("Number or name"), required=False, max_length=100)

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        if provider is not None:
            # An officer's inbox is already their provider's: offer only its services.
            self.fields["service"].queryset = Service.objects.filter(provider=provider)
            del self.fields["provider"]


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("NIK, KK number or name"), max_length=100, min_length=3)


# --- the reply slip (Balasan masuk) and the citizens' status check -----------------------------


class ReturnCodeForm(forms.Form):
    """The code on a reply slip, typed or scanned (a USB scanner types it and presses Enter)."""

    code = forms.CharField(
        label=_("Return code on the slip"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                      "class": "form-control form-control-lg font-monospace"}),
    )

    def clean_code(self) -> str:
        code = normalise_return_code(self.cleaned_data["code"])
        if len(code) != RETURN_CODE_LENGTH:
            raise forms.ValidationError(
                _("A return code has %(n)s letters and digits, like ACDE-FH34: check the code on the slip.")
                % {"n": RETURN_CODE_LENGTH}
            )
        return code


class ReplySlipForm(forms.Form):
    """What the agency ticked, wrote, dated and signed on the slip: recorded in one step."""

    DECISIONS = [
        ("receive", _("Received")),
        ("accept", _("Accepted")),
        ("granted", _("Completed: granted")),
        ("not_granted", _("Completed: not granted")),
        ("reject", _("Rejected")),
        ("return", _("Returned: documents missing")),
    ]
    NEEDS_DETAIL = ("granted", "not_granted", "reject", "return")

    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    decision = forms.ChoiceField(label=_("What the agency ticked"), choices=DECISIONS, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("What the slip says: what was granted, why not, the reason or the missing documents"),
        required=False,
        max_length=255,
    )
    aid_kind = forms.ChoiceField(
        label=_("Aid given (for a grant)"), choices=[("", "—"), *Referral.AidKind.choices], required=False,
    )
    aid_value = forms.IntegerField(
        label=_("Value of the aid (Rp)"), required=False, min_value=0, max_value=10**12,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    slip_date = forms.DateField(label=_("Date on the slip (optional)"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    signed_by = forms.CharField(label=_("Signed by (name on the slip, optional)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("code"), Field("decision"), Field("detail"), Field("aid_kind"), Field("aid_value"), Field("slip_date"),
            Field("signed_by"),
        )

    def clean_code(self) -> str:
        return normalise_return_code(self.cleaned_data["code"])

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in self.NEEDS_DETAIL and not (data.get("detail") or "").strip():
            self.add_error("detail", _("Write what the slip says: the front desk and the citizen must know it."))
        aid_form_check(self, granted=decision == "granted")
        if data.get("slip_date") and data["slip_date"] > timezone.localdate():
            self.add_error("slip_date", _("The slip's date is in the future."))
        return data


class StatusCheckForm(forms.Form):
    """The kiosk's question: a number from the ticket or the letter, and the date of birth."""

    number = forms.CharField(
        label=_("Ticket number (today) or referral number"),
        max_length=40,
        help_text=_("On your queue ticket (for example A-007) or at the top of your referral letter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field("number", css_class="form-control-lg"),
                                    Field("birth_date", css_class="form-control-lg"))
