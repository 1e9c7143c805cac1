"""Writes of the office's composed pages that put work in the job queue: a monthly report made
on request (``pandu.office.reports`` makes it; ``pandu.office.tasks`` runs it)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pandu import jobs
from pandu.office.models import MonthlyReport
from pandu.office.reports import checked_month, month_label
from pandu.office.tasks import make_monthly_report


@transaction.atomic
def report_request(*, month: datetime.date, requested_by) -> MonthlyReport:
    """Queue the making of a month's report: a new one, or a draft made again from the data as it
    is now. An approved report is final and is not made again; one already queued is left in
    the queue."""
    month = checked_month(month)
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(month=month)
    if report.is_final:
        raise ValidationError(_("The report of %(month)s is approved: it is final and is not made again.")
                              % {"month": month_label(month)})
    if report.status == MonthlyReport.Status.QUEUED and not _created:
        return report
    MonthlyReport.objects.filter(pk=report.pk).update(
        status=MonthlyReport.Status.QUEUED, requested_by=requested_by, error="", updated_at=timezone.now())
    jobs.enqueue(make_monthly_report, month=month.isoformat(), requested_by=requested_by.pk)
    report.refresh_from_db()
    return report
