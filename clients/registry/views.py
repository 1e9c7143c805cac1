"""The data desk's registry pages: upload → check → import in the background; exports."""

from __future__ import annotations

import base64
import datetime
import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import proposals as national
from clients.models import ImportJob, NationalProposal, Programme
from clients.programmes import programme_import
from clients.registry import export
from clients.registry.forms import ProgrammeUploadForm, RegistryExportForm, RegistryUploadForm
from clients.registry.uploads import import_job_create, import_job_retry, import_job_start
from pandu import roles
from pandu.audit import audit_record
from pandu.exports import csv_response, xlsx_response
from pandu.files import private_file_response
from pandu.models import AuditEvent
from pandu.replica import reads_from_replica

REGISTRY_ROLES = (roles.DATA_OFFICER, roles.ADMIN)


def get_import_job_for_user(user, pk) -> ImportJob:
    """Jobs belong to the data desk: any data officer (or admin) may follow any of them."""
    if not roles.has_role(user, *REGISTRY_ROLES):
        raise Http404
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


@roles.role_required(*REGISTRY_ROLES)
def import_list(request):
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            user=request.user, upload=form.cleaned_data["file"], source=form.cleaned_data["source"],
            language=translation.get_language() or "id",
        )  # fmt: skip
        messages.info(
            request, _("The file is being checked. You may leave this page and come back.")
        )
        return redirect("registry:import_detail", pk=job.pk)
    jobs = Paginator(ImportJob.objects.select_related("created_by"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "registry/import_list.html", {"form": form, "page_obj": jobs})


@roles.role_required(*REGISTRY_ROLES)
def import_detail(request, pk):
    job = get_import_job_for_user(request.user, pk)
    return render(request, "registry/import_detail.html", {"job": job})


@roles.role_required(*REGISTRY_ROLES)
def import_progress(request, pk):
    """The part of the page htmx polls every 2 s while the job runs."""
    job = get_import_job_for_user(request.user, pk)
    return render(request, "registry/_import_progress.html", {"job": job})


@require_POST
@roles.role_required(*REGISTRY_ROLES)
def import_start(request, pk):
    job = get_import_job_for_user(request.user, pk)
    if import_job_start(job=job, user=request.user):
        messages.info(request, _("The import has started. You may leave this page and come back."))
    else:
        messages.warning(request, _("This file is not waiting to be imported."))
    return redirect("registry:import_detail", pk=job.pk)


@require_POST
@roles.role_required(*REGISTRY_ROLES)
def import_retry(request, pk):
    job = get_import_job_for_user(request.user, pk)
    if import_job_retry(job=job):
        messages.info(request, _("The file is queued again. You may leave this page and come back."))
    else:
        messages.warning(request, _("This file has not failed: there is nothing to try again."))
    return redirect("registry:import_detail", pk=job.pk)


@roles.role_required(*REGISTRY_ROLES)
def import_errors(request, pk):
    job = get_import_job_for_user(request.user, pk)
    response = private_file_response(
        job.error_report, filename=f"errors-{job.pk}.csv", inline=False
    )
    audit_record(
        user=request.user, action=AuditEvent.Action.EXPORT, obj=job, request=request,
        summary=f"error report of registry import #{job.pk}", detail={"file": job.original_name},
    )  # fmt: skip
    return response


def _download(request, *, name: str, header, rows, fmt: str, summary: str, detail: dict):
    if fmt == "csv":
        response = csv_response(name, header, rows)
    else:
        response = xlsx_response(name, header, rows, title=name)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.EXPORT,
        request=request,
        summary=summary,
        detail=detail,
    )
    return response


@roles.role_required(*REGISTRY_ROLES)
@reads_from_replica
def export_list(request):
    form = RegistryExportForm(request.GET or None)
    if "download" in request.GET and form.is_valid():
        filters = form.filters()
        persons = export.registry_list_persons(filters)
        count = persons.count()
        return _download(
            request, name="registry", header=export.LIST_HEADER, rows=export.registry_list_rows(persons),
            fmt=form.cleaned_data["format"], summary=f"registry list: {count} persons",
            detail={"filter": filters, "rows": count, "format": form.cleaned_data["format"]},
        )  # fmt: skip
    changes = export.verivali_changes()
    return render(
        request, "registry/export.html", {"form": form, "verivali_changes": changes.count()}
    )


@roles.role_required(*REGISTRY_ROLES)
@reads_from_replica
def export_proposal(request):
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = list(export.proposal_rows(export.verivali_changes()))
    return _download(
        request, name="usulan-kemensos", header=export.PROPOSAL_HEADER, rows=rows, fmt=fmt,
        summary=f"ministry proposal: {len(rows)} persons", detail={"filter": "verivali changes", "rows": len(rows),
                                                                  "format": fmt},
    )  # fmt: skip


# --- the national update cycle -------------------------------------------------------------------


def _month(request) -> datetime.date:
    """The month asked for (``?month=2026-11``), else the current one."""
    try:
        return datetime.date.fromisoformat(f"{request.GET.get('month', '')}-01")
    except ValueError:
        return national.month_start()


@roles.role_required(*REGISTRY_ROLES)
def proposals(request):
    """The month's proposals to the national registry: what, about whom, why, proposed by whom;
    exported for the ministry's application at the end of the month."""
    month = _month(request)
    page = Paginator(national.proposals_of_month(month), 50).get_page(request.GET.get("page"))
    counts = national.proposal_counts(month)
    return render(request, "registry/proposals.html", {
        "month": month, "page_obj": page, "months": national.proposal_months(),
        "counts": [(label, counts.get(kind, 0)) for kind, label in NationalProposal.Kind.choices],
    })


@roles.role_required(*REGISTRY_ROLES)
def proposals_export(request):
    month = _month(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    rows = list(national.export_rows(national.proposals_of_month(month)))
    return _download(
        request, name=f"usulan-dtks-{month:%Y-%m}", header=national.HEADER, rows=rows, fmt=fmt,
        summary=f"{national.EXPORT_SUMMARY} {month:%Y-%m}: {len(rows)} rows",
        detail={"month": f"{month:%Y-%m}", "rows": len(rows), "format": fmt},
    )


# --- the agencies' programme lists --------------------------------------------------------------


@roles.role_required(*REGISTRY_ROLES)
def programme_lists(request):
    """Upload an agency's list of programme recipients: check it, or import it (one transaction,
    the same list twice changes nothing); the rejected rows come back as the error report."""
    form = ProgrammeUploadForm(request.POST or None, request.FILES or None)
    result, report = None, ""
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower()) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                result = programme_import(handle.name, source=data["source"] or Path(upload.name).stem,
                                          as_of=data["as_of"], dry_run="import" not in request.POST)
            except ValidationError as error:
                form.add_error("file", error)
        if result is not None and result.saved:
            audit_record(user=request.user, action=AuditEvent.Action.IMPORT, request=request,
                         summary=result.summary_line(), detail={"file": upload.name, "rows": result.rows})
            messages.success(request, _("Programme list imported: %(line)s") % {"line": result.summary_line()})
        if result is not None and result.rejected:
            buffer = io.StringIO()
            result.write_errors(buffer)
            report = base64.b64encode(buffer.getvalue().encode("utf-8-sig")).decode()
    return render(request, "registry/programme_lists.html", {
        "form": form, "result": result, "report": report, "rejected": result.rejected[:200] if result else [],
        "programmes": Programme.objects.filter(is_active=True),
    })
