"""What the queue adds to the registry's pages (registered with ``clients.hooks`` in
``DesksConfig.ready()``): the visit a front-desk officer is serving, carried as
``?ticket=<id>`` from search to person page; the open visit beside each person found; the
person's visits on their page."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from clients import hooks
from clients.selectors import OFFICE_WIDE_ROLES
from desks import selectors
from desks.models import Ticket
from pandu import roles
from pandu.http import parse_id


def serving_ticket(request) -> Ticket | None:
    """The open ticket the officer is serving, or None."""
    ticket_id = parse_id(request.GET.get("ticket") or request.POST.get("ticket"))
    if ticket_id is None or not roles.has_role(request.user, *roles.REGISTER_ROLES):
        return None
    return Ticket.objects.filter(pk=ticket_id, status__in=Ticket.OPEN_STATUSES).select_related("desk").first()


def open_tickets_prefetch() -> Prefetch:
    return Prefetch(
        "tickets",
        queryset=Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).select_related("desk"),
        to_attr="open_tickets",
    )


def visits_section(request, person) -> dict | None:
    """The person's visits with every desk's notes: for the office-wide roles only (a desk
    officer does not read other agencies' notes)."""
    if not roles.has_role(request.user, *OFFICE_WIDE_ROLES):
        return None
    return {"visits": selectors.visits_for_person(person)}


def complaint_visit(request, person, household) -> dict:
    """A complaint filed while serving a ticket came from that visit, unless the ticket is
    already linked to somebody else."""
    ticket = serving_ticket(request)
    if ticket is None or ticket.person_id is None:
        return {"ticket": ticket}
    if person is not None:
        return {"ticket": ticket if ticket.person_id == person.pk else None}
    if household is not None:
        return {"ticket": ticket if ticket.person.household_id == household.pk else None}
    return {"ticket": None}


def complaint_visit_link(request, complaint) -> dict | None:
    ticket = complaint.ticket
    if ticket is None:
        return None
    may_open = selectors.tickets_for_user(request.user).filter(pk=ticket.pk).exists()
    return {
        "label": _("Visit"),
        "text": f"{ticket.number} · {ticket.issued_on:%d-%m-%Y}",
        "url": reverse("desks:receipt", args=[ticket.pk]) if may_open else None,
        "testid": "complaint-visit",
    }


def register() -> None:
    hooks.register_complaint_origin(hooks.ComplaintOrigin(name="visit", find=complaint_visit,
                                                          show=complaint_visit_link))
    hooks.register_serving_ticket(hooks.Serving(ticket=serving_ticket, banner="desks/_serving_banner.html"))
    hooks.register_person_prefetch(open_tickets_prefetch)
    hooks.register_page_section(
        hooks.PageSection(page="person", template="desks/_person_visits.html", context=visits_section, order=10)
    )
