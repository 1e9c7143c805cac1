import pytest
from django.urls import reverse

from desks import services
from desks.models import Desk, Ticket
from tests import factories


@pytest.fixture
def registration(reference_data):
    return Desk.objects.get(code="REG")


@pytest.mark.django_db
def test_front_desk_issues_a_ticket_with_one_click_and_gets_a_receipt(client, front_desk, registration):
    client.force_login(front_desk)
    response = client.post(reverse("desks:issue_ticket", args=[registration.pk]), {"print": "1"})
    ticket = Ticket.objects.get()
    assert response.url == reverse("desks:receipt", args=[ticket.pk])
    page = client.get(response.url).content.decode()
    assert "A-001" in page and "Loket Pendaftaran" in page


@pytest.mark.django_db
def test_call_next_is_post_only(client, front_desk, registration):
    client.force_login(front_desk)
    assert client.get(reverse("desks:call_next", args=[registration.pk])).status_code == 405


@pytest.mark.django_db
def test_desk_page_shows_the_called_ticket_and_the_waiting_list(client, front_desk, registration):
    services.ticket_issue(desk=registration)
    services.ticket_issue(desk=registration)
    client.force_login(front_desk)
    client.post(reverse("desks:call_next", args=[registration.pk]))
    page = client.get(reverse("desks:desk", args=[registration.pk])).content.decode()
    assert 'data-testid="current-number">A-001<' in page
    assert "A-002" in page


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, registration):
    response = client.get(reverse("desks:desk", args=[registration.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.django_db
def test_officer_of_another_desk_gets_404_on_the_desk_and_its_tickets(client, charlie, registration):
    ticket = services.ticket_issue(desk=registration)
    client.force_login(charlie)
    assert client.get(reverse("desks:desk", args=[registration.pk])).status_code == 404
    assert client.post(reverse("desks:call_next", args=[registration.pk])).status_code == 404
    assert client.get(reverse("desks:receipt", args=[ticket.pk])).status_code == 404
    dinkes_desk = Desk.objects.get(code="DINKES")
    assert client.get(reverse("desks:desk", args=[dinkes_desk.pk])).status_code == 404


@pytest.mark.django_db
def test_officer_operates_the_desk_of_todays_assignment(client, alice):
    dinkes_desk = Desk.objects.get(code="DINKES")
    client.force_login(alice)
    response = client.get(reverse("desks:index"))
    assert response.url == reverse("desks:desk", args=[dinkes_desk.pk])


@pytest.mark.django_db
def test_surveyor_may_not_use_the_queue(client, reference_data):
    client.force_login(factories.user_with_role("surveyor", username="andi"))
    assert client.get(reverse("desks:index")).status_code == 403


@pytest.mark.django_db
def test_display_needs_no_login_and_shows_only_numbers_and_desks(client, front_desk, registration):
    person = factories.PersonFactory(full_name="Siti Rahasia")
    ticket = services.ticket_issue(desk=registration, person=person)
    services.ticket_call_next(desk=registration, officer=front_desk)
    page = client.get(reverse("desks:display")).content.decode()
    assert ticket.number in page and "Loket Pendaftaran" in page
    assert "Siti Rahasia" not in page and person.nik not in page
    assert 'hx-trigger="every 2s"' in page


@pytest.mark.django_db
def test_sending_on_to_the_data_desk(client, front_desk, registration):
    ticket = services.ticket_issue(desk=registration)
    client.force_login(front_desk)
    client.post(reverse("desks:call_next", args=[registration.pk]))
    data_desk = Desk.objects.get(code="DATA")
    response = client.post(reverse("desks:ticket_transfer", args=[ticket.pk]), {"to_desk": data_desk.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.desk == data_desk and ticket.status == Ticket.Status.WAITING


@pytest.mark.django_db
def test_next_parameter_never_leaves_the_site(client, front_desk, registration):
    services.ticket_issue(desk=registration)
    client.force_login(front_desk)
    response = client.post(reverse("desks:call_next", args=[registration.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("desks:desk", args=[registration.pk])
