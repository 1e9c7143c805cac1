"""Making, drawing and approving the monthly report (``MonthlyReport``).

``report_make`` counts the month's figures (``pandu.office.monthly``) and keeps them in the
archive; a draft's PDF and XLSX are drawn from them when downloaded, each page marked as a draft.
``report_approve`` records the head's approval and draws the final files from the same figures
and keeps them: nothing is counted again, so the approved report is what the head read.

The documents are official: drawn in Indonesian, with the office's name as the letters carry it
(``settings.OFFICE_NAME``). The page in the browser speaks the reader's language.
"""

from __future__ import annotations

import datetime
import io
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pandu.audit import audit_record
from pandu.exports import escape_formula
from pandu.models import AuditEvent
from pandu.office import monthly
from pandu.office.models import MonthlyReport
from pandu.pdf import render_pdf

logger = logging.getLogger(__name__)

NUMERIC_DECIMALS = ("median_days",)


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "F Y")


def report_view(report: MonthlyReport) -> dict:
    """What the page, the PDF and the XLSX show, from the report's frozen figures alone, in the
    active language: the columns' months, and each section's title, figures and rows."""
    figures = report.figures
    columns = [month_label(datetime.date.fromisoformat(f"{value}-01")) for value in figures["columns"]]
    sections = []
    for section in figures["sections"]:
        rows = [
            {"key": row["key"], "label": row["label"] or monthly.row_label(row["key"]),
             "cells": [{"figure": figure, "values": row["values"][figure]} for figure in section["figures"]]}
            for row in section["rows"]
        ]
        sections.append({
            "key": section["key"], "title": str(monthly.SECTIONS[section["key"]]), "stock": section["stock"],
            "figures": [{"key": figure, "label": str(monthly.FIGURE_LABELS[figure])} for figure in section["figures"]],
            "rows": rows,
        })
    return {"columns": columns, "sections": sections, "decrees": figures.get("decrees", []),
            "month": month_label(report.month), "office": figures.get("office", settings.OFFICE_NAME),
            "made_at": datetime.datetime.fromisoformat(figures["made_at"]) if figures.get("made_at") else None}


def _draft_mark() -> str:
    return _("DRAFT: not approved by the head of office")


def report_pdf(report: MonthlyReport, *, draft: bool) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("pandu/reports/report_print.html", {
            "report": report, "view": report_view(report), "draft": draft, "draft_mark": _draft_mark(),
        })
    return render_pdf(html)


