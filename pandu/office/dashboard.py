"""The head's dashboard: figures composed from the apps, aggregated in the database.

Every figure is computed for a period (default: this year) and a kecamatan (default:
all), and every number links to the list behind it with the same filters.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from clients.models import PMKSCategory, PMKSCount, Region, RegistryCount, RegistryStatus
from clients.selectors import complaint_figures, households_by_status, table_one
from desks.models import Desk, Pathway
from pandu.identity import office_identity
from pandu.office import selectors
from referrals.selectors import dashboard_outcome_channels, dashboard_referrals
from verivali import selectors as verivali_selectors


@dataclass
class DashboardFilter:
    date_from: datetime.date
    date_to: datetime.date
    kecamatan: Region | None = None
    provider: object | None = None  # a desks.Provider: desk officers see their own provider only
    extra: dict = field(default_factory=dict)

    @classmethod
    def default(cls) -> DashboardFilter:
        today = timezone.localdate()
        return cls(date_from=today.replace(month=1, day=1), date_to=today)

    def query(self) -> dict[str, str]:
        """The filter as GET parameters, for drill-down links and exports."""
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        if self.kecamatan is not None:
            params["kecamatan"] = self.kecamatan.code
        return params

    def describe(self) -> str:
        where = self.kecamatan.name.title() if self.kecamatan else office_identity().regency_name
        text = f"{self.date_from:%d-%m-%Y} – {self.date_to:%d-%m-%Y}, {where}"
        if self.provider is not None:
            text += f", {self.provider}"
        return text

    def person_q(self, prefix: str = "") -> Q:
        if self.kecamatan is None:
            return Q()
        return Q(**{f"{prefix}household__village__parent": self.kecamatan})

    def household_q(self, prefix: str = "") -> Q:
        if self.kecamatan is None:
            return Q()
        return Q(**{f"{prefix}village__parent": self.kecamatan})


def pmks_table(flt: DashboardFilter) -> list[dict]:
    """Living persons per PMKS category (the paper's Table 1), from the exact counters."""
    counts = PMKSCount.objects.filter(flt.household_q()).values("category").annotate(n=Sum("persons"))
    persons = {row["category"]: row["n"] for row in counts}
    return [
        {"code": c.code, "name": c.name, "count": persons.get(c.pk, 0)}
        for c in PMKSCategory.objects.filter(is_active=True).order_by("code")
    ]


def registry_summary(flt: DashboardFilter) -> dict:
    """Households and persons by registry source and by kecamatan, from the exact counters
    (pandu.counters): a few hundred rows, whatever the size of the registry."""
    cells = RegistryCount.objects.filter(flt.household_q())
    by_source = (
        cells.filter(registry_status=RegistryStatus.LISTED)
        .values("registry_source")
        .annotate(households=Sum("households"), persons=Sum("persons"))
        .filter(Q(households__gt=0) | Q(persons__gt=0))
        .order_by("registry_source")
    )
    by_kecamatan = (
        cells.filter(village__isnull=False)
        .values("village__parent__code", "village__parent__name")
        .annotate(**households_by_status(), all_households=Sum("households"))
        .filter(all_households__gt=0)
        .order_by("village__parent__code")
    )
    totals = cells.aggregate(
        **households_by_status(),
        listed_persons=Sum("persons", filter=Q(registry_status=RegistryStatus.LISTED), default=0),
    )
    return {
        "by_source": [
            {"source": row["registry_source"] or "—", "raw_source": row["registry_source"],
             "households": row["households"], "persons": row["persons"]}
            for row in by_source
        ],
        "by_kecamatan": [
            {"code": row["village__parent__code"], "name": row["village__parent__name"].title(),
             "listed": row["listed"], "in_verification": row["in_verification"], "not_listed": row["not_listed"]}
            for row in by_kecamatan
        ],
        "totals": totals,
    }


def queue_summary(flt: DashboardFilter) -> dict:
    """Tickets per day and median waiting/serving minutes per desk, over the period."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, d.ticket_prefix, d.name, count(*) AS steps,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', s.called_at - s.queued_at)) / 60,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', s.done_at - s.served_at)) / 60,
                   count(*) FILTER (WHERE s.status = 'no_show')
            FROM desks_ticketstep s
            JOIN desks_ticket t ON t.id = s.ticket_id
            JOIN desks_desk d ON d.id = s.desk_id
            WHERE t.issued_on BETWEEN %s AND %s
            GROUP BY d.id, d.ticket_prefix, d.name
            ORDER BY d.ticket_prefix
            """,
            [flt.date_from, flt.date_to],
        )
        per_desk = [
            {"desk_id": r[0], "prefix": r[1], "name": r[2], "steps": r[3],
             "median_wait": r[4], "median_serve": r[5], "no_show": r[6]}
            for r in cursor.fetchall()
        ]
        cursor.execute(
            """
            SELECT issued_on, count(*) FROM desks_ticket
            WHERE issued_on BETWEEN %s AND %s GROUP BY issued_on ORDER BY issued_on DESC LIMIT 31
            """,
            [flt.date_from, flt.date_to],
        )
        per_day = [{"day": r[0], "tickets": r[1]} for r in cursor.fetchall()]
    return {"per_desk": per_desk, "per_day": list(reversed(per_day)), "desks": Desk.objects.count()}


