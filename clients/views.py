"""Front desk and data desk pages: search, register, person and household pages, photos,
linking a visit, complaints. Thin: check the role and the object, validate, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients import hooks, selectors, services
from clients.forms import (
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintStatusForm,
    HouseholdForm,
    PersonForm,
    PhotoForm,
    SearchForm,
)
from clients.models import Complaint, Region
from pandu import roles
from pandu.audit import audit_record
from pandu.files import private_file_response
from pandu.http import parse_id
from pandu.models import AuditEvent
from pandu.roles import role_required

SEARCH_ROLES = selectors.OFFICE_WIDE_ROLES
REGISTER_ROLES = roles.REGISTER_ROLES
COMPLAINT_MANAGE_ROLES = (roles.DATA_OFFICER, roles.ADMIN)


def _serving(request) -> dict:
    """The visit the officer is serving (``?ticket=<id>``, found by the queue's rule) and the
    banner that offers to link it: carried from search to registration to the person."""
    ticket, banner = hooks.serving_ticket(request)
    return {"ticket": ticket, "ticket_banner": banner}


def _record_page_context(request) -> dict:
    """What the person and household pages share: photo upload, the ticket served, rights.

    A user who is not office-wide (a desk officer, a surveyor) gets the minimal card: what
    their task needs, nothing of other agencies' work or of health unless their service is
    about it (docs/security.md, "Who sees what")."""
    card = not roles.has_role(request.user, *selectors.OFFICE_WIDE_ROLES)
    return {
        "photo_form": PhotoForm(),
        **_serving(request),
        "can_edit": roles.has_role(request.user, *REGISTER_ROLES),
        "show_full_nik": roles.sees_full_nik(request.user),
        "card": card,
        "show_health": not card,
    }


def _with_ticket(url: str, ticket) -> str:
    return f"{url}?{urlencode({'ticket': ticket.pk})}" if ticket else url


# --- Search ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*SEARCH_ROLES)
def search(request):
    """Find a person. The query is POSTed (an htmx body), so no NIK or name ever enters a URL,
    a server log or the browser's history; each search is recorded and rate-limited."""
    form = SearchForm(request.POST if request.method == "POST" else None, initial={"ticket": request.GET.get("ticket")})
    results, searched, status = [], False, 200
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        searched = True
        try:
            results = services.person_search_recorded(user=request.user, query=form.cleaned_data["q"],
                                                      filters=form.filters(), request=request)
        except services.SearchLimitReached as refusal:
            form.add_error(None, str(refusal))
            searched, status = False, 429
    context = {
        "form": form,
        "results": results,
        "searched": searched,
        **_serving(request),
        "show_full_nik": roles.sees_full_nik(request.user),
        "can_register": roles.has_role(request.user, *REGISTER_ROLES),
    }
    template = "clients/_search_results.html" if request.htmx else "clients/search.html"
    return render(request, template, context, status=status)


@require_GET
@role_required(*roles.ALL_ROLES)
def village_options(request):
    kecamatan_id = parse_id(request.GET.get("kecamatan"))
    kecamatan = Region.objects.filter(pk=kecamatan_id, level=Region.Level.DISTRICT).first() if kecamatan_id is not None else None
    return render(request, "clients/_village_options.html", {"groups": selectors.villages_grouped(kecamatan)})


# --- Households --------------------------------------------------------------------------------


@role_required(*REGISTER_ROLES)
def household_create(request):
    serving = _serving(request)
    ticket = serving["ticket"]
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_register(
                kk_number=data["kk_number"], address=data["address"], rt=data["rt"], rw=data["rw"],
                village=data["village"], created_by=request.user, request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Household registered. Now add its members, starting with the head."))
            return redirect(_with_ticket(reverse("clients:person_create", args=[household.pk]), ticket))
    return render(request, "clients/household_form.html", {"form": form, **serving})


@require_GET
@role_required(*roles.ALL_ROLES)
def household_detail(request, pk):
    household = selectors.get_household_for_user(request.user, pk)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW_HOUSEHOLD, obj=household,
                          request=request)
    members = household.members.prefetch_related("pmks_categories").order_by("relationship", "birth_date", "pk")
    context = {
        "household": household,
        "members": members,
        "registry_changes": household.registry_changes.select_related("changed_by")[:20],
        "complaints": household.complaints.all()[:10],
        "member_changes": selectors.household_member_changes(household),
        **_record_page_context(request),
    }
    if context["card"]:  # only the members this user's work is about, nothing of the others
        context.update(members=members.filter(pk__in=selectors.persons_for_user(request.user).values("pk")),
                       registry_changes=[], complaints=[], member_changes=[], show_health=False)
    context["sections"] = hooks.render_page_sections("household", request, household, context)
    return render(request, "clients/household_detail.html", context)


@role_required(*REGISTER_ROLES)
def household_edit(request, pk):
    household = selectors.get_household_for_user(request.user, pk)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.HOUSEHOLD_FIELDS}
        try:
            services.household_update(household=household, changed_by=request.user, request=request, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Household saved."))
            return redirect("clients:household_detail", pk=household.pk)
    return render(request, "clients/household_form.html", {"form": form, "household": household})


# --- Persons -----------------------------------------------------------------------------------


@role_required(*REGISTER_ROLES)
def person_create(request, household_pk):
    household = selectors.get_household_for_user(request.user, household_pk)
    serving = _serving(request)
    ticket = serving["ticket"]
    form = PersonForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(
                household=household, created_by=request.user, request=request,
                pmks_categories=form.cleaned_data["pmks_categories"], **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.full_name})
            if "add_another" in request.POST:
                return redirect(_with_ticket(reverse("clients:person_create", args=[household.pk]), ticket))
            return redirect(_with_ticket(reverse("clients:person_detail", args=[person.pk]), ticket))
    return render(request, "clients/person_form.html", {
        "form": form, "household": household, **serving,
        "show_full_nik": roles.sees_full_nik(request.user),
    })


