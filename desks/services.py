"""Writes of the desks app: desk assignments and the queue.

The queue is the office's visits: a ticket is issued at a desk, called, served, and sent on
to another desk (its next step) or finished. "Call next" takes the next waiting step of
the desk with FOR UPDATE SKIP LOCKED, so two desks pressing it at once never get the same
ticket.

Priority tickets (elderly, disability, pregnant, with a baby: a reason stated at issue, or
found on the person's record when the ticket is linked) are called first at each desk. The
fairness rule: after ``QUEUE_PRIORITY_STREAK`` priority calls in a row at a desk, the next
call is first come, first served, so a regular ticket is never starved (docs/queue.md).

A visit with a case has an itinerary (``TicketStop``): the in-office desks its referrals
need, in the order the officer sets. Finishing at a desk sends the ticket on to the first
planned stop; the visit is done when none is left. A citizen who left mid-visit comes back
the same day with the same number (``ticket_return``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from desks.models import Desk, DeskAssignment, Ticket, TicketStep, TicketStop
from desks.selectors import priority_streak
from pandu.audit import audit_record
from pandu.identity import office_identity
from pandu.models import AuditEvent
from pandu.numbering import sequence_next


def priority_from_record(person) -> str:
    """The priority the person's record shows: elderly (60 or older by the birth date), else a
    recorded disability; "" when neither."""
    age = person.age
    if age is not None and age >= 60:
        return Ticket.Priority.ELDERLY
    if person.disability_kinds or person.disability.strip():
        return Ticket.Priority.DISABILITY
    return ""


@transaction.atomic
def ticket_issue(*, desk: Desk, issued_by=None, person=None, purpose: str = "", priority: str = "",
                 at: datetime.datetime | None = None) -> Ticket:
    """A new ticket at a desk: A-007 is the 7th of the day at the desk with prefix A. It records
    what the citizen came for and the priority reason they stated (both may be empty). ``at``: a
    visit recorded afterwards (demo data), numbered in its own day."""
    if purpose and purpose not in Ticket.Purpose.values:
        raise ValidationError(_("Unknown purpose of the visit."))
    if priority and priority not in Ticket.Priority.values:
        raise ValidationError(_("Unknown priority reason."))
    source = Ticket.PrioritySource.STATED if priority else ""
    if not priority and person is not None:
        priority = priority_from_record(person)
        source = Ticket.PrioritySource.RECORD if priority else ""
    now = at or timezone.now()
    day = timezone.localdate(now)
    sequence = sequence_next(name=f"ticket:{desk.pk}", period=day.isoformat())
    ticket = Ticket.objects.create(
        number=office_identity().ticket_number(prefix=desk.ticket_prefix, seq=sequence, day=day),
        issued_on=day,
        sequence=sequence,
        origin_desk=desk,
        desk=desk,
        person=person,
        issued_by=issued_by,
        purpose=purpose,
        priority=priority,
        priority_source=source,
    )
    TicketStep.objects.create(ticket=ticket, desk=desk, queued_at=now)
    return ticket


def _current_step(ticket: Ticket) -> TicketStep:
    return TicketStep.objects.select_for_update().filter(ticket=ticket, desk=ticket.desk).latest("queued_at", "pk")


@transaction.atomic
def ticket_call_next(*, desk: Desk, officer) -> Ticket | None:
    """Call the next ticket waiting at this desk today; None when nobody waits.

    Priority tickets first, oldest first; but after ``QUEUE_PRIORITY_STREAK`` priority calls in
    a row at this desk, the ticket that has waited longest here, priority or not (the fairness
    rule; ``desks.selectors.call_order`` shows the same order on the desk page).

    Concurrent callers skip the row another transaction has locked, so each gets its own. The
    desk's row is locked first, so two officers at one desk count the same streak of calls.
    """
    today = timezone.localdate()
    Desk.objects.select_for_update().filter(pk=desk.pk).first()
    waiting = TicketStep.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        desk=desk, status=Ticket.Status.WAITING, ticket__issued_on=today
    )
    if priority_streak(desk) < settings.QUEUE_PRIORITY_STREAK:
        regular_last = Case(When(ticket__priority="", then=Value(1)), default=Value(0), output_field=IntegerField())
        waiting = waiting.order_by(regular_last, "queued_at", "pk")
    else:
        waiting = waiting.order_by("queued_at", "pk")
    step = waiting.select_related("ticket").first()
    if step is None:
        return None
    now = timezone.now()
    step.status = Ticket.Status.CALLED
    step.called_at = now
    step.officer = officer
    step.priority_call = bool(step.ticket.priority)
    step.save(update_fields=["status", "called_at", "officer", "priority_call"])
    Ticket.objects.filter(pk=step.ticket_id).update(status=Ticket.Status.CALLED, updated_at=now)
    return Ticket.objects.select_related("desk", "person").get(pk=step.ticket_id)


@transaction.atomic
def ticket_start(*, ticket: Ticket, officer) -> Ticket:
    """The citizen has come to the desk: serving starts."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.CALLED:
        raise ValidationError(_("Only a called ticket can be served."))
    step = _current_step(ticket)
    now = timezone.now()
    step.status, step.served_at, step.officer = Ticket.Status.SERVING, now, officer
    step.save(update_fields=["status", "served_at", "officer"])
    ticket.status = Ticket.Status.SERVING
    ticket.save(update_fields=["status", "updated_at"])
    return ticket


