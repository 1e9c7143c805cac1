from __future__ import annotations

import datetime
from collections import deque

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from desks.models import Desk, DeskAssignment, Provider, Ticket, TicketStep, TicketStop
from pandu import roles


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
    return assignment.works_for if assignment is not None else None


def desks_for_user(user, *, on: datetime.date | None = None) -> QuerySet[Desk]:
    """The desks a user may operate: the front desk at registration, the data team at the
    data desk, a desk officer at the desk of today's assignment; the administrator anywhere."""
    active = Desk.objects.filter(is_active=True).select_related("provider")
    if roles.has_role(user, roles.ADMIN):
        return active
    allowed = Q(pk__in=[])
    if roles.has_role(user, roles.FRONT_DESK):
        allowed |= Q(kind=Desk.Kind.REGISTRATION)
    if roles.has_role(user, roles.DATA_OFFICER):
        allowed |= Q(kind=Desk.Kind.DATA)
    if roles.has_role(user, roles.DESK_OFFICER):
        assignment = assignment_for_user(user, on=on)
        if assignment is not None and assignment.desk_id:
            allowed |= Q(pk=assignment.desk_id)
    return active.filter(allowed)


def get_desk_for_user(user, pk) -> Desk:
    return get_object_or_404(desks_for_user(user), pk=pk)


def tickets_for_user(user) -> QuerySet[Ticket]:
    """The tickets the user may act on: those now at a desk they operate, and all of today's
    tickets for the front desk (who issues and prints them)."""
    visible = Q(desk__in=desks_for_user(user))
    if roles.has_role(user, roles.FRONT_DESK):
        visible |= Q(issued_on=timezone.localdate())
    return Ticket.objects.filter(visible)


def get_ticket_for_user(user, pk) -> Ticket:
    return get_object_or_404(tickets_for_user(user).select_related("desk", "origin_desk", "person"), pk=pk)


def current_ticket_for_desk(desk: Desk) -> Ticket | None:
    """The ticket called or being served at the desk (the latest called, if several)."""
    return (
        Ticket.objects.select_related("person", "person__household")
        .filter(desk=desk, status__in=(Ticket.Status.CALLED, Ticket.Status.SERVING))
        .order_by("-updated_at")
        .first()
    )


def waiting_at_desk(desk: Desk) -> QuerySet[TicketStep]:
    """Today's tickets waiting at the desk, in the order they came (see ``call_order``)."""
    return (
        TicketStep.objects.select_related("ticket")
        .filter(desk=desk, status=Ticket.Status.WAITING, ticket__issued_on=timezone.localdate())
        .order_by("queued_at", "pk")
    )


def priority_streak(desk: Desk) -> int:
    """How many of the desk's latest calls today were priority tickets, in a row (counted up to
    ``QUEUE_PRIORITY_STREAK``, which is all the fairness rule needs)."""
    latest = (
        TicketStep.objects.filter(desk=desk, called_at__isnull=False, ticket__issued_on=timezone.localdate())
        .order_by("-called_at", "-pk")
        .values_list("priority_call", flat=True)[: settings.QUEUE_PRIORITY_STREAK]
    )
    streak = 0
    for was_priority in latest:
        if not was_priority:
            break
        streak += 1
    return streak


def call_order(desk: Desk) -> list[TicketStep]:
    """The tickets waiting at the desk in the order "Call next" will take them if nobody new
    comes: priority first, and after ``QUEUE_PRIORITY_STREAK`` priority calls in a row the one
    that has waited longest (``desks.services.ticket_call_next`` applies the same rule)."""
    limit = settings.QUEUE_PRIORITY_STREAK
    streak = priority_streak(desk)
    steps = list(waiting_at_desk(desk))
    priority = deque(step for step in steps if step.ticket.priority)
    regular = deque(step for step in steps if not step.ticket.priority)
    order = []
    while priority or regular:
        first_come = streak >= limit
        if priority and (
            not regular
            or not first_come
            or (priority[0].queued_at, priority[0].pk) < (regular[0].queued_at, regular[0].pk)
        ):
            order.append(priority.popleft())
            streak += 1
        else:
            order.append(regular.popleft())
            streak = 0
    return order


def spoken_number(ticket: Ticket) -> str:
    """The number as a voice should read it: "A 7" for A-007 (a speech engine reads "A-007" as
    "A minus zero zero seven")."""
    prefix, _, sequence = ticket.number.partition("-")
    return f"{prefix} {int(sequence)}" if sequence.isdigit() else ticket.number


def display_board(*, limit: int = 8) -> dict:
    """What the waiting room sees: only ticket numbers and desk names."""
    today = timezone.localdate()
    next_desk = (
        TicketStop.objects.filter(ticket=OuterRef("ticket"), status=TicketStop.Status.PLANNED)
        .order_by("position", "pk")
        .values("desk__name")[:1]
    )
    called = (
        TicketStep.objects.filter(
            ticket__issued_on=today, status__in=(Ticket.Status.CALLED, Ticket.Status.SERVING)
        )
        .select_related("ticket", "desk")
        .annotate(next_desk=Subquery(next_desk))
        .order_by("-called_at")[:limit]
    )
    waiting = dict(
        TicketStep.objects.filter(ticket__issued_on=today, status=Ticket.Status.WAITING)
        .values_list("desk__name")
        .annotate(n=Count("id"))
        .values_list("desk__name", "n")
    )
    return {
        "called": [
            {"call": s.pk, "number": s.ticket.number, "spoken": spoken_number(s.ticket), "desk": s.desk.name,
             "status": s.status, "next_desk": s.next_desk}
            for s in called
        ],
        "waiting": waiting,
    }


def itinerary(ticket: Ticket) -> list[TicketStop]:
    """The desks the visit still has to pass, in order."""
    return list(ticket.stops.filter(status=TicketStop.Status.PLANNED).select_related("desk"))


def get_stop_for_user(user, ticket_pk, pk) -> TicketStop:
    """A planned stop of a ticket the user may act on."""
    ticket = get_ticket_for_user(user, ticket_pk)
    return get_object_or_404(ticket.stops.filter(status=TicketStop.Status.PLANNED), pk=pk)


def ticket_today(number: str) -> Ticket | None:
    """Today's ticket with this number (numbers restart every day), or None."""
    return Ticket.objects.filter(issued_on=timezone.localdate(), number__iexact=number.strip()).first()


def visits_for_person(person) -> QuerySet[Ticket]:
    """A person's visits, newest first, each with its steps (desk, times)."""
    return (
        Ticket.objects.filter(person=person)
        .select_related("origin_desk", "desk")
        .prefetch_related(Prefetch("steps", queryset=TicketStep.objects.select_related("desk", "officer")))
        .order_by("-issued_on", "-created_at")
    )
