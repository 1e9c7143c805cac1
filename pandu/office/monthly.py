"""The figures of the monthly report (*Laporan bulanan UPTD-PTKS*), in one fixed layout.

Every figure stands next to the previous month's and the same month's a year earlier. Figures
of what happened in a month (visits, registrations, cases, referrals made, answers, complaints,
letters, surveys, grants) are counted from the data for each of the three months, on the
office's days (WITA). Figures of how things stand (the paper's Table 1, the quota places and
waiting lists) can only be counted for now: their earlier columns are those of the archived
reports of those months, and empty where there is none.

:func:`report_figures` returns the whole report as JSON-ready data; the archive keeps exactly
that (``MonthlyReport.figures``), and the page, the PDF and the XLSX are drawn from it alone.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.selectors import TABLE_ONE_ROWS, table_one
from desks.models import Pathway, Service
from pandu.office import selectors
from pandu.office.models import MonthlyReport
from referrals.models import Case, Referral, ReferralEvent
from referrals.selectors import (
    ANSWER_CHANNELS,
    dashboard_outcome_channels,
    dashboard_referrals,
    quota_summary,
)
from verivali.models import Assessment, Batch

COUNT = "count"
REFERRAL_FIGURES = ("total", "completed", "granted", "rejected", "returned", "cancelled", "waiting", "open",
                    "median_days", "sla_pct")
AID_FIGURES = ("grants", "rupiah", "in_kind", "not_stated")

# Section key → title, in the report's order.
SECTIONS = {
    "visits": _("1. Visits and persons served"),
    "registrations": _("2. Registered in the month"),
    "cases": _("3. Cases opened and closed"),
    "pathways": _("4. Pathways of the cases opened"),
    "referrals_provider": _("5. Referrals made in the month, per provider"),
    "referrals_service": _("6. Referrals made in the month, per service"),
    "channels": _("7. How the answers to the month's referrals arrived"),
    "complaints": _("8. Complaints"),
    "recommendations": _("9. Recommendation letters"),
    "quotas": _("10. Quota places and waiting lists (at the time the report was made)"),
    "waiting_flow": _("11. Waiting lists in the month"),
    "verivali": _("12. Verivali"),
    "table_one": _("13. PMKS (the paper's Table 1, at the time the report was made)"),
    "aid_provider": _("14. Value of the aid granted, per provider"),
    "aid_programme": _("15. Value of the aid granted, per programme"),
}
# Sections of how things stand: earlier columns from the archive.
STOCK_SECTIONS = ("quotas", "table_one")
# The figures (columns) of each section.
SECTION_FIGURES = {
    "visits": (COUNT,), "registrations": (COUNT,), "cases": (COUNT,), "pathways": (COUNT,),
    "referrals_provider": REFERRAL_FIGURES, "referrals_service": REFERRAL_FIGURES,
    "channels": ("answers", "median_days"),
    "complaints": (COUNT,), "recommendations": (COUNT,),
    "quotas": ("quota", "taken", "waiting"), "waiting_flow": ("added", "moved_up"),
    "verivali": (COUNT,), "table_one": (COUNT,),
    "aid_provider": AID_FIGURES, "aid_programme": AID_FIGURES,
}

FIGURE_LABELS = {
    COUNT: _("Number"),
    "total": _("Made"), "completed": _("Completed"), "granted": _("Granted"), "rejected": _("Rejected"),
    "returned": _("Returned"), "cancelled": _("Cancelled"), "waiting": _("Waiting list"), "open": _("Open"),
    "median_days": _("Median days to completion"), "sla_pct": _("Completed within SLA (%)"),
    "answers": _("Answers"),
    "quota": _("Quota"), "taken": _("Places taken"),
    "added": _("Put on the waiting list"), "moved_up": _("Moved up to a place"),
    "grants": _("Grants"), "rupiah": _("Value in rupiah"), "in_kind": _("Grants in kind"),
    "not_stated": _("Grants without a stated value"),
}

ROW_LABELS = {
    "visits": _("Visits (queue tickets issued)"),
    "persons_served": _("Distinct persons served (a visit or a case opened)"),
    "households": _("Households"),
    "persons": _("Persons"),
    "opened": _("Cases opened"),
    "closed": _("Cases closed"),
    **{f"closed_{value}": label for value, label in Case.ClosureReason.choices},
    **dict(Pathway.choices),
    **{channel.value: channel.label for channel in ANSWER_CHANNELS},
    "received": _("Received"),
    "resolved": _("Resolved"),
    "complaints_rejected": _("Rejected"),
    "overdue_at_end": _("Overdue at the end of the month"),
    "requested": _("Requested"),
    "approved": _("Approved"),
    "refused": _("Refused"),
    "submitted": _("Surveys submitted"),
    "validated": _("Surveys validated"),
    "decreed": _("Households settled by a decree"),
    "decrees": _("Decrees (SK) recorded"),
    "total": _("Total"),
}


def row_label(key: str) -> str:
    """The label of a fixed row, in the active language."""
    for number, (row_key, label, unit, _how) in enumerate(TABLE_ONE_ROWS, start=1):
        if row_key == key:
            return f"{number}. {label}" + (f" ({_('KK')})" if unit == "households" else "")
    return str(ROW_LABELS.get(key, key))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shift_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def comparison_months(month: datetime.date) -> list[datetime.date]:
    """The report's three columns: the month, the one before, the same month a year earlier."""
    return [month, shift_months(month, -1), shift_months(month, -12)]


