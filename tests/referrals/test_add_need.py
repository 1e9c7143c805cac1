"""Referrals from any desk: the officer serving the visit at an agency's desk refers a need
they found; it joins the case (same pathway, with its letter) and the visit's itinerary."""

import pytest
from django.urls import reverse

from desks import selectors as desk_selectors
from desks import services as desk_services
from desks.models import Desk, Service
from referrals import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(listed_person, front_desk, reference_data):
    """Ticket A-001: the front desk opened a case with a health need; the citizen is now being
    served at the Dinas Kesehatan desk by ayu."""
    registration, dinkes_desk = Desk.objects.get(code="REG"), Desk.objects.get(code="DINKES")
    ticket = desk_services.ticket_issue(desk=registration, issued_by=front_desk)
    desk_services.ticket_call_next(desk=registration, officer=front_desk)
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk, ticket=ticket,
                              services=[Service.objects.get(code="DINKES-BEROBAT")])
    ayu = factories.officer(username="ayu", provider=dinkes_desk.provider, desk_code="DINKES")
    desk_services.ticket_call_next(desk=dinkes_desk, officer=ayu)
    ticket.refresh_from_db()
    return {"ticket": ticket, "case": case, "officer": ayu, "person": listed_person}


def test_the_desk_officer_refers_a_need_found_at_their_desk(client, visit):
    ticket, case = visit["ticket"], visit["case"]
    client.force_login(visit["officer"])
    person_url = reverse("clients:person_detail", args=[visit["person"].pk]) + f"?ticket={ticket.pk}"
    page = client.get(person_url).content.decode()
    assert 'data-testid="person-add-need"' in page
    assert "DINKES-BEROBAT" not in page  # the case's own service is not offered again

    school = Service.objects.get(code="DISDIK-BIAYA")
    response = client.post(reverse("referrals:case_add_need", args=[case.pk]),
                           {"service": school.pk, "next": person_url})
    assert response.status_code == 302 and response["Location"] == person_url
    referral = case.referrals.get(service=school)
    assert (referral.status, referral.created_by) == ("sent", visit["officer"])
    assert [s.desk.code for s in desk_selectors.itinerary(ticket)] == ["DISDIK"]

    desk_services.ticket_finish(ticket=ticket, officer=visit["officer"])
    ticket.refresh_from_db()
    assert (ticket.desk.code, ticket.status) == ("DISDIK", "waiting")


def test_without_the_visit_at_their_desk_an_officer_adds_nothing(client, visit, reference_data):
    case, school = visit["case"], Service.objects.get(code="DISDIK-BIAYA")
    outsider = factories.officer(username="charlie", provider=Desk.objects.get(code="DISDIK").provider,
                                 desk_code="DISDIK")
    client.force_login(outsider)
    assert client.post(reverse("referrals:case_add_need", args=[case.pk]), {"service": school.pk}).status_code == 404
    # Once ayu's desk has finished with the visit, she cannot add to the case either.
    desk_services.ticket_finish(ticket=visit["ticket"], officer=visit["officer"])
    client.force_login(visit["officer"])
    assert client.post(reverse("referrals:case_add_need", args=[case.pk]), {"service": school.pk}).status_code == 404
    page = client.get(reverse("clients:person_detail", args=[visit["person"].pk]) + f"?ticket={visit['ticket'].pk}")
    assert 'data-testid="person-add-need"' not in page.content.decode()
    client.force_login(factories.user_with_role("surveyor", username="andi"))
    assert client.post(reverse("referrals:case_add_need", args=[case.pk]), {"service": school.pk}).status_code == 403
    assert case.referrals.count() == 1


def test_the_front_desk_adds_a_need_on_the_case_page_with_the_pathway_rules(client, visit, front_desk):
    case = visit["case"]
    client.force_login(front_desk)
    page = client.get(reverse("referrals:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="add-need"' in page
    url = reverse("referrals:case_add_need", args=[case.pk])
    client.post(url, {"service": Service.objects.get(code="DINSOS-UEP").pk})
    assert case.referrals.filter(service__code="DINSOS-UEP").exists()
    # A service the case's pathway may not use is not a choice: nothing is created.
    refused = Service.objects.exclude(accepted_pathways__contains=["listed"]).first()
    if refused is not None:
        page = client.post(url, {"service": refused.pk}, follow=True).content.decode()
        assert not case.referrals.filter(service=refused).exists()
    assert client.post(url, {"service": ""}).status_code == 302
    assert case.referrals.count() == 2