@require_GET
@role_required(*roles.ALL_ROLES)
def person_detail(request, pk):
    person = selectors.get_person_for_user(request.user, pk)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW_PERSON, obj=person, request=request)
    household = person.household
    context = {
        "person": person,
        "household": household,
        "members": household.members.exclude(pk=person.pk).order_by("relationship", "birth_date") if household else [],
        "registry_changes": household.registry_changes.select_related("changed_by")[:20] if household else [],
        "complaints": person.complaints.all()[:10],
        "aliases": person.aliases.all(),
        "member_changes": person.member_changes.select_related("person", "from_household", "to_household", "by"),
        **_record_page_context(request),
    }
    if context["card"]:
        disclosed = hooks.person_disclosures(request.user, person)
        context.update(members=[], registry_changes=[], complaints=[], aliases=[], member_changes=[],
                       show_full_nik=hooks.FULL_NIK in disclosed, show_health=hooks.HEALTH in disclosed)
    if person.is_anonymised:
        context["can_edit"] = False
    context["sections"] = hooks.render_page_sections("person", request, person, context)
    return render(request, "clients/person_detail.html", context)


@role_required(*REGISTER_ROLES)
def person_edit(request, pk):
    person = selectors.get_person_for_user(request.user, pk)
    form = PersonForm(request.POST or None, instance=person)
    return person_form_page(request, person, form, services.person_update, saved=_("Person saved."))


