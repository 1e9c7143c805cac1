import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from desks import services
from desks.models import Desk, Ticket


@pytest.fixture
def registration(reference_data):
    return Desk.objects.get(code="REG")


@pytest.fixture
def data_desk(reference_data):
    return Desk.objects.get(code="DATA")


@pytest.mark.django_db
def test_tickets_are_numbered_per_desk_prefix_per_day(registration, data_desk):
    first = services.ticket_issue(desk=registration)
    second = services.ticket_issue(desk=registration)
    other = services.ticket_issue(desk=data_desk)
    assert (first.number, second.number, other.number) == ("A-001", "A-002", "B-001")


@pytest.mark.django_db
def test_call_next_takes_the_oldest_waiting_ticket_and_none_when_empty(registration, front_desk):
    first = services.ticket_issue(desk=registration)
    services.ticket_issue(desk=registration)
    called = services.ticket_call_next(desk=registration, officer=front_desk)
    assert called.pk == first.pk
    assert called.status == Ticket.Status.CALLED
    services.ticket_call_next(desk=registration, officer=front_desk)
    assert services.ticket_call_next(desk=registration, officer=front_desk) is None


@pytest.mark.django_db
def test_a_visit_sent_on_keeps_each_desks_times(registration, data_desk, front_desk):
    ticket = services.ticket_issue(desk=registration)
    services.ticket_call_next(desk=registration, officer=front_desk)
    services.ticket_start(ticket=ticket, officer=front_desk)
    services.ticket_transfer(ticket=ticket, to_desk=data_desk, officer=front_desk, note="pengaduan")
    ticket.refresh_from_db()
    assert ticket.desk == data_desk and ticket.status == Ticket.Status.WAITING
    first, second = ticket.steps.order_by("queued_at", "pk")
    assert first.status == Ticket.Status.DONE
    assert first.queued_at <= first.called_at <= first.served_at <= first.done_at
    assert first.note == "pengaduan"
    assert second.desk == data_desk and second.status == Ticket.Status.WAITING
    # The data desk calls it without the citizen taking a new ticket.
    assert services.ticket_call_next(desk=data_desk, officer=front_desk).number == "A-001"


@pytest.mark.django_db
def test_no_show_and_forbidden_moves(registration, front_desk):
    ticket = services.ticket_issue(desk=registration)
    with pytest.raises(ValidationError):
        services.ticket_finish(ticket=ticket, officer=front_desk)  # nobody called it yet
    services.ticket_call_next(desk=registration, officer=front_desk)
    services.ticket_no_show(ticket=ticket, officer=front_desk)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NO_SHOW
    with pytest.raises(ValidationError):
        services.ticket_start(ticket=ticket, officer=front_desk)


@pytest.mark.django_db(transaction=True)
def test_two_desks_calling_next_at_the_same_moment_never_get_the_same_ticket(reference_data, front_desk):
    registration = Desk.objects.get(code="REG")
    for _ in range(6):
        services.ticket_issue(desk=registration)
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def caller():
        try:
            barrier.wait()
            for _ in range(3):
                ticket = services.ticket_call_next(desk=registration, officer=front_desk)
                results.append(ticket.number)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"A-{n:03d}" for n in range(1, 7)]
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 6
