"""The registration desk issues tickets with a purpose and a priority reason; the desk page and
the receipt show the priority; the display shows only numbers and desks, and speaks them."""

import re

import pytest
from django.urls import reverse

from desks import services
from desks.models import Desk, Ticket
from tests import factories


@pytest.fixture
def registration(reference_data):
    return Desk.objects.get(code="REG")


def _issue_url(desk):
    return reverse("desks:issue_ticket", args=[desk.pk])


@pytest.mark.django_db
def test_front_desk_issues_a_priority_ticket_and_the_receipt_says_so(client, front_desk, registration):
    client.force_login(front_desk)
    response = client.post(_issue_url(registration), {"print": "1", "purpose": "service", "priority": "elderly"})
    ticket = Ticket.objects.get()
    assert (ticket.purpose, ticket.priority, ticket.priority_source) == ("service", "elderly", "stated")
    page = client.get(response.url).content.decode()
    assert 'data-testid="receipt-priority">Prioritas: Lansia (60+)<' in page
    assert "Rujukan atau layanan" in page


@pytest.mark.django_db
def test_one_click_still_issues_a_regular_ticket(client, front_desk, registration):
    client.force_login(front_desk)
    client.post(_issue_url(registration), {"print": "1"})
    assert Ticket.objects.get().priority == ""


@pytest.mark.django_db
def test_an_unknown_priority_issues_nothing_and_says_why(client, front_desk, registration):
    client.force_login(front_desk)
    response = client.post(_issue_url(registration), {"priority": "vip"}, follow=True)
    assert not Ticket.objects.exists()
    assert "Pilih keperluan dan prioritas dari daftar." in response.content.decode()


@pytest.mark.django_db
def test_the_receipt_of_a_priority_ticket_counts_nobody_ahead(client, front_desk, registration):
    services.ticket_issue(desk=registration)
    services.ticket_issue(desk=registration)
    ticket = services.ticket_issue(desk=registration, priority="pregnant")
    client.force_login(front_desk)
    page = client.get(reverse("desks:receipt", args=[ticket.pk])).content.decode()
    assert "0 warga sebelum Anda" in page


@pytest.mark.django_db
def test_the_waiting_list_shows_priority_first_with_its_reason(client, front_desk, registration):
    services.ticket_issue(desk=registration)
    services.ticket_issue(desk=registration, priority="disability")
    client.force_login(front_desk)
    page = client.get(reverse("desks:desk", args=[registration.pk])).content.decode()
    listed = re.findall(r'data-testid="waiting-(A-\d{3})"', page)
    assert listed == ["A-002", "A-001"]
    assert "Prioritas: Disabilitas" in page


@pytest.mark.django_db
def test_a_priority_from_the_record_is_marked_as_such(client, front_desk, registration):
    ticket = services.ticket_issue(desk=registration)
    services.ticket_link_person(ticket=ticket, person=factories.PersonFactory(disability="Tunadaksa"))
    client.force_login(front_desk)
    page = client.get(reverse("desks:desk", args=[registration.pk])).content.decode()
    assert "Prioritas: Disabilitas · dari data warga" in page


@pytest.mark.django_db
def test_the_registration_desk_page_offers_purpose_and_priority(client, front_desk, registration):
    client.force_login(front_desk)
    page = client.get(reverse("desks:desk", args=[registration.pk])).content.decode()
    assert 'name="purpose"' in page and 'name="priority"' in page
    assert "Ibu hamil" in page


@pytest.mark.django_db
def test_only_the_front_desk_and_admin_issue_tickets(client, registration, alice, charlie):
    for user in (alice, charlie, factories.user_with_role("data_officer", username="dewi")):
        client.force_login(user)
        response = client.post(_issue_url(registration), {"priority": "elderly"})
        assert response.status_code == 403, user
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_surveyor_cannot_issue_a_priority_ticket(client, registration):
    client.force_login(factories.user_with_role("surveyor", username="andi"))
    assert client.post(_issue_url(registration), {"priority": "elderly"}).status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_an_officer_of_another_provider_does_not_see_the_priority_waiting_at_dinkes(
    client, front_desk, registration, alice, charlie
):
    dinkes = Desk.objects.get(code="DINKES")
    ticket = services.ticket_issue(desk=registration, priority="elderly")
    services.ticket_call_next(desk=registration, officer=front_desk)
    services.ticket_transfer(ticket=ticket, to_desk=dinkes, officer=front_desk)
    client.force_login(alice)
    page = client.get(reverse("desks:desk", args=[dinkes.pk])).content.decode()
    assert 'data-testid="priority-badge"' in page  # priority, but not why: that may be health data
    assert "Lansia" not in page
    client.force_login(charlie)
    assert client.get(reverse("desks:desk", args=[dinkes.pk])).status_code == 404


@pytest.mark.django_db
def test_the_display_speaks_the_number_but_never_shows_the_priority(client, front_desk, registration):
    services.ticket_issue(desk=registration, priority="disability")
    services.ticket_call_next(desk=registration, officer=front_desk)
    page = client.get(reverse("desks:display")).content.decode()
    assert 'data-speak="Nomor A 1, silakan menuju Loket Pendaftaran."' in page
    assert "Disabilitas" not in page and "Prioritas" not in page
