"""Pages of the data subject request, for the head of office and the administrator: download
everything about a person, correct their data with a reason, anonymise them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import services
from clients.selectors import get_person_for_user
from clients.views import person_form_page
from pandu.audit import audit_record
from pandu.exports import download_response
from pandu.models import AuditEvent
from pandu.office.privacy import selectors
from pandu.office.privacy.dossier import dossier_zip
from pandu.office.privacy.forms import AnonymiseForm, PersonCorrectionForm
from pandu.office.privacy.services import person_anonymise
from pandu.roles import role_required


@require_POST
@role_required(*selectors.DATA_REQUEST_ROLES)
def person_export(request, pk) -> FileResponse:
    person = get_person_for_user(request.user, pk)
    # Logged first, so the archive lists this export too.
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, obj=person,
                          summary=f"data subject request: everything about person {person.pk}", request=request)
    return download_response(dossier_zip(person, generated_by=request.user), stem=f"person-{person.pk}",
                             extension="zip", content_type="application/zip")


@role_required(*selectors.DATA_REQUEST_ROLES)
def person_correct(request, pk):
    person = get_person_for_user(request.user, pk)
    if person.is_anonymised:
        messages.error(request, _("This person was anonymised: the record can no longer be changed."))
        return redirect("clients:person_detail", pk=person.pk)
    form = PersonCorrectionForm(request.POST or None, instance=person)
    return person_form_page(
        request, person, form, services.person_correct, correcting=True,
        saved=_("Correction saved. The reason and the values before and after are in the audit log."),
    )


@role_required(*selectors.DATA_REQUEST_ROLES)
def person_anonymise_confirm(request, pk):
    """GET: what will be removed and kept, or why it cannot be done now. POST: anonymise."""
    person = get_person_for_user(request.user, pk)
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_anonymise(person=person, anonymised_by=request.user, reason=form.cleaned_data["reason"],
                             request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The person was anonymised."))
            return redirect("clients:person_detail", pk=person.pk)
    return render(request, "privacy/anonymise.html", {
        "person": person, "form": form, "refusals": selectors.anonymisation_refusals(person),
    })