def report_xlsx(report: MonthlyReport, *, draft: bool) -> bytes:
    """One sheet: the heading, then each section with three columns per figure (this month,
    the previous month, the same month a year earlier). A draft says so in its first row and in
    the header of every printed page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(settings.LANGUAGE_CODE):
        view = report_view(report)
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = f"{_('Report')} {report.month:%Y-%m}"[:31]
        bold = Font(bold=True)
        heading = [
            [_("DRAFT") + " — " + _draft_mark() if draft else _("Approved")],
            [view["office"]],
            [_("Monthly report of %(month)s") % {"month": view["month"]}],
            [_("Made at %(t)s") % {"t": formats.date_format(timezone.localtime(report.made_at), "SHORT_DATETIME_FORMAT")}
             if report.made_at else ""],
        ]
        if not draft:
            heading.append([_("Approved by %(name)s at %(t)s") % {
                "name": _person(report.approved_by),
                "t": formats.date_format(timezone.localtime(report.approved_at), "SHORT_DATETIME_FORMAT")}])
        for line in heading:
            sheet.append([escape_formula(value) for value in line])
        sheet["A1"].font = Font(bold=True, color="B00020" if draft else "0B6E4F")
        for section in view["sections"]:
            sheet.append([])
            sheet.append([section["title"]])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            header = [""]
            for figure in section["figures"]:
                header += [f"{figure['label']} ({column})" for column in view["columns"]]
            sheet.append(header)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in section["rows"]:
                sheet.append([escape_formula(row["label"])] + [value for cell in row["cells"] for value in cell["values"]])
        if view["decrees"]:
            sheet.append([])
            sheet.append([_("Verivali decrees (SK) of the month")])
            sheet.append([_("Batch"), _("Decree (SK) number"), _("Date"), _("Households settled")])
            for decree in view["decrees"]:
                sheet.append([escape_formula(decree["batch"]), escape_formula(decree["number"]), decree["date"],
                              decree["households"]])
        sheet.column_dimensions["A"].width = 48
        if draft:
            sheet.oddHeader.center.text = _("DRAFT")
            sheet.evenHeader.center.text = _("DRAFT")
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def report_document(report: MonthlyReport, kind: str) -> bytes:
    """The report's PDF or XLSX: the approved report's kept file, or a draft drawn from its
    frozen figures now, marked as a draft."""
    if report.is_final:
        with (report.pdf if kind == "pdf" else report.xlsx).open("rb") as handle:
            return handle.read()
    return report_pdf(report, draft=True) if kind == "pdf" else report_xlsx(report, draft=True)


def checked_month(month: datetime.date) -> datetime.date:
    month = monthly.month_start(month)
    if month > monthly.month_start(timezone.localdate()):
        raise ValidationError(_("The month %(month)s has not begun: there is nothing to report yet.")
                              % {"month": month_label(month)})
    return month


def report_make(*, month: datetime.date, requested_by=None) -> MonthlyReport:
    """Count the month's figures and keep them with the draft's files. A report already approved
    is final: nothing happens to it. Run twice, the second run makes the draft again from the
    data as it is then. A failure is recorded on the report (the page says it) and raised."""
    month = checked_month(month)
    MonthlyReport.objects.get_or_create(month=month)
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.select_for_update().get(month=month)
            if report.is_final:
                return report
            with translation.override(settings.LANGUAGE_CODE):
                report.figures = monthly.report_figures(month)
            report.made_at = datetime.datetime.fromisoformat(report.figures["made_at"])
            if requested_by is not None:
                report.requested_by = requested_by
            report.status, report.error = MonthlyReport.Status.DRAFT, ""
            report.save()
    except Exception as error:
        logger.exception("the monthly report of %s could not be made", month)
        MonthlyReport.objects.filter(month=month).exclude(status=MonthlyReport.Status.APPROVED).update(
            status=MonthlyReport.Status.FAILED, error=str(error)[:2000], updated_at=timezone.now())
        raise
    return report


def last_month() -> datetime.date:
    return monthly.shift_months(monthly.month_start(timezone.localdate()), -1)


def report_of_last_month() -> str:
    """The monthly job: last month's report, unless it exists already (made, or approved)."""
    month = last_month()
    report = MonthlyReport.objects.filter(month=month).first()
    if report is not None and report.status in (MonthlyReport.Status.DRAFT, MonthlyReport.Status.APPROVED):
        return f"the report of {month:%Y-%m} exists ({report.status})"
    report_make(month=month)
    return f"the report of {month:%Y-%m} made as a draft"


@transaction.atomic
def report_approve(*, report: MonthlyReport, approved_by, request=None) -> MonthlyReport:
    """The head approves the draft as read: the final PDF and XLSX are drawn from the same
    figures without the draft's mark, and the report is final (the database refuses any later
    change)."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.is_final:
        raise ValidationError(_("This report was approved already by %(name)s on %(when)s.") % {
            "name": _person(report.approved_by),
            "when": formats.date_format(timezone.localtime(report.approved_at), "DATETIME_FORMAT")})
    if not report.is_draft:
        raise ValidationError(_("This report has not been made yet: wait for it, or make it again."))
    report.approved_by, report.approved_at = approved_by, timezone.now()
    stem = f"laporan-bulanan-{report.month:%Y-%m}-final"
    report.pdf.save(f"{stem}.pdf", ContentFile(report_pdf(report, draft=False)), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(report_xlsx(report, draft=False)), save=False)
    report.status = MonthlyReport.Status.APPROVED
    report.save()
    audit_record(user=approved_by, action=AuditEvent.Action.CHANGE, obj=report,
                 summary=f"approved the monthly report of {report.month:%Y-%m}", request=request)
    return report
