"""The monthly report's archive (*Laporan bulanan UPTD-PTKS*): one report per month, its figures
frozen when it was made, its PDF and XLSX, and the head's approval.

A report is made by the job queue on the first day of the next month, or on request for any
month (``pandu.office.reports``). Until the head approves it, it is a draft, marked as such on
every page, and may be made again from the data as it is then. Approved, it is final: the
database itself refuses to change or delete it (migration office 0001), so later changes of the
data never reach a report that was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pandu.files import private_files
from pandu.models import TimeStampedModel


def report_file_path(instance, filename: str) -> str:
    return f"reports/{instance.month:%Y-%m}/{filename}"


class MonthlyReport(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Being made")
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        FAILED = "failed", _("Could not be made")

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month reported."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    figures = models.JSONField(_("figures"), default=dict, blank=True,
                               help_text=_("Every figure of the report as it was made: the report is this."))
    pdf = models.FileField(_("PDF"), storage=private_files, upload_to=report_file_path, blank=True)
    xlsx = models.FileField(_("XLSX"), storage=private_files, upload_to=report_file_path, blank=True)
    made_at = models.DateTimeField(_("made at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"), help_text=_("Empty: made by the monthly job."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_report_first_of_month"),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(approved_by__isnull=False) & Q(made_at__isnull=False)),
                name="monthly_report_approved_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