def _round(value):
    return None if value is None else round(float(value), 1)


def _referral_rows(rows: list[dict], key: str, label) -> dict:
    return {
        str(row[key]): (label(row), {figure: _round(row[figure]) if figure == "median_days" else row[figure]
                                     for figure in REFERRAL_FIGURES})
        for row in rows
    }


def _counts(values: dict, keys) -> dict:
    return {key: (None, {COUNT: values[source]}) for key, source in keys}


def month_values(month: datetime.date) -> dict[str, dict[str, tuple[str | None, dict]]]:
    """Every flow figure of one month: section → row key → (label or None for a fixed row,
    figure → value)."""
    first, last = month, month_end(month)
    period = {"date_from": first, "date_to": last}
    served = selectors.persons_served(**period)
    registered = selectors.registrations(**period)
    cases = selectors.case_flow(**period)
    referrals = dashboard_referrals(**period)
    channels = dashboard_outcome_channels(**period)
    complaints = selectors.complaint_flow(**period)
    letters = selectors.recommendation_flow(**period)
    aid = selectors.aid_totals_by(**period, groups=("provider", "programme"))
    start, end = selectors.period_bounds(first, last)
    values = {
        "visits": _counts({"visits": served["visits"], "persons_served": served["persons"]},
                          [("visits", "visits"), ("persons_served", "persons_served")]),
        "registrations": _counts(registered, [("households", "households"), ("persons", "persons")]),
        "cases": {
            "opened": (None, {COUNT: cases["opened"]}),
            "closed": (None, {COUNT: cases["closed"]}),
            **{f"closed_{reason}": (None, {COUNT: n}) for reason, n in cases["closed_by_reason"].items()},
        },
        "pathways": {pathway: (None, {COUNT: n}) for pathway, n in cases["pathways"].items()},
        "referrals_provider": _referral_rows(referrals["per_provider"], "provider_id", lambda row: row["name"]),
        "referrals_service": _referral_rows(referrals["per_service"], "service_id",
                                            lambda row: f"{row['name']} ({row['provider']})"),
        "channels": {
            cell["channel"]: (None, {"answers": cell["count"], "median_days": _round(cell["median_days"])})
            for cell in channels["totals"]
        },
        "complaints": _counts(complaints, [("received", "received"), ("resolved", "resolved"),
                                           ("complaints_rejected", "rejected"), ("overdue_at_end", "overdue_at_end")]),
        "recommendations": _counts(letters, [("requested", "requested"), ("approved", "approved"),
                                             ("refused", "refused")]),
        "waiting_flow": _waiting_flow(start, end),
        "verivali": _verivali(first, last, start, end),
        "aid_provider": _aid_rows(aid["provider"]),
        "aid_programme": _aid_rows(aid["programme"]),
    }
    return values


def _aid_rows(rows: list[dict]) -> dict:
    found = {str(row["key"]): (row["name"], {figure: row[figure] for figure in AID_FIGURES}) for row in rows}
    if rows:
        found["total"] = (None, {figure: sum(row[figure] for row in rows) for figure in AID_FIGURES})
    return found


def _waiting_flow(start: datetime.datetime, end: datetime.datetime) -> dict:
    """Per quota service: referrals put on its waiting list in the month, and moved up to a place."""
    found = {}
    for service in Service.objects.filter(quota__isnull=False).select_related("provider").order_by("name"):
        added = Referral.objects.filter(service=service, waitlisted_at__gte=start, waitlisted_at__lt=end).count()
        moved = ReferralEvent.objects.filter(referral__service=service, action="promote", at__gte=start,
                                             at__lt=end).count()
        found[str(service.pk)] = (service.name, {"added": added, "moved_up": moved})
    return found


