"""Reads for the pages of the project package (home, dashboard) composed from the apps' selectors."""

from __future__ import annotations

from django.db.models import Sum

from clients.models import Complaint, RegistryCount
from clients.selectors import complaints_overdue, households_by_status
from desks.selectors import assignment_for_user
from referrals.case_selectors import home_casework
from referrals.selectors import referral_counts_for_home


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
        "referral_counts": referral_counts_for_home(user),
        **home_casework(user),
    }
