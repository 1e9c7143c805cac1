"""The head's dashboard, its drill-down lists and its exports (XLSX, printable PDF)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.disability import GROUPS as DISABILITY_GROUPS
from clients.models import Complaint, Household, Person, Region
from clients.selectors import (
    TABLE_ONE_ROWS,
    complaints_overdue,
    households_in_pmks,
    persons_in_disability_group,
)
from desks.models import Ticket
from desks.selectors import provider_for_user
from pandu import charts, roles
from pandu.audit import audit_record
from pandu.exports import csv_response, xlsx_response
from pandu.http import parse_id, query_text
from pandu.identity import office_identity
from pandu.models import AuditEvent
from pandu.office.dashboard import DashboardFilter, dashboard_data
from pandu.pdf import render_pdf
from pandu.replica import reads_from_replica
from referrals.models import Referral

DASHBOARD_ROLES = (roles.HEAD, roles.ADMIN)
# Desk officers see the referral figures of their own provider only.
REFERRAL_FIGURE_ROLES = (*DASHBOARD_ROLES, roles.DESK_OFFICER)


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kecamatan = forms.ModelChoiceField(
        label=gettext_lazy("Kecamatan"),
        queryset=Region.objects.filter(level=Region.Level.DISTRICT),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All kecamatan"),
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    def to_filter(self) -> DashboardFilter:
        flt = DashboardFilter.default()
        if self.is_valid():
            flt.date_from = self.cleaned_data.get("date_from") or flt.date_from
            flt.date_to = self.cleaned_data.get("date_to") or flt.date_to
            flt.kecamatan = self.cleaned_data.get("kecamatan")
        return flt


def _filter(request) -> tuple[DashboardFilterForm, DashboardFilter]:
    form = DashboardFilterForm(request.GET or None)
    flt = form.to_filter()
    if not roles.has_role(request.user, *DASHBOARD_ROLES):

        flt.provider = provider_for_user(request.user)
        if flt.provider is None:
            raise PermissionDenied  # an officer without today's assignment has no provider to see
    return form, flt


def _charts(data: dict) -> dict:
    referral_charts = {
        "referrals_month": charts.column_chart(
            [(row["month"][2:].replace("-", "/"), row["count"]) for row in data["referrals"]["per_month"]],
            title=_("Referrals per month")),
        "referrals_provider": charts.bar_chart(
            [(row["name"], row["total"]) for row in data["referrals"]["per_provider"]],
            title=_("Referrals per provider")),
    }
    if "pmks" not in data:
        return referral_charts
    return {**referral_charts,
        "pmks": charts.bar_chart([(row["name"], row["count"]) for row in data["pmks"] if row["count"]],
                                 title=_("Persons per PMKS category")),
        "registry": charts.bar_chart(
            [(row["name"], row["listed"]) for row in data["registry"]["by_kecamatan"]],
            title=_("Listed households per kecamatan"),
        ),
        "queue": charts.column_chart([(f"{row['day']:%d/%m}", row["tickets"]) for row in data["queue"]["per_day"]],
                                     title=_("Tickets per day")),
    }


@roles.role_required(*REFERRAL_FIGURE_ROLES)
@reads_from_replica
def dashboard(request):
    form, flt = _filter(request)
    data = dashboard_data(flt)
    context = {"form": form, "flt": flt, "data": data, "charts": _charts(data), "query": flt.query(),
               "generated_at": timezone.now(), "aid_tables": _aid_tables(data)}
    export = request.GET.get("export")
    if export in ("xlsx", "pdf"):
        audit_record(user=request.user, action=AuditEvent.Action.EXPORT, summary=f"dashboard {export}",
                     detail=flt.query(), request=request)
        return _dashboard_xlsx(flt, data) if export == "xlsx" else _dashboard_pdf(request, context)
    return render(request, "pandu/dashboard.html", context)


def _aid_tables(data: dict) -> list[tuple]:
    tables = [(_("Provider"), data["aid"]["per_provider"], "aid-provider")]
    if "activity" in data:
        tables.append((_("Programme"), data["aid"]["per_programme"], "aid-programme"))
    return tables


def _aid_rows(data: dict) -> list[list]:
    rows: list[list] = []
    for title, found, _testid in _aid_tables(data):
        rows += [[], [title, _("Grants"), _("Value in rupiah"), _("In kind"), _("Not stated")]]
        rows += [[row["name"], row["grants"], row["rupiah"], row["in_kind"], row["not_stated"]] for row in found]
    return rows


def _referral_rows(data: dict) -> list[list]:
    header = [_("Total"), _("Waiting list"), _("Sent or received"), _("Accepted"), _("Completed"), _("Granted"),
              _("Rejected"), _("Returned"), _("Cancelled"), _("Completed within SLA (%)"), _("Median calendar days to completion"),
              _("Overdue now")]

    def figures(row):
        return [row["total"], row["waiting"], row["pending"], row["accepted"], row["completed"], row["granted"],
                row["rejected"], row["returned"], row["cancelled"], row["sla_pct"], _round(row["median_days"]),
                row["overdue"]]

    referrals = data["referrals"]
    rows: list[list] = [[_("Provider"), "", *header]]
    rows += [[row["name"], "", *figures(row)] for row in referrals["per_provider"]]
    rows += [[], [_("Service"), _("Provider"), *header]]
    rows += [[row["name"], row["provider"], *figures(row)] for row in referrals["per_service"]]
    rows += [[], [_("Month"), _("Referrals")]] + [[row["month"], row["count"]] for row in referrals["per_month"]]
    rows += [[], [_("Kecamatan"), _("Referrals")]] + [[row["name"], row["count"]] for row in referrals["per_kecamatan"]]
    channels = referrals["channels"]
    rows += [[], [_("How the answers arrived"), "",
                  *(f"{label}: {what}" for label in channels["channels"] for what in (_("answers"), _("median calendar days")))]]
    rows += [[row["name"], "", *(value for cell in row["cells"] for value in (cell["count"], _round(cell["median_days"])))]
             for row in [*channels["rows"], {"name": _("All providers"), "cells": channels["totals"]}]]
    rows += [[], [_("Quota service"), _("Quota"), _("Places taken"), _("Waiting list")]]
    rows += [[row["service"].name, row["quota"], row["taken"], row["waiting"]] for row in referrals["quotas"]]
    return rows


def _dashboard_rows(data: dict) -> list[list]:
    if "pmks" not in data:
        return _referral_rows(data) + _aid_rows(data)
    activity = data["activity"]
    rows: list[list] = _referral_rows(data) + _aid_rows(data) + [[]]
    rows += [[_("Visits (queue tickets)"), activity["visits"]], [_("Distinct persons served"), activity["persons"]],
             [_("Cases opened"), activity["cases_opened"]]]
    rows += [[row["label"], row["count"]] for row in activity["pathways"]]
    rows += [[_("Recommendation letters requested"), activity["recommendations"]["requested"]],
             [_("Recommendation letters approved"), activity["recommendations"]["approved"]],
             [_("Recommendation letters refused"), activity["recommendations"]["refused"]], []]
    rows += [[_("No."), _("Kind of PMKS"), _("Number"), _("Counted in")]]
    rows += [[row["number"], row["label"], row["count"],
              _("households (KK)") if row["unit"] == "households" else _("persons")] for row in data["table_one"]]
    rows += [[]]
    rows += [[_("PMKS category"), _("Code"), _("Persons")]]
    rows += [[row["name"], row["code"], row["count"]] for row in data["pmks"]]
    rows += [[], [_("Registry source"), _("Households"), _("Persons")]]
    rows += [[row["source"], row["households"], row["persons"]] for row in data["registry"]["by_source"]]
    rows += [[], [_("Kecamatan"), _("Listed"), _("In verification"), _("Not listed")]]
    rows += [[row["name"], row["listed"], row["in_verification"], row["not_listed"]]
             for row in data["registry"]["by_kecamatan"]]
    rows += [[], [_("Welfare class (latest validated survey)"), _("Households")]]
    rows += [[row["label"], row["count"]] for row in data["verivali"]["classes"]]
    rows += [[], [_("Batch"), _("Households"), _("Assigned"), _("Surveyed"), _("Validated"), _("Returned"), _("Approved")]]
    rows += [[row["batch__name"], row["total"], row["assigned"], row["surveyed"], row["validated"], row["returned"],
              row["approved"]] for row in data["verivali"]["batches"]]
    rows += [[], [_("Complaint kind"), _("Received"), _("Resolved"), _("Rejected"), _("Open"), _("Overdue")]]
    rows += [[row["label"], *(n for _state, n in row["cells"])] for row in data["complaints"]["per_kind"]]
    rows += [[_("Total"), *(n for _state, n in data["complaints"]["total_cells"])]]
    rows += [[], [_("Desk"), _("Visits"), _("Median wait (min)"), _("Median service (min)"), _("Did not come")]]
    rows += [[row["name"], row["steps"], _round(row["median_wait"]), _round(row["median_serve"]), row["no_show"]]
             for row in data["queue"]["per_desk"]]
    return rows


def _round(value):
    return None if value is None else round(value, 1)


def _dashboard_xlsx(flt: DashboardFilter, data: dict) -> HttpResponse:

    rows = _dashboard_rows(data)
    return xlsx_response(
        "dashboard", rows[0], rows[1:], title=_("Dashboard"),
        subtitle_lines=[office_identity().name, _("Period and area: %(f)s") % {"f": flt.describe()},
                        _("Made at %(t)s") % {"t": timezone.localtime().strftime("%d-%m-%Y %H:%M")}],
    )


def _dashboard_pdf(request, context: dict) -> HttpResponse:

    html = render_to_string("pandu/dashboard_print.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{timezone.localtime():%Y%m%d-%H%M}.pdf"'
    return response


class _DrillDown:
    """A list behind a dashboard number, with the same filters, paginated and exportable."""

    def __init__(self, request, queryset, *, title, headers, row, stem):
        self.request, self.queryset, self.title = request, queryset, title
        self.headers, self.row, self.stem = headers, row, stem

    def respond(self):
        export = self.request.GET.get("export")
        if export in ("xlsx", "csv"):
            count = self.queryset.count()
            audit_record(user=self.request.user, action=AuditEvent.Action.EXPORT,
                         summary=f"{self.stem} {export}: {count} rows",
                         detail={k: v for k, v in self.request.GET.items() if k != "export"} | {"rows": count},
                         request=self.request)
            rows = (self.row(obj) for obj in self.queryset.iterator(chunk_size=2000))
            if export == "csv":
                return csv_response(self.stem, self.headers, rows)
            return xlsx_response(self.stem, self.headers, rows, title=str(self.title))
        page = Paginator(self.queryset, 50).get_page(self.request.GET.get("page"))
        return render(self.request, "pandu/drilldown.html", {
            "title": self.title, "headers": self.headers, "page_obj": page,
            "rows": [self.row(obj) for obj in page], "total": page.paginator.count,
            "query": self.request.GET.urlencode(),
        })


@roles.role_required(*DASHBOARD_ROLES)
@reads_from_replica
def drill_persons(request):
    _form, flt = _filter(request)
    persons = Person.objects.filter(flt.person_q(), life_status=Person.LifeStatus.ACTIVE).select_related(
        "household__village__parent")
    title = _("Persons")
    if pmks := query_text(request, "pmks"):
        persons = persons.filter(pmks_categories__code=pmks)
        title = _("Persons in PMKS category %(code)s") % {"code": pmks}
    if (group := query_text(request, "disability")) in DISABILITY_GROUPS:
        persons = persons.filter(pk__in=persons_in_disability_group(group, on=min(flt.date_to, timezone.localdate())))
        title = _("Persons counted in Table 1 as: %(row)s") % {"row": dict(
            (key, label) for key, label, _unit, _how in TABLE_ONE_ROWS)[group]}
    if status := query_text(request, "status"):
        persons = persons.filter(household__registry_status=status)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW_PERSON, summary="dashboard list",
                 detail=dict(request.GET.items()), request=request)
    return _DrillDown(
        request, persons.order_by("full_name", "pk").distinct(), title=title, stem="persons",
        headers=[_("Name"), _("NIK"), _("Sex"), _("Date of birth"), _("Kelurahan/kampung"), _("Kecamatan"), _("KK number")],
        row=lambda p: [p.full_name, p.nik or "", p.sex, p.birth_date, p.household.village.name.title() if p.household else "",
                       p.household.village.parent.name.title() if p.household else "", p.household.kk_number if p.household else ""],
    ).respond()


@roles.role_required(*DASHBOARD_ROLES)
@reads_from_replica
def drill_households(request):
    _form, flt = _filter(request)
    households = Household.objects.filter(flt.household_q()).select_related("village__parent")
    if status := query_text(request, "status"):
        households = households.filter(registry_status=status)
    if pmks := query_text(request, "pmks"):
        households = households.filter(pk__in=households_in_pmks(pmks).values("pk"))
    if "source" in request.GET:
        households = households.filter(registry_source=query_text(request, "source"))
    if in_kecamatan := query_text(request, "in_kecamatan"):
        households = households.filter(village__parent__code=in_kecamatan)
    return _DrillDown(
        request, households.order_by("village__code", "kk_number", "pk"), title=_("Households"), stem="households",
        headers=[_("KK number"), _("Address"), _("RT"), _("RW"), _("Kelurahan/kampung"), _("Kecamatan"),
                 _("Registry status"), _("Source"), _("Year")],
        row=lambda h: [h.kk_number or "", h.address, h.rt, h.rw, h.village.name.title(), h.village.parent.name.title(),
                       h.get_registry_status_display(), h.registry_source, h.registry_year],
    ).respond()


@roles.role_required(*DASHBOARD_ROLES)
@reads_from_replica
def drill_tickets(request):
    _form, flt = _filter(request)
    tickets = Ticket.objects.filter(issued_on__range=(flt.date_from, flt.date_to)).select_related("origin_desk")
    if request.GET.get("desk"):
        tickets = tickets.filter(steps__desk_id=parse_id(request.GET["desk"])).distinct()
    return _DrillDown(
        request, tickets.order_by("-issued_on", "number"), title=_("Tickets"), stem="tickets",
        headers=[_("Date"), _("Ticket number"), _("Issued at"), _("Status")],
        row=lambda t: [t.issued_on, t.number, t.origin_desk.name, t.get_status_display()],
    ).respond()


@roles.role_required(*REFERRAL_FIGURE_ROLES)
@reads_from_replica
def drill_referrals(request):
    """The referrals behind a dashboard number: provider, service, state, overdue, kecamatan."""

    _form, flt = _filter(request)
    start, end = flt.date_from, flt.date_to
    referrals = Referral.objects.filter(created_at__date__range=(start, end)).select_related(
        "service", "provider", "case__person__household__village__parent")
    if flt.provider is not None:
        referrals = referrals.filter(provider=flt.provider)
    if flt.kecamatan is not None:
        referrals = referrals.filter(kecamatan=flt.kecamatan)
    if request.GET.get("provider"):
        referrals = referrals.filter(provider_id=parse_id(request.GET["provider"]))
    if request.GET.get("service"):
        referrals = referrals.filter(service_id=parse_id(request.GET["service"]))
    if in_kecamatan := query_text(request, "in_kecamatan"):
        referrals = referrals.filter(kecamatan__code=in_kecamatan)
    state = request.GET.get("state", "")
    if state == "overdue":
        referrals = referrals.filter(status__in=Referral.OPEN_STATUSES, due_on__lt=timezone.localdate())
    elif state == "pending":
        referrals = referrals.filter(status__in=[Referral.Status.SENT, Referral.Status.RECEIVED])
    elif state == "granted":
        referrals = referrals.filter(status=Referral.Status.COMPLETED, outcome=Referral.Outcome.GRANTED)
    elif state in Referral.Status.values:
        referrals = referrals.filter(status=state)
    return _DrillDown(
        request, referrals.order_by("-created_at", "-pk"), title=_("Referrals"), stem="referrals",
        headers=[_("Referral number"), _("Date"), _("Person"), _("Kecamatan"), _("Service"), _("Provider"),
                 _("Status"), _("Due on"), _("Outcome")],
        row=lambda r: [r.number, timezone.localtime(r.created_at).date(), r.case.person.full_name,
                       r.case.person.household.village.parent.name.title() if r.case.person.household else "",
                       r.service.name, r.provider.name, r.get_status_display(), r.due_on,
                       r.get_outcome_display() if r.outcome else ""],
    ).respond()


@roles.role_required(*DASHBOARD_ROLES)
@reads_from_replica
def drill_complaints(request):
    """The complaints behind a dashboard number: received in the period, by kind and where they stand."""
    _form, flt = _filter(request)
    complaints = Complaint.objects.filter(created_at__date__range=(flt.date_from, flt.date_to)).select_related(
        "household__village__parent")
    if flt.kecamatan is not None:
        complaints = complaints.filter(household__village__parent=flt.kecamatan)
    if (kind := query_text(request, "kind")) in Complaint.Kind.values:
        complaints = complaints.filter(kind=kind)
    state = request.GET.get("state", "")
    if state == "overdue":
        complaints = complaints_overdue(complaints)
    elif state == "open":
        complaints = complaints.filter(status__in=Complaint.OPEN_STATUSES)
    elif state in (Complaint.Status.RESOLVED, Complaint.Status.REJECTED):
        complaints = complaints.filter(status=state)
    return _DrillDown(
        request, complaints.order_by("-created_at", "-pk"), title=_("Complaints"), stem="complaints",
        headers=[_("Complaint number"), _("Received"), _("Kind"), _("Kecamatan"), _("Status"), _("Due on"),
                 _("Resolved at")],
        row=lambda c: [c.number, timezone.localtime(c.created_at).date(), c.get_kind_display(),
                       c.household.village.parent.name.title() if c.household else "", c.get_status_display(),
                       c.due_on, timezone.localtime(c.resolved_at).date() if c.resolved_at else None],
    ).respond()