def _verivali(first: datetime.date, last: datetime.date, start, end) -> dict:
    """Surveys submitted, validated and settled by a decree in the month, and the decrees recorded."""
    assessments = Assessment.objects.all()
    return {
        "submitted": (None, {COUNT: assessments.filter(submitted_at__gte=start, submitted_at__lt=end).count()}),
        "validated": (None, {COUNT: assessments.filter(validated_at__gte=start, validated_at__lt=end).count()}),
        "decreed": (None, {COUNT: assessments.filter(approved_at__gte=start, approved_at__lt=end).count()}),
        "decrees": (None, {COUNT: Batch.objects.filter(status=Batch.Status.APPROVED,
                                                       decree_date__range=(first, last)).count()}),
    }


def decrees_of(month: datetime.date) -> list[dict]:
    """The verivali decrees (SK) dated in the month: batch, number, date, households settled."""
    return [
        {"batch": batch.name, "number": batch.decree_number, "date": batch.decree_date.isoformat(),
         "households": batch.assessments.filter(status=Assessment.Status.APPROVED).count()}
        for batch in Batch.objects.filter(status=Batch.Status.APPROVED,
                                          decree_date__range=(month, month_end(month))).order_by("decree_date", "pk")
    ]


def stock_values(month: datetime.date) -> dict[str, dict[str, tuple[str | None, dict]]]:
    """How things stand now: the paper's Table 1 (ages on the month's last day, or today if
    earlier) and the quota services' places and waiting lists."""
    on = min(month_end(month), timezone.localdate())
    quotas = {}
    for service in Service.objects.filter(quota__isnull=False).order_by("name"):
        summary = quota_summary(service)
        quotas[str(service.pk)] = (service.name, {figure: summary[figure] for figure in ("quota", "taken", "waiting")})
    return {
        "table_one": {row["key"]: (None, {COUNT: row["count"]}) for row in table_one(on=on)},
        "quotas": quotas,
    }


def _archived_stock(month: datetime.date) -> dict:
    """The stock sections of the archived report of a month, row → figure → value, or {}."""
    report = MonthlyReport.objects.filter(month=month).exclude(figures={}).first()
    if report is None:
        return {}
    return {
        section["key"]: {row["key"]: {figure: values[0] for figure, values in row["values"].items()}
                         for row in section["rows"]}
        for section in report.figures.get("sections", []) if section["key"] in STOCK_SECTIONS
    }


def report_figures(month: datetime.date) -> dict:
    """The whole report of a month: every section's rows, each figure as [this month, previous
    month, same month a year earlier]."""
    month = month_start(month)
    columns = comparison_months(month)
    flows = [month_values(m) for m in columns]
    stock_now = stock_values(month)
    archived = [_archived_stock(m) for m in columns[1:]]
    sections = []
    for key, figures in SECTION_FIGURES.items():
        rows = []
        if key in STOCK_SECTIONS:
            for row_key, (label, values) in stock_now[key].items():
                earlier = [archive.get(key, {}).get(row_key, {}) for archive in archived]
                rows.append({"key": row_key, "label": label,
                             "values": {figure: [values[figure], *(e.get(figure) for e in earlier)]
                                        for figure in figures}})
        else:
            order: list[str] = []
            for by_month in flows:
                order += [row_key for row_key in by_month[key] if row_key not in order]
            if "total" in order:  # the total row stays last
                order = [row_key for row_key in order if row_key != "total"] + ["total"]
            for row_key in order:
                found = [by_month[key].get(row_key) for by_month in flows]
                label = next((row[0] for row in found if row is not None), None)
                rows.append({"key": row_key, "label": label,
                             "values": {figure: [row[1][figure] if row else _empty(figure) for row in found]
                                        for figure in figures}})
        sections.append({"key": key, "stock": key in STOCK_SECTIONS, "figures": list(figures), "rows": rows})
    return {
        "month": f"{month:%Y-%m}",
        "columns": [f"{m:%Y-%m}" for m in columns],
        "office": settings.OFFICE_NAME,
        "made_at": timezone.localtime().isoformat(timespec="seconds"),
        "sections": sections,
        "decrees": decrees_of(month),
    }


def _empty(figure: str):
    """A row that had nothing that month: 0, or no value for a median and a share."""
    return None if figure in ("median_days", "sla_pct") else 0
