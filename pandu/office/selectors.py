"""Reads for the pages of the project package (home, dashboard) composed from the apps' selectors."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from clients.models import Complaint, Household, Person, Region, RegistryCount
from clients.selectors import complaints_overdue, disabilities_to_review, households_by_status
from desks.models import Pathway, Provider, Service, Ticket
from desks.selectors import assignment_for_user
from referrals.case_selectors import home_casework
from referrals.models import (
    Case,
    CaseClosedDay,
    CaseOpenedDay,
    Recommendation,
    ServedAgain,
    ServedDay,
)
from referrals.selectors import (
    in_spans,
    months_and_days,
    referral_counts_for_home,
    referral_filter_sql,
)


def registry_counts() -> dict[str, int]:
    """The registry's size for the home pages, from the exact counters (pandu.counters)."""
    totals = RegistryCount.objects.aggregate(
        all_households=Sum("households", default=0), all_persons=Sum("persons", default=0), **households_by_status()
    )
    return {"households": totals.pop("all_households"), "persons": totals.pop("all_persons"), **totals}


def home_context(user) -> dict:
    return {
        "registry": registry_counts(),
        "assignment": assignment_for_user(user),
        "complaints_open": Complaint.objects.exclude(status__in=Complaint.CLOSED_STATUSES).count(),
        "complaints_overdue": complaints_overdue(Complaint.objects.all()).count(),
        "disabilities_to_review": disabilities_to_review().count(),
        "referral_counts": referral_counts_for_home(user),
        **home_casework(user),
    }


# --- The office's figures for a period (the dashboard, the monthly report) ----------------------
# Each takes the period's first and last day (WITA: a day is the office's day) and optionally a
# kecamatan (where the person lives; a referral: where they lived when referred).


def period_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end): local midnight of its first day and of the day after its last."""
    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return midnight(date_from), midnight(date_to + datetime.timedelta(days=1))


def persons_served(*, date_from: datetime.date, date_to: datetime.date, kecamatan: Region | None = None) -> dict:
    """Visits (queue tickets issued) and the distinct persons served: a person linked to a ticket
    of the period or whose case was opened in it counts once.

    For the whole district, from the served-day counters (migration referrals 0014): the
    person-days of the period less those whose previous day served is in it too. With a
    kecamatan (where the person lives now, which moves), from the tickets and cases."""
    tickets = Ticket.objects.filter(issued_on__range=(date_from, date_to))
    if kecamatan is None:
        days = ServedDay.objects.filter(day__range=(date_from, date_to)).aggregate(n=Sum("persons"))["n"] or 0
        again = ServedAgain.objects.filter(previous_day__gte=date_from, day__lte=date_to).aggregate(
            n=Sum("persons"))["n"] or 0
        return {"visits": tickets.count(), "persons": days - again}
    start, end = period_bounds(date_from, date_to)
    where = (" AND person_id IN (SELECT p.id FROM clients_person p JOIN clients_household h ON h.id = p.household_id"
             " JOIN clients_region v ON v.id = h.village_id WHERE v.parent_id = %s)")
    tickets = tickets.filter(person__household__village__parent=kecamatan)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT person_id FROM desks_ticket WHERE issued_on BETWEEN %s AND %s"
            f" AND person_id IS NOT NULL{where}"
            " UNION SELECT person_id FROM referrals_case WHERE created_at >= %s AND created_at < %s"
            f"{where}) served",
            [date_from, date_to, kecamatan.pk, start, end, kecamatan.pk],
        )
        persons = cursor.fetchone()[0]
    return {"visits": tickets.count(), "persons": persons}


def registrations(*, date_from: datetime.date, date_to: datetime.date, kecamatan: Region | None = None) -> dict:
    """Households and persons registered in the period (at a desk or by a registry import)."""
    start, end = period_bounds(date_from, date_to)
    households = Household.objects.filter(created_at__gte=start, created_at__lt=end)
    persons = Person.objects.filter(created_at__gte=start, created_at__lt=end)
    if kecamatan is not None:
        households = households.filter(village__parent=kecamatan)
        persons = persons.filter(household__village__parent=kecamatan)
    return {"households": households.count(), "persons": persons.count()}


def case_flow(*, date_from: datetime.date, date_to: datetime.date, kecamatan: Region | None = None) -> dict:
    """Cases opened in the period per pathway, and closed in it per reason (a case reopened and
    closed again counts where it was last closed). The days' exact counters
    (referrals_caseopenedday, referrals_caseclosedday); with a kecamatan (where the person lives
    now), which the counters do not hold, the cases themselves."""
    if kecamatan is None:
        days = {"day__gte": date_from, "day__lte": date_to}
        opened_cells = CaseOpenedDay.objects.filter(**days).values_list("pathway").annotate(n=Sum("cases"))
        closed_cells = CaseClosedDay.objects.filter(**days).values_list("closure_reason").annotate(n=Sum("cases"))
    else:
        start, end = period_bounds(date_from, date_to)
        cases = Case.objects.filter(person__household__village__parent=kecamatan).order_by()
        opened_cells = cases.filter(created_at__gte=start, created_at__lt=end).values_list("pathway").annotate(
            n=Count("pk"))
        closed_cells = cases.filter(status=Case.Status.CLOSED, closed_at__gte=start, closed_at__lt=end).values_list(
            "closure_reason").annotate(n=Count("pk"))
    opened, closed = dict(opened_cells), dict(closed_cells)
    return {
        "opened": sum(opened.values()),
        "pathways": {pathway: opened.get(pathway, 0) for pathway in Pathway.values},
        "closed": sum(closed.values()),
        "closed_by_reason": {reason: closed.get(reason, 0) for reason in Case.ClosureReason.values},
    }


def recommendation_flow(*, date_from: datetime.date, date_to: datetime.date, kecamatan: Region | None = None) -> dict:
    """Recommendation letters requested in the period, and approved and refused in it."""
    start, end = period_bounds(date_from, date_to)
    letters = Recommendation.objects.all()
    if kecamatan is not None:
        letters = letters.filter(person__household__village__parent=kecamatan)
    decided = dict(letters.filter(decided_at__gte=start, decided_at__lt=end).order_by().values_list("status")
                   .annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "requested": letters.filter(created_at__gte=start, created_at__lt=end).count(),
        "approved": decided.get(Recommendation.Status.APPROVED, 0),
        "refused": decided.get(Recommendation.Status.REFUSED, 0),
    }


def complaint_flow(*, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Complaints received in the period, resolved and rejected in it, and those overdue when it
    ended: received before its end, due before its end and not closed by then."""
    start, end = period_bounds(date_from, date_to)
    closed = dict(Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end).order_by()
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue = Complaint.objects.filter(created_at__lt=end, due_on__lte=date_to).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
    return {
        "received": Complaint.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "resolved": closed.get(Complaint.Status.RESOLVED, 0),
        "rejected": closed.get(Complaint.Status.REJECTED, 0),
        "overdue_at_end": overdue.count(),
    }


