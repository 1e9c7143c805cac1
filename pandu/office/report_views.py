"""The monthly reports' pages: the archive, one report (its draft read and approved by the head),
its PDF and XLSX, and a month's report made on request."""

from __future__ import annotations

import datetime
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pandu import roles
from pandu.audit import audit_record
from pandu.exports import download_response
from pandu.http import error_messages
from pandu.models import AuditEvent
from pandu.office import reports, services
from pandu.office.models import MonthlyReport

REPORT_ROLES = (roles.HEAD, roles.ADMIN)
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
APPROVE_ROLES = (roles.HEAD,)


def get_report_for_user(user, pk) -> MonthlyReport:
    """The head and the administrator read every report; anyone else finds none."""
    found = MonthlyReport.objects.all() if roles.has_role(user, *REPORT_ROLES) else MonthlyReport.objects.none()
    return get_object_or_404(found.select_related("approved_by", "requested_by"), pk=pk)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"}),
        help_text=gettext_lazy("Any month up to this one; a draft is made again from the data as it is now."),
    )

    def clean_month(self) -> datetime.date:
        value = self.cleaned_data["month"].strip()
        try:
            return datetime.date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            raise ValidationError(_("Choose a month, for example 2026-11.")) from None


@require_GET
@roles.role_required(*REPORT_ROLES)
def report_list(request):
    page = Paginator(MonthlyReport.objects.select_related("approved_by"), 24).get_page(request.GET.get("page"))
    initial = {"month": f"{reports.last_month():%Y-%m}"}
    return render(request, "pandu/reports/list.html", {
        "page_obj": page, "form": MonthForm(initial=initial), "last_month": reports.last_month(),
    })


@require_POST
@roles.role_required(*REPORT_ROLES)
def report_request(request):
    form = MonthForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("month", []):
            messages.error(request, error)
        return redirect("reports:list")
    try:
        report = services.report_request(month=form.cleaned_data["month"], requested_by=request.user)
    except ValidationError as error:
        error_messages(request, error)
        return redirect("reports:list")
    messages.success(request, _("The report of %(month)s is being made by the job worker; this page shows it "
                                "when it is ready.") % {"month": reports.month_label(report.month)})
    return redirect("reports:detail", pk=report.pk)


@require_GET
@roles.role_required(*REPORT_ROLES)
def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    context = {
        "report": report,
        "view": reports.report_view(report) if report.figures else None,
        "may_approve": report.is_draft and roles.has_role(request.user, *APPROVE_ROLES),
        "draft": not report.is_final,
    }
    return render(request, "pandu/reports/detail.html", context)


@require_POST
@roles.role_required(*APPROVE_ROLES)
def report_approve(request, pk):
    report = get_report_for_user(request.user, pk)
    try:
        report = reports.report_approve(report=report, approved_by=request.user, request=request)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The report of %(month)s is approved: it is final.")
                         % {"month": reports.month_label(report.month)})
    return redirect("reports:detail", pk=report.pk)


@require_GET
@roles.role_required(*REPORT_ROLES)
def report_file(request, pk, kind):
    report = get_report_for_user(request.user, pk)
    if not report.figures:
        raise Http404
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, obj=report,
                 summary=f"monthly report {report.month:%Y-%m} {kind} ({report.status})", request=request)
    state = "final" if report.is_final else "draf"
    handle = io.BytesIO(reports.report_document(report, kind))
    return download_response(handle, stem=f"laporan-bulanan-{report.month:%Y-%m}-{state}", extension=kind,
                             content_type=CONTENT_TYPES[kind])