def _close_step(ticket: Ticket, *, status: str, officer, note: str = "") -> None:
    step = _current_step(ticket)
    now = timezone.now()
    if step.called_at and not step.served_at and status == Ticket.Status.DONE:
        step.served_at = now
    step.status, step.done_at, step.officer = status, now, officer or step.officer
    if note:
        step.note = note[:255]
    step.save(update_fields=["status", "served_at", "done_at", "officer", "note"])


def _queue_at(ticket: Ticket, desk: Desk) -> None:
    """The ticket waits at ``desk`` (a new step); a planned stop there is used up."""
    TicketStep.objects.create(ticket=ticket, desk=desk, queued_at=timezone.now())
    TicketStop.objects.filter(ticket=ticket, desk=desk, status=TicketStop.Status.PLANNED).update(
        status=TicketStop.Status.SENT
    )
    ticket.desk = desk
    ticket.status = Ticket.Status.WAITING
    ticket.save(update_fields=["desk", "status", "updated_at"])


def _next_stop(ticket: Ticket) -> TicketStop | None:
    return ticket.stops.filter(status=TicketStop.Status.PLANNED).select_related("desk").first()


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, to_desk: Desk, officer, note: str = "") -> Ticket:
    """Send the visit on to another desk without the citizen queuing again."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        raise ValidationError(_("Only a ticket being served can be sent on."))
    if to_desk.pk == ticket.desk_id:
        raise ValidationError(_("The ticket is already at this desk."))
    _close_step(ticket, status=Ticket.Status.DONE, officer=officer, note=note)
    _queue_at(ticket, to_desk)
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, officer, note: str = "") -> Ticket:
    """The desk is done with the citizen: on to the itinerary's next desk, or the visit ends."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        raise ValidationError(_("Only a ticket being served can be finished."))
    _close_step(ticket, status=Ticket.Status.DONE, officer=officer, note=note)
    stop = _next_stop(ticket)
    if stop is not None:
        _queue_at(ticket, stop.desk)
        return ticket
    ticket.status = Ticket.Status.DONE
    ticket.save(update_fields=["status", "updated_at"])
    return ticket


def in_office_desk(provider) -> Desk | None:
    """The provider's desk in the office, if it has one today (a technical desk)."""
    return Desk.objects.filter(provider=provider, kind=Desk.Kind.TECHNICAL, is_active=True).order_by("pk").first()


@transaction.atomic
def itinerary_plan(*, ticket: Ticket, stops: list[tuple[Desk, str]], officer, send_on: bool = False) -> list[TicketStop]:
    """Add desks to the visit's itinerary, after those already planned (a desk already planned,
    or where the ticket stands now, is not added twice). With ``send_on`` a ticket being served
    at a desk goes on to the first planned stop at once (the front desk has opened the case)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in Ticket.OPEN_STATUSES or ticket.issued_on != timezone.localdate():
        return []
    planned = set(ticket.stops.filter(status=TicketStop.Status.PLANNED).values_list("desk_id", flat=True))
    position = (ticket.stops.aggregate(last=Max("position"))["last"] or 0) + 1
    added = []
    for desk, reason in stops:
        if desk.pk in planned or desk.pk == ticket.desk_id:
            continue
        added.append(TicketStop.objects.create(ticket=ticket, desk=desk, position=position, reason=reason[:255]))
        planned.add(desk.pk)
        position += 1
    if send_on and added and ticket.status in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        stop = _next_stop(ticket)
        _close_step(ticket, status=Ticket.Status.DONE, officer=officer)
        _queue_at(ticket, stop.desk)
    return added


@transaction.atomic
def itinerary_move(*, stop: TicketStop, earlier: bool) -> None:
    """Swap a planned stop with the one before (``earlier``) or after it."""
    planned = list(
        TicketStop.objects.select_for_update().filter(ticket_id=stop.ticket_id, status=TicketStop.Status.PLANNED)
    )
    index = next((i for i, s in enumerate(planned) if s.pk == stop.pk), None)
    if index is None:
        raise ValidationError(_("This desk is no longer on the itinerary."))
    other = index - 1 if earlier else index + 1
    if not 0 <= other < len(planned):
        return
    first, second = planned[index], planned[other]
    first.position, second.position = second.position, first.position
    TicketStop.objects.bulk_update([first, second], ["position"])


@transaction.atomic
def itinerary_skip(*, stop: TicketStop) -> None:
    """The citizen does not need that desk after all (or will come another day)."""
    updated = TicketStop.objects.filter(pk=stop.pk, status=TicketStop.Status.PLANNED).update(
        status=TicketStop.Status.SKIPPED
    )
    if not updated:
        raise ValidationError(_("This desk is no longer on the itinerary."))


@transaction.atomic
def ticket_return(*, ticket: Ticket, officer) -> Ticket:
    """A citizen who left mid-visit is back the same day with the same number: the ticket waits
    again where it was missed, or at the itinerary's next desk."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.issued_on != timezone.localdate():
        raise ValidationError(_("Ticket %(number)s was issued on another day: issue a new ticket.") % {"number": ticket.number})
    if ticket.status in Ticket.OPEN_STATUSES:
        raise ValidationError(_("Ticket %(number)s is still in the queue.") % {"number": ticket.number})
    if ticket.status == Ticket.Status.NO_SHOW:
        _queue_at(ticket, ticket.desk)
        return ticket
    stop = _next_stop(ticket)
    if stop is None:
        raise ValidationError(_("Ticket %(number)s has no desk left to visit.") % {"number": ticket.number})
    _queue_at(ticket, stop.desk)
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, officer) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.CALLED:
        raise ValidationError(_("Only a called ticket can be marked as not come."))
    _close_step(ticket, status=Ticket.Status.NO_SHOW, officer=officer)
    ticket.status = Ticket.Status.NO_SHOW
    ticket.save(update_fields=["status", "updated_at"])
    return ticket