def verivali_summary(flt: DashboardFilter) -> dict:

    return {
        "classes": verivali_selectors.welfare_class_counts(kecamatan=flt.kecamatan),
        "batches": verivali_selectors.dashboard_progress(kecamatan=flt.kecamatan),
    }


def referrals_summary(flt: DashboardFilter) -> dict:
    """The referral figures, and how their answers arrived (desk, office, API, reply slip)."""
    figures = dashboard_referrals(date_from=flt.date_from, date_to=flt.date_to, kecamatan=flt.kecamatan,
                                  provider=flt.provider)
    figures["channels"] = dashboard_outcome_channels(date_from=flt.date_from, date_to=flt.date_to,
                                                     kecamatan=flt.kecamatan, provider=flt.provider)
    return figures


def complaints_summary(flt: DashboardFilter) -> dict:
    """Complaints received in the period, and of those resolved, rejected, open and overdue now."""
    return complaint_figures(date_from=flt.date_from, date_to=flt.date_to, kecamatan=flt.kecamatan)


def activity_summary(flt: DashboardFilter) -> dict:
    """Visits and the distinct persons served, cases opened per pathway and recommendation
    letters, in the period (and the kecamatan where the person lives)."""
    period = {"date_from": flt.date_from, "date_to": flt.date_to, "kecamatan": flt.kecamatan}
    cases = selectors.case_flow(**period)
    return {
        **selectors.persons_served(**period),
        "cases_opened": cases["opened"],
        "pathways": [{"pathway": value, "label": label, "count": cases["pathways"][value]}
                     for value, label in Pathway.choices],
        "recommendations": selectors.recommendation_flow(**period),
    }


def aid_summary(flt: DashboardFilter) -> dict:
    """What the aid granted in the period was worth, per provider and per programme."""
    groups = ("provider",) if flt.provider is not None else ("provider", "programme")
    found = selectors.aid_totals_by(date_from=flt.date_from, date_to=flt.date_to, groups=groups,
                                    kecamatan=flt.kecamatan, provider=flt.provider)
    return {
        "per_provider": found["provider"],
        "per_programme": found.get("programme", []),
        "totals": {figure: sum(row[figure] for row in found["provider"]) for figure in selectors.AID_FIGURES},
    }


def dashboard_data(flt: DashboardFilter) -> dict:
    """The whole office's figures; a provider's officer gets only their provider's referrals and
    the value of its grants.

    One read-only transaction without parallel workers: every figure reads a counter table or a
    covering index of part of the rows, and starting workers for each took longer than the scans
    (the bench: 665 instead of 900 ms on 2 cores)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _figures(flt)


def _figures(flt: DashboardFilter) -> dict:
    if flt.provider is not None:
        return {"referrals": referrals_summary(flt), "aid": aid_summary(flt)}
    return {
        "referrals": referrals_summary(flt),
        "aid": aid_summary(flt),
        "activity": activity_summary(flt),
        "table_one": table_one(kecamatan=flt.kecamatan, on=min(flt.date_to, timezone.localdate())),
        "pmks": pmks_table(flt),
        "registry": registry_summary(flt),
        "verivali": verivali_summary(flt),
        "queue": queue_summary(flt),
        "complaints": complaints_summary(flt),
    }
