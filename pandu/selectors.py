"""Reads for the pages of the project package (home, dashboard) composed from the apps' selectors."""

from __future__ import annotations

from django.db.models import Count

from clients.models import Complaint, Household, Person, RegistryStatus
from desks.selectors import assignment_for_user
from referrals.selectors import referral_counts_for_home


def registry_counts() -> dict[str, int]:
    by_status = dict(
        Household.objects.values_list("registry_status").annotate(n=Count("id")).values_list(
            "registry_status", "n"
        )
    )
    return {
        "households": sum(by_status.values()),
        "persons": Person.objects.count(),
        "listed": by_status.get(RegistryStatus.LISTED, 0),
        "in_verification": by_status.get(RegistryStatus.IN_VERIFICATION, 0),
        "not_listed": by_status.get(RegistryStatus.NOT_LISTED, 0),
    }


def home_context(user) -> dict:
    return {
        "registry": registry_counts(),
        "assignment": assignment_for_user(user),
        "complaints_open": Complaint.objects.exclude(status__in=Complaint.CLOSED_STATUSES).count(),
        "referral_counts": referral_counts_for_home(user),
    }
