"""The queue: issue tickets, call the next one, serve, send on, and the waiting-room display."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clients.selectors import get_person_for_user
from desks import person_pages, selectors, services
from desks.forms import IssueForm, ReturnForm, TransferForm
from desks.models import Desk
from pandu import roles
from pandu.http import redirect_next

QUEUE_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.DESK_OFFICER, roles.ADMIN)


@roles.role_required(*QUEUE_ROLES)
def desk_index(request):
    desks = list(selectors.desks_for_user(request.user))
    if len(desks) == 1:
        return redirect("desks:desk", desks[0].pk)
    return render(request, "desks/index.html", {"desks": desks})


@roles.role_required(*QUEUE_ROLES)
def desk_detail(request, pk):
    desk = selectors.get_desk_for_user(request.user, pk)
    current = selectors.current_ticket_for_desk(desk)
    waiting = selectors.call_order(desk)
    context = {
        "desk": desk,
        "current": current,
        "transfer_form": TransferForm(ticket=current) if current else None,
        "itinerary": selectors.itinerary(current) if current else [],
        "return_form": ReturnForm(),
        "issue_form": IssueForm(),
        "waiting": waiting[:50],
        "waiting_total": len(waiting),
        "now": timezone.now(),
    }
    template = "desks/_waiting.html" if request.htmx else "desks/desk.html"
    return render(request, template, context)


@require_POST
@roles.role_required(roles.FRONT_DESK, roles.ADMIN)
def issue_ticket(request, pk):
    desk = selectors.get_desk_for_user(request.user, pk)
    if desk.kind != Desk.Kind.REGISTRATION:
        messages.error(request, _("Tickets are issued at the registration desk."))
        return redirect("desks:desk", desk.pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the purpose and the priority from the lists."))
        return redirect("desks:desk", desk.pk)
    ticket = services.ticket_issue(desk=desk, issued_by=request.user, **form.cleaned_data)
    if ticket.priority:
        messages.success(request, _("Priority ticket %(number)s issued (%(reason)s).")
                         % {"number": ticket.number, "reason": ticket.get_priority_display()})
    else:
        messages.success(request, _("Ticket %(number)s issued.") % {"number": ticket.number})
    if request.POST.get("print"):
        return redirect("desks:receipt", ticket.pk)
    return redirect_next(request, "desks:desk", desk.pk)


@require_POST
@roles.role_required(*QUEUE_ROLES)
def call_next(request, pk):
    desk = selectors.get_desk_for_user(request.user, pk)
    ticket = services.ticket_call_next(desk=desk, officer=request.user)
    if ticket is None:
        messages.info(request, _("Nobody is waiting at this desk."))
    else:
        messages.success(request, _("Ticket %(number)s called.") % {"number": ticket.number})
    return redirect_next(request, "desks:desk", desk.pk)


def _ticket_action(request, pk, action, done_message):
    ticket = selectors.get_ticket_for_user(request.user, pk)
    desk_pk = ticket.desk_id
    try:
        action(ticket=ticket, officer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message % {"number": ticket.number})
    return redirect_next(request, "desks:desk", desk_pk)


@require_POST
@roles.role_required(*QUEUE_ROLES)
def ticket_start(request, pk):
    return _ticket_action(request, pk, services.ticket_start, _("Serving ticket %(number)s."))


@require_POST
@roles.role_required(*QUEUE_ROLES)
def ticket_finish(request, pk):
    return _ticket_action(request, pk, services.ticket_finish, _("Ticket %(number)s finished."))


@require_POST
@roles.role_required(*QUEUE_ROLES)
def ticket_no_show(request, pk):
    return _ticket_action(request, pk, services.ticket_no_show, _("Ticket %(number)s marked as not come."))


@require_POST
@roles.role_required(*QUEUE_ROLES)
def ticket_transfer(request, pk):
    ticket = selectors.get_ticket_for_user(request.user, pk)
    desk_pk = ticket.desk_id
    form = TransferForm(request.POST, ticket=ticket)
    if not form.is_valid():
        messages.error(request, _("Choose the desk to send the ticket to."))
        return redirect_next(request, "desks:desk", desk_pk)
    try:
        services.ticket_transfer(
            ticket=ticket, to_desk=form.cleaned_data["to_desk"], officer=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Ticket %(number)s sent on to %(desk)s.") % {"number": ticket.number, "desk": form.cleaned_data["to_desk"].name},
        )
    return redirect_next(request, "desks:desk", desk_pk)


@require_POST
@roles.role_required(*QUEUE_ROLES)
def itinerary_move(request, pk, stop_pk):
    stop = selectors.get_stop_for_user(request.user, pk, stop_pk)
    try:
        services.itinerary_move(stop=stop, earlier=request.POST.get("direction") == "up")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect_next(request, "desks:desk", stop.ticket.desk_id)


@require_POST
@roles.role_required(*QUEUE_ROLES)
def itinerary_skip(request, pk, stop_pk):
    stop = selectors.get_stop_for_user(request.user, pk, stop_pk)
    try:
        services.itinerary_skip(stop=stop)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(desk)s taken off ticket %(number)s's visit.")
                         % {"desk": stop.desk.name, "number": stop.ticket.number})
    return redirect_next(request, "desks:desk", stop.ticket.desk_id)


@require_POST
@roles.role_required(roles.FRONT_DESK, roles.DATA_OFFICER, roles.ADMIN)
def ticket_return(request, pk):
    """A citizen back the same day: their ticket waits again, under the same number."""
    desk = selectors.get_desk_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    ticket = selectors.ticket_today(form.data.get("number", "")) if form.is_valid() else None
    if ticket is None:
        messages.error(request, _("No ticket with that number today. Check the number on the slip."))
        return redirect("desks:desk", desk.pk)
    try:
        ticket = services.ticket_return(ticket=ticket, officer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ticket %(number)s waits again at %(desk)s.")
                         % {"number": ticket.number, "desk": ticket.desk.name})
    return redirect("desks:desk", desk.pk)


@login_required
def receipt(request, pk):
    ticket = selectors.get_ticket_for_user(request.user, pk)
    order = [step.ticket_id for step in selectors.call_order(ticket.desk)]
    ahead = order.index(ticket.pk) if ticket.pk in order else 0
    return render(request, "desks/receipt.html", {"ticket": ticket, "ahead": ahead})


@require_GET
@never_cache
def display(request):
    """The waiting-room screen: no login, only ticket numbers and desk names."""
    context = selectors.display_board()
    template = "desks/_display_board.html" if request.htmx else "desks/display.html"
    return render(request, template, context)




@require_POST
@roles.role_required(*roles.REGISTER_ROLES)
def person_link_ticket(request, person_pk):
    """Link the visit being served to this person, so it shows in their history."""
    person = get_person_for_user(request.user, person_pk)
    ticket = person_pages.serving_ticket(request)
    if ticket is None:
        raise Http404
    services.ticket_link_person(ticket=ticket, person=person)
    messages.success(request, _("Ticket %(number)s is now linked to %(name)s.")
                     % {"number": ticket.number, "name": person.full_name})
    return redirect(f"{reverse('clients:person_detail', args=[person.pk])}?ticket={ticket.pk}")