@transaction.atomic
def ticket_link_person(*, ticket: Ticket, person) -> Ticket:
    """Once the person is identified, the visit belongs to their history. A ticket without a
    stated priority takes the one the person's record shows (60 or older, a disability), marked
    as known from the record; linked to another person, that is worked out again."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    fields = {"person": person, "updated_at": timezone.now()}
    if locked.priority_source != Ticket.PrioritySource.STATED:
        priority = priority_from_record(person)
        fields["priority"] = priority
        fields["priority_source"] = Ticket.PrioritySource.RECORD if priority else ""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for name, value in fields.items():
        setattr(ticket, name, value)
    return ticket


def visit_notes_erase(*, person) -> int:
    """Anonymising a person: their visits stay (queue times count in the reports), the officers'
    notes on them go."""
    return TicketStep.objects.filter(ticket__person=person).exclude(note="").update(note="")


# --- Desk assignments: which provider's referrals an officer opens --------------------------------


def _assignment_state(assignment: DeskAssignment) -> dict:
    return {
        "user": assignment.user.get_username(),
        "provider": assignment.provider.code if assignment.provider_id else None,
        "desk": assignment.desk.code if assignment.desk_id else None,
        "starts_on": assignment.starts_on.isoformat() if assignment.starts_on else None,
        "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
    }


def _assignment_text(state: dict | None) -> str:
    if state is None:
        return "none"
    place = " / ".join(part for part in (state["provider"], state["desk"]) if part)
    return f"{place} {state['starts_on']}–{state['ends_on'] or '…'}"


def _assignment_record(*, user, pk: int, before: dict | None, after: dict | None, changed_by, request) -> None:
    if before == after:
        return
    audit_record(
        user=changed_by,
        action=AuditEvent.Action.PERMISSION_CHANGE,
        obj=user,
        summary=f"desk assignment of {user.get_username()}: {_assignment_text(before)} → {_assignment_text(after)}",
        detail={"desk_assignment": pk, "before": before, "after": after},
        request=request,
    )


@transaction.atomic
def desk_assignment_save(*, assignment: DeskAssignment, changed_by, request=None) -> DeskAssignment:
    """Create or change an officer's desk assignment. It decides which provider's referrals and
    which desk's queue the officer works, so the audit log keeps it before and after, as a
    change of access (for both officers when it moves from one to another)."""
    old = (
        DeskAssignment.objects.select_for_update(of=("self",)).select_related("user", "provider", "desk")
        .filter(pk=assignment.pk).first()
        if assignment.pk is not None
        else None
    )
    assignment.save()
    after = _assignment_state(assignment)
    before = _assignment_state(old) if old is not None else None
    if old is not None and old.user_id != assignment.user_id:
        _assignment_record(user=old.user, pk=assignment.pk, before=before, after=None, changed_by=changed_by,
                           request=request)
        before = None
    _assignment_record(user=assignment.user, pk=assignment.pk, before=before, after=after, changed_by=changed_by,
                       request=request)
    return assignment


@transaction.atomic
def desk_assignment_delete(*, assignment: DeskAssignment, changed_by, request=None) -> None:
    """Remove an assignment (a mistake; a rotation that ends gets its end date instead)."""
    pk = assignment.pk
    before = _assignment_state(assignment)
    user = assignment.user
    assignment.delete()
    _assignment_record(user=user, pk=pk, before=before, after=None, changed_by=changed_by, request=request)
