"""Writes of the desks app: desk assignments and the queue.

The queue is the office's visits: a ticket is issued at a desk, called, served, and sent on
to another desk (its next step) or finished. "Call next" takes the oldest waiting step of
the desk with FOR UPDATE SKIP LOCKED, so two desks pressing it at once never get the same
ticket.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desks.models import Desk, DeskAssignment, Ticket, TicketStep
from pandu.audit import audit_record
from pandu.models import AuditEvent
from pandu.numbering import sequence_next


@transaction.atomic
def ticket_issue(*, desk: Desk, issued_by=None, person=None) -> Ticket:
    """A new ticket at a desk: A-007 is the 7th of the day at the desk with prefix A."""
    now = timezone.now()
    day = timezone.localdate(now)
    sequence = sequence_next(name=f"ticket:{desk.pk}", period=day.isoformat())
    ticket = Ticket.objects.create(
        number=f"{desk.ticket_prefix}-{sequence:03d}",
        issued_on=day,
        sequence=sequence,
        origin_desk=desk,
        desk=desk,
        person=person,
        issued_by=issued_by,
    )
    TicketStep.objects.create(ticket=ticket, desk=desk, queued_at=now)
    return ticket


def _current_step(ticket: Ticket) -> TicketStep:
    return TicketStep.objects.select_for_update().filter(ticket=ticket, desk=ticket.desk).latest("queued_at", "pk")


@transaction.atomic
def ticket_call_next(*, desk: Desk, officer) -> Ticket | None:
    """Call the oldest ticket waiting at this desk today; None when nobody waits.

    Concurrent callers skip the row another transaction has locked, so each gets its own.
    """
    today = timezone.localdate()
    step = (
        TicketStep.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(desk=desk, status=Ticket.Status.WAITING, ticket__issued_on=today)
        .order_by("queued_at", "pk")
        .first()
    )
    if step is None:
        return None
    now = timezone.now()
    step.status = Ticket.Status.CALLED
    step.called_at = now
    step.officer = officer
    step.save(update_fields=["status", "called_at", "officer"])
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


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, to_desk: Desk, officer, note: str = "") -> Ticket:
    """Send the visit on to another desk without the citizen queuing again."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        raise ValidationError(_("Only a ticket being served can be sent on."))
    if to_desk.pk == ticket.desk_id:
        raise ValidationError(_("The ticket is already at this desk."))
    _close_step(ticket, status=Ticket.Status.DONE, officer=officer, note=note)
    TicketStep.objects.create(ticket=ticket, desk=to_desk, queued_at=timezone.now())
    ticket.desk = to_desk
    ticket.status = Ticket.Status.WAITING
    ticket.save(update_fields=["desk", "status", "updated_at"])
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, officer, note: str = "") -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        raise ValidationError(_("Only a ticket being served can be finished."))
    _close_step(ticket, status=Ticket.Status.DONE, officer=officer, note=note)
    ticket.status = Ticket.Status.DONE
    ticket.save(update_fields=["status", "updated_at"])
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
    """Once the person is identified, the visit belongs to their history."""
    Ticket.objects.filter(pk=ticket.pk).update(person=person, updated_at=timezone.now())
    ticket.person = person
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
