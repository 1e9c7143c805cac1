import pytest
from django.urls import reverse

from desks import services
from desks.models import Desk, Ticket, TicketStep
from tests.two_servers import app_servers, at_once, post, session_for


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_calling_next_never_hand_out_one_ticket_twice(reference_data, front_desk):
    registration = Desk.objects.get(code="REG")
    for _ in range(12):
        services.ticket_issue(desk=registration)
    with app_servers(2) as urls:
        sessions = [session_for(front_desk, url) for url in urls]
        path = reverse("desks:call_next", args=[registration.pk])
        statuses: list[int] = []

        def press(index: int):
            for _ in range(5):
                statuses.append(post(sessions[index], urls[index] + path).status_code)

        at_once(2, press)
    assert statuses == [302] * 10
    called = TicketStep.objects.filter(desk=registration, status=Ticket.Status.CALLED)
    assert called.count() == 10
    assert called.values("ticket").distinct().count() == 10
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() == 2