def person_form_page(request, person, form, save, *, saved: str, **context):
    """The form of an existing person (an edit, or the head's correction): on a valid POST call
    ``save`` with the form's fields and go back to the person, else show the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(person=person, changed_by=request.user, request=request,
                 pmks_categories=list(form.cleaned_data["pmks_categories"]), **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, saved)
            return redirect("clients:person_detail", pk=person.pk)
    return render(request, "clients/person_form.html", {
        "form": form, "household": person.household, "person": person,
        "show_full_nik": roles.sees_full_nik(request.user), **context,
    })


# --- Photos ------------------------------------------------------------------------------------


def _upload_photo(request, obj, service, **kwargs):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(upload=form.cleaned_data["photo"], changed_by=request.user, request=request, **kwargs)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Photo saved."))
    else:
        messages.error(request, _("Choose a photo to upload."))


@require_POST
@role_required(*REGISTER_ROLES)
def person_photo_upload(request, pk):
    person = selectors.get_person_for_user(request.user, pk)
    _upload_photo(request, person, services.person_set_photo, person=person)
    return redirect("clients:person_detail", pk=person.pk)


@require_POST
@role_required(*REGISTER_ROLES)
def household_photo_upload(request, pk):
    household = selectors.get_household_for_user(request.user, pk)
    _upload_photo(request, household, services.household_set_photo, household=household)
    return redirect("clients:household_detail", pk=household.pk)


def _photo_response(request, obj, fieldfile, what: str):
    """Stream a private photo after the object check, and log who looked at it."""
    audit_record(user=request.user, action=AuditEvent.Action.VIEW_PHOTO, obj=obj, summary=what,
                          request=request)
    return private_file_response(fieldfile)


@require_GET
@role_required(*roles.ALL_ROLES)
def person_photo(request, pk, size="full"):
    person = selectors.get_person_for_user(request.user, pk)
    return _photo_response(request, person, person.photo_thumb if size == "thumb" else person.photo,
                           f"person photo ({size})")


@require_GET
@role_required(*roles.ALL_ROLES)
def household_photo(request, pk, size="full"):
    household = selectors.get_household_for_user(request.user, pk)
    return _photo_response(request, household,
                           household.house_photo_thumb if size == "thumb" else household.house_photo,
                           f"house photo ({size})")


# --- Complaints --------------------------------------------------------------------------------


@require_GET
@role_required(*selectors.COMPLAINT_ROLES)
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    complaints = selectors.complaints_for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            complaints = complaints.filter(status=data["status"])
        if data["kind"]:
            complaints = complaints.filter(kind=data["kind"])
        if data["q"]:
            complaints = complaints.filter(
                Q(number__icontains=data["q"]) | Q(complainant_name__icontains=data["q"])
                | Q(person__full_name__icontains=data["q"])
            )
        if data["overdue"]:
            complaints = selectors.complaints_overdue(complaints)
    page = Paginator(complaints, 25).get_page(request.GET.get("page"))
    return render(request, "clients/complaint_list.html", {
        "form": form, "page_obj": page, "can_file": roles.has_role(request.user, *REGISTER_ROLES),
        "overdue_count": selectors.complaints_overdue(selectors.complaints_for_user(request.user)).count(),
        "overdue_only": form.is_valid() and form.cleaned_data["overdue"],
    })


@require_GET
@role_required(roles.DATA_OFFICER, roles.ADMIN)
def disability_review(request):
    """The disabilities written in words no kind could be read from (migration clients 0019): the
    data officer opens each person, ticks the kinds, and the person leaves the list."""
    persons = selectors.disabilities_to_review()
    page = Paginator(persons, 25).get_page(request.GET.get("page"))
    audit_record(user=request.user, action=AuditEvent.Action.VIEW_PERSON, summary="disabilities to review",
                 detail={"page": page.number, "persons": [person.pk for person in page]}, request=request)
    return render(request, "clients/disability_review.html", {"page_obj": page})


@role_required(*REGISTER_ROLES)
def complaint_create(request):
    household = person = None
    source = request.POST if request.method == "POST" else request.GET
    person_id, household_id = parse_id(source.get("person")), parse_id(source.get("household"))
    if person_id is not None:
        person = selectors.get_person_for_user(request.user, person_id)
        household = person.household
    elif household_id is not None:
        household = selectors.get_household_for_user(request.user, household_id)
    # the visit being served and the case it is filed from (desks and referrals find them)
    origins = hooks.complaint_origins(request, person=person, household=household)
    form = ComplaintForm(request.POST or None, household=household, person=person,
                         initial={"complainant_name": person.full_name if person else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_file(
                kind=data["kind"], description=data["description"], household=household, person=person,
                complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
                received_by=request.user, ticket=origins.get("ticket"), case=origins.get("case"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Complaint %(number)s recorded.") % {"number": complaint.number})
            return redirect("clients:complaint_detail", pk=complaint.pk)
    return render(request, "clients/complaint_form.html", {
        "form": form, "household": household, "person": person,
        "origin_ticket": origins.get("ticket"), "origin_case": origins.get("case"),
        "due_dates": [(label, services.complaint_due_on(kind=kind)) for kind, label in Complaint.Kind.choices],
    })


@require_GET
@role_required(*selectors.COMPLAINT_ROLES)
def complaint_detail(request, pk):
    complaint = selectors.get_complaint_for_user(request.user, pk)
    return render(request, "clients/complaint_detail.html", {
        "complaint": complaint,
        "origins": hooks.complaint_origin_links(request, complaint),
        "events": complaint.events.select_related("by"),
        "status_form": ComplaintStatusForm(),
        "can_manage": roles.has_role(request.user, *COMPLAINT_MANAGE_ROLES) and not complaint.is_closed,
    })


@require_POST
@role_required(*COMPLAINT_MANAGE_ROLES)
def complaint_update(request, pk):
    complaint = get_object_or_404(selectors.complaints_for_user(request.user), pk=pk)
    form = ComplaintStatusForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_set_status(
                complaint=complaint, status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"], officer=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Complaint updated."))
    else:
        messages.error(request, _("Choose the new status."))
    return redirect("clients:complaint_detail", pk=complaint.pk)