# What the aid can be totalled by: the SQL of each group's key (in the cells of the aid).
AID_GROUPS = {
    "provider": "r.provider_id",
    "service": "r.service_id",
    "programme": 'coalesce(nullif(s.programme, \'\'), s.name) COLLATE "C"',
    "kecamatan": "r.kecamatan_id",
    "month": "r.month",
}
AID_FIGURES = ("grants", "rupiah", "in_money", "in_kind", "not_stated")


def aid_totals_by(*, date_from: datetime.date, date_to: datetime.date, groups: tuple[str, ...],
                  kecamatan: Region | None = None, provider=None) -> dict[str, list[dict]]:
    """What the aid granted in the period was worth (grants by the day they were completed), per
    each of ``groups`` (provider, service, programme: the service's, or the service itself,
    kecamatan, month): grants, the rupiah given in money, grants in money, in kind, and whose value
    was not stated. Whole months from the exact counter ``referrals_referralaidmonth``
    (pandu/counters.py), the days around them from the partial covering index
    ``referral_granted_idx``."""
    first_month, after_months, spans = months_and_days(date_from, date_to)
    keys = [AID_GROUPS[group] for group in groups]
    where, params = referral_filter_sql(kecamatan=kecamatan, provider=provider)
    days, day_params = in_spans(
        "SELECT provider_id, service_id, kecamatan_id, pandu_local_month(closed_at), aid_kind, 1,"
        " coalesce(aid_value, 0) FROM referrals_referral", spans,
        f" AND status = 'completed' AND outcome = 'granted'{where}", params, column="closed_at")
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH cells AS ("
            " SELECT provider_id, service_id, kecamatan_id, month, aid_kind, grants, rupiah"
            f" FROM referrals_referralaidmonth WHERE month >= %s AND month < %s AND grants <> 0{where}"
            f" UNION ALL {days})"
            f" SELECT GROUPING({', '.join(keys)}), {', '.join(keys)}, sum(r.grants), sum(r.rupiah)::bigint,"
            " coalesce(sum(r.grants) FILTER (WHERE r.aid_kind = 'money'), 0),"
            " coalesce(sum(r.grants) FILTER (WHERE r.aid_kind = 'in_kind'), 0),"
            " coalesce(sum(r.grants) FILTER (WHERE r.aid_kind = ''), 0)"
            " FROM cells r JOIN desks_service s ON s.id = r.service_id"
            f" GROUP BY GROUPING SETS ({', '.join(f'({key})' for key in keys)})",
            [first_month, after_months, *params, *day_params],
        )
        found = cursor.fetchall()
    names = {
        "provider": dict(Provider.objects.values_list("pk", "name")),
        "service": dict(Service.objects.values_list("pk", "name")),
        "kecamatan": dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("pk", "name")),
    }
    totals: dict[str, list[dict]] = {group: [] for group in groups}
    for grouping, *values in found:
        index = next(i for i in range(len(groups)) if not grouping & (1 << (len(groups) - 1 - i)))
        group, key = groups[index], values[index]
        if group == "month":
            key = f"{key:%Y-%m}"
        name = names[group].get(key, "") if group in names else key
        totals[group].append({"key": key, "name": name or "—",
                              **dict(zip(AID_FIGURES, values[len(groups):], strict=True))})
    for group, rows in totals.items():
        rows.sort(key=lambda row: row["name"] if group == "month" else (-row["rupiah"], -row["grants"], row["name"]))
    return totals


def aid_totals(*, date_from: datetime.date, date_to: datetime.date, by: str, kecamatan: Region | None = None,
               provider=None) -> list[dict]:
    """The aid granted in the period, per one group (:func:`aid_totals_by`)."""
    return aid_totals_by(date_from=date_from, date_to=date_to, groups=(by,), kecamatan=kecamatan,
                         provider=provider)[by]
