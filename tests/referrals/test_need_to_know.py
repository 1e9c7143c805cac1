"""What a desk officer is shown of a person referred to their provider: the minimal card (name,
masked NIK, age, village, the referral), nothing of other agencies' work, of complaints or of
health unless the service is about it, and only while the referral is live."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Complaint, PMKSCategory
from clients.services import complaint_file
from desks.models import Desk, Service
from desks.services import ticket_call_next, ticket_finish, ticket_issue, ticket_start
from referrals.models import Referral
from tests import factories


@pytest.fixture
def odha_person(listed_person, front_desk):
    """A person living with HIV, with a phone, a disability, a complaint and a visit at the
    social affairs desk where that officer wrote a note."""
    person = listed_person
    person.phone, person.disability, person.chronic_illness = "0812-7777-3131", "Tuna netra", "HIV"
    person.save()
    person.pmks_categories.set([PMKSCategory.objects.get(code="ODHA")])
    complaint_file(kind=Complaint.Kind.WRONG_DATA, description="Nama salah", received_by=front_desk, person=person)
    desk = Desk.objects.get(code="DINSOS")
    ticket = ticket_issue(desk=desk, person=person)
    dinsos = factories.user_with_role("desk_officer", username="dinsos_officer")
    ticket_call_next(desk=desk, officer=dinsos)
    ticket_start(ticket=ticket, officer=dinsos)
    ticket_finish(ticket=ticket, officer=dinsos, note="Catatan rahasia Dinsos")
    return person


def _page(client, person):
    return client.get(reverse("clients:person_detail", args=[person.pk]))


@pytest.mark.django_db
def test_the_officer_sees_the_card_without_health_complaints_or_other_agencies_notes(client, alice, odha_person,
                                                                                     make_referral):
    make_referral("DINKES-BEROBAT", person=odha_person)
    client.force_login(alice)
    response = _page(client, odha_person)
    assert response.status_code == 200
    page = response.content.decode()
    assert odha_person.full_name in page and 'data-testid="person-card"' in page
    assert odha_person.nik[-4:] in page and odha_person.nik not in page
    for hidden in ("HIV", "Person living with HIV", "Orang dengan HIV", "Tuna netra", "0812-7777-3131",
                   "Catatan rahasia Dinsos", "PGD-", odha_person.household.address, odha_person.household.kk_number):
        assert hidden not in page, hidden


@pytest.mark.django_db
def test_a_service_about_health_shows_health_data_and_one_that_needs_it_the_full_nik(client, alice, odha_person,
                                                                                    make_referral):
    Service.objects.filter(code="DINKES-BEROBAT").update(needs_health_data=True, needs_full_nik=True)
    make_referral("DINKES-BEROBAT", person=odha_person)
    client.force_login(alice)
    page = _page(client, odha_person).content.decode()
    assert "Tuna netra" in page and "data-testid=\"pmks\"" in page and odha_person.nik in page
    assert "Catatan rahasia Dinsos" not in page and "0812-7777-3131" not in page


@pytest.mark.django_db
def test_the_household_page_shows_the_officer_only_the_referred_member(client, alice, odha_person, make_referral):
    spouse = factories.PersonFactory(household=odha_person.household, full_name="Ahmad Suami", relationship="spouse")
    make_referral("DINKES-BEROBAT", person=odha_person)
    client.force_login(alice)
    page = client.get(reverse("clients:household_detail", args=[odha_person.household_id])).content.decode()
    assert odha_person.full_name in page
    assert spouse.full_name not in page and "HIV" not in page and odha_person.household.kk_number not in page
    assert client.get(reverse("clients:person_detail", args=[spouse.pk])).status_code == 404


@pytest.mark.django_db
def test_access_ends_when_the_grace_period_after_the_referral_closes_has_passed(client, alice, odha_person,
                                                                               make_referral, settings):
    settings.REFERRAL_ACCESS_GRACE_DAYS = 30
    referral = make_referral("DINKES-BEROBAT", person=odha_person, status="completed")
    client.force_login(alice)
    Referral.objects.filter(pk=referral.pk).update(closed_at=timezone.now() - datetime.timedelta(days=29))
    assert _page(client, odha_person).status_code == 200
    Referral.objects.filter(pk=referral.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    assert _page(client, odha_person).status_code == 404
    assert client.get(reverse("clients:household_detail", args=[odha_person.household_id])).status_code == 404


@pytest.mark.django_db
def test_an_officer_without_an_assignment_today_opens_nobody(client, dinkes, odha_person, make_referral, today):
    make_referral("DINKES-BEROBAT", person=odha_person)
    former = factories.officer(username="former", provider=dinkes, starts_on=today - datetime.timedelta(days=90),
                               ends_on=today - datetime.timedelta(days=1))
    client.force_login(former)
    assert _page(client, odha_person).status_code == 404


@pytest.mark.django_db
def test_the_front_desk_still_sees_the_whole_record(client, front_desk, odha_person):
    client.force_login(front_desk)
    page = _page(client, odha_person).content.decode()
    assert "person-card" not in page
    for shown in ("Tuna netra", "0812-7777-3131", "Catatan rahasia Dinsos", "PGD-", odha_person.nik):
        assert shown in page, shown
