from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from desks.models import DeskAssignment, Provider


def assignment_for_user(user, *, on: datetime.date | None = None) -> DeskAssignment | None:
    """The officer's assignment in force on a date (today by default), latest start first."""
    if not getattr(user, "is_authenticated", False):
        return None
    on = on or timezone.localdate()
    return (
        DeskAssignment.objects.select_related("provider", "desk", "desk__provider")
        .filter(user=user, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on", "-pk")
        .first()
    )


def provider_for_user(user, *, on: datetime.date | None = None) -> Provider | None:
    """"My provider": the provider the officer works for on that date, or None."""
    assignment = assignment_for_user(user, on=on)
    if assignment is None:
        return None
    if assignment.provider is not None:
        return assignment.provider
    return assignment.desk.provider if assignment.desk else None
