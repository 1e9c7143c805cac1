"""The visit, whole: a case opened from a ticket plans the desks its referrals need; finishing
at one desk sends the citizen on to the next; the order can change, a desk can be skipped; a
citizen who left comes back the same day with the same number."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from desks import selectors, services
from desks.models import Desk, Service, Ticket, TicketStop
from referrals import services as referral_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English (the msgids)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def listed_person(reference_data):
    household = factories.HouseholdFactory(registry_status="listed", registry_source="DTKS", registry_year=2015)
    return factories.PersonFactory(household=household, full_name="Siti Aminah Binti Ahmad")


@pytest.fixture
def desks(reference_data):
    return {code: Desk.objects.get(code=code) for code in ("REG", "DINKES", "DISDIK", "DINSOS")}


@pytest.fixture
def served_ticket(desks, front_desk):
    ticket = services.ticket_issue(desk=desks["REG"], issued_by=front_desk)
    services.ticket_call_next(desk=desks["REG"], officer=front_desk)
    return services.ticket_start(ticket=ticket, officer=front_desk)


def open_case(person, front_desk, ticket, *codes):
    return referral_services.case_open(
        person=person, pathway="listed", decided_by=front_desk, ticket=ticket,
        services=[Service.objects.get(code=code) for code in codes],
    )


def where(ticket):
    ticket.refresh_from_db()
    return ticket.desk.code, ticket.status


def test_opening_a_case_plans_the_visit_and_sends_the_citizen_to_the_first_desk(
    listed_person, front_desk, served_ticket, desks
):
    open_case(listed_person, front_desk, served_ticket, "DINKES-BEROBAT", "DISDIK-BIAYA")
    assert where(served_ticket) == ("DINKES", "waiting")
    assert [s.desk.code for s in selectors.itinerary(served_ticket)] == ["DISDIK"]
    assert "Bantuan biaya sekolah" in selectors.itinerary(served_ticket)[0].reason

    dinkes = factories.officer(username="ayu", provider=desks["DINKES"].provider, desk_code="DINKES")
    assert services.ticket_call_next(desk=desks["DINKES"], officer=dinkes).pk == served_ticket.pk
    services.ticket_finish(ticket=served_ticket, officer=dinkes)
    assert where(served_ticket) == ("DISDIK", "waiting")  # nobody at the front desk touched it
    disdik = factories.officer(username="bambang", provider=desks["DISDIK"].provider, desk_code="DISDIK")
    services.ticket_call_next(desk=desks["DISDIK"], officer=disdik)
    services.ticket_finish(ticket=served_ticket, officer=disdik)
    assert where(served_ticket) == ("DISDIK", "done")
    assert [step.desk.code for step in served_ticket.steps.all()] == ["REG", "DINKES", "DISDIK"]


def test_a_referral_on_the_waiting_list_or_to_an_agency_without_a_desk_plans_no_stop(
    listed_person, front_desk, served_ticket
):
    open_case(listed_person, front_desk, served_ticket, "BAZNAS-SEHAT")
    assert where(served_ticket) == ("REG", "serving")
    assert selectors.itinerary(served_ticket) == []


def test_the_officer_changes_the_order_and_skips_a_desk(listed_person, front_desk, desks):
    ticket = services.ticket_issue(desk=desks["REG"], issued_by=front_desk)
    services.itinerary_plan(
        ticket=ticket, officer=front_desk,
        stops=[(desks["DINKES"], "berobat"), (desks["DISDIK"], "sekolah"), (desks["DINSOS"], "modal")],
    )
    order = lambda: [s.desk.code for s in selectors.itinerary(ticket)]  # noqa: E731
    assert order() == ["DINKES", "DISDIK", "DINSOS"]
    dinsos = ticket.stops.get(desk=desks["DINSOS"])
    services.itinerary_move(stop=dinsos, earlier=True)
    assert order() == ["DINKES", "DINSOS", "DISDIK"]
    services.itinerary_move(stop=dinsos, earlier=True)
    services.itinerary_move(stop=dinsos, earlier=True)  # already first: nothing moves
    assert order() == ["DINSOS", "DINKES", "DISDIK"]
    services.itinerary_skip(stop=ticket.stops.get(desk=desks["DINKES"]))
    assert order() == ["DINSOS", "DISDIK"]
    with pytest.raises(ValidationError):
        services.itinerary_skip(stop=ticket.stops.get(desk=desks["DINKES"]))
    # Planned twice, or where the ticket is now: not added again.
    assert services.itinerary_plan(ticket=ticket, officer=front_desk,
                                   stops=[(desks["DISDIK"], "x"), (desks["REG"], "y")]) == []


def test_a_citizen_who_left_comes_back_the_same_day_with_the_same_number(
    listed_person, front_desk, served_ticket, desks
):
    open_case(listed_person, front_desk, served_ticket, "DINKES-BEROBAT", "DISDIK-BIAYA")
    dinkes = factories.officer(username="ayu", provider=desks["DINKES"].provider, desk_code="DINKES")
    services.ticket_call_next(desk=desks["DINKES"], officer=dinkes)
    services.ticket_no_show(ticket=served_ticket, officer=dinkes)
    assert where(served_ticket) == ("DINKES", "no_show")

    services.ticket_return(ticket=served_ticket, officer=front_desk)
    assert where(served_ticket) == ("DINKES", "waiting")
    assert served_ticket.number == "A-001"
    with pytest.raises(ValidationError, match="still in the queue"):
        services.ticket_return(ticket=served_ticket, officer=front_desk)

    Ticket.objects.filter(pk=served_ticket.pk).update(
        status="no_show", issued_on=served_ticket.issued_on - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="another day"):
        services.ticket_return(ticket=Ticket.objects.get(pk=served_ticket.pk), officer=front_desk)


def test_the_display_says_where_each_called_number_goes_next(listed_person, front_desk, served_ticket, desks):
    open_case(listed_person, front_desk, served_ticket, "DINKES-BEROBAT", "DISDIK-BIAYA")
    dinkes = factories.officer(username="ayu", provider=desks["DINKES"].provider, desk_code="DINKES")
    services.ticket_call_next(desk=desks["DINKES"], officer=dinkes)
    board = selectors.display_board()
    assert board["called"][0]["number"] == served_ticket.number
    assert board["called"][0]["next_desk"] == desks["DISDIK"].name


# --- views -----------------------------------------------------------------------------------


def test_the_desk_page_shows_the_itinerary_and_its_buttons_work(client, listed_person, front_desk, desks):
    ticket = services.ticket_issue(desk=desks["REG"], issued_by=front_desk)
    services.ticket_call_next(desk=desks["REG"], officer=front_desk)
    services.itinerary_plan(ticket=ticket, officer=front_desk,
                            stops=[(desks["DINKES"], "berobat"), (desks["DISDIK"], "sekolah")])
    client.force_login(front_desk)
    page = client.get(reverse("desks:desk", args=[desks["REG"].pk])).content.decode()
    assert 'data-testid="stop-DINKES"' in page and 'data-testid="stop-DISDIK"' in page
    disdik = ticket.stops.get(desk=desks["DISDIK"])
    move = reverse("desks:itinerary_move", args=[ticket.pk, disdik.pk])
    assert client.get(move).status_code == 405
    client.post(move, {"direction": "up"})
    assert [s.desk.code for s in selectors.itinerary(ticket)] == ["DISDIK", "DINKES"]
    client.post(reverse("desks:itinerary_skip", args=[ticket.pk, disdik.pk]))
    assert [s.desk.code for s in selectors.itinerary(ticket)] == ["DINKES"]
    client.post(reverse("desks:ticket_finish", args=[ticket.pk]))
    assert where(ticket) == ("DINKES", "waiting")


def test_an_officer_of_another_desk_cannot_change_the_itinerary(client, front_desk, desks, reference_data):
    ticket = services.ticket_issue(desk=desks["REG"], issued_by=front_desk)
    services.itinerary_plan(ticket=ticket, officer=front_desk, stops=[(desks["DINKES"], "berobat")])
    stop = ticket.stops.get()
    outsider = factories.officer(username="charlie", provider=desks["DISDIK"].provider, desk_code="DISDIK")
    client.force_login(outsider)
    assert client.post(reverse("desks:itinerary_skip", args=[ticket.pk, stop.pk])).status_code == 404
    assert TicketStop.objects.get(pk=stop.pk).status == "planned"
    surveyor = factories.user_with_role("surveyor", username="andi")
    client.force_login(surveyor)
    assert client.post(reverse("desks:itinerary_skip", args=[ticket.pk, stop.pk])).status_code == 403


def test_the_front_desk_queues_a_returning_citizen_by_number(client, front_desk, served_ticket, desks):
    Ticket.objects.filter(pk=served_ticket.pk).update(status="no_show")
    client.force_login(front_desk)
    url = reverse("desks:ticket_return", args=[desks["REG"].pk])
    page = client.post(url, {"number": "a-001"}, follow=True).content.decode()
    assert where(served_ticket) == ("REG", "waiting")
    assert "A-001" in page
    page = client.post(url, {"number": "Z-999"}, follow=True).content.decode()
    assert 'data-testid="return-form"' in page
    officer = factories.officer(username="ayu", provider=desks["DINKES"].provider, desk_code="DINKES")
    client.force_login(officer)
    assert client.post(url, {"number": "A-001"}).status_code == 403


def test_an_agency_desk_sees_that_a_ticket_has_priority_but_not_the_reason(client, front_desk, desks):
    """A disability is health data the agency's officer is not shown: the badge says only
    "priority" at an agency's desk, the reason at the office's own desks."""
    ticket = services.ticket_issue(desk=desks["REG"], issued_by=front_desk, priority="disability")
    client.force_login(front_desk)
    assert "Prioritas: Disabilitas" in client.get(reverse("desks:desk", args=[desks["REG"].pk])).content.decode()
    services.ticket_call_next(desk=desks["REG"], officer=front_desk)
    services.ticket_transfer(ticket=ticket, to_desk=desks["DINKES"], officer=front_desk)
    officer = factories.officer(username="ayu", provider=desks["DINKES"].provider, desk_code="DINKES")
    client.force_login(officer)
    page = client.get(reverse("desks:desk", args=[desks["DINKES"].pk])).content.decode()
    assert 'data-testid="priority-badge"' in page
    assert "Disability" not in page and "Disabilitas" not in page
