"""Complaints with a clock: a due date per kind, the overdue list and count, and the visit and
case a complaint came from."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import selectors, services
from clients.models import Complaint, ComplaintDeadline, RegistryStatus
from desks.models import Desk, Service
from desks.services import ticket_issue
from pandu.workdays import working_days_after
from referrals import services as referral_services
from tests import factories


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def person(reference_data):
    return factories.PersonFactory(household=factories.HouseholdFactory(registry_status=RegistryStatus.LISTED))


def _file(kind="wrong_data", received_by=None, **kwargs):
    return services.complaint_file(kind=kind, description="Alamat salah.", received_by=received_by, **kwargs)


def _overdue(complaint, days=3):
    Complaint.objects.filter(pk=complaint.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days))
    complaint.refresh_from_db()
    return complaint


@pytest.mark.django_db
def test_the_due_date_is_the_kinds_days_after_the_day_it_is_received(person, data_officer, today):
    assert _file(person=person, received_by=data_officer).due_on == working_days_after(today, 30)
    ComplaintDeadline.objects.filter(kind="wrong_data").update(days=5)  # changed in the admin
    assert _file(person=person, received_by=data_officer).due_on == working_days_after(today, 5)
    service = _file(kind="service_complaint", complainant_name="Ibu Salmah", received_by=data_officer)
    assert service.due_on == working_days_after(today, 14)


@pytest.mark.django_db
def test_load_reference_data_keeps_the_days_the_administrator_changed(person):
    from django.core.management import call_command

    ComplaintDeadline.objects.filter(kind="service_complaint").update(days=7)
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ComplaintDeadline.objects.get(kind="service_complaint").days == 7
    assert ComplaintDeadline.objects.count() == len(Complaint.Kind.values)


@pytest.mark.django_db
def test_overdue_is_open_past_its_due_date(person, data_officer, today):
    late = _overdue(_file(person=person, received_by=data_officer))
    due_today = _file(person=person, received_by=data_officer)
    Complaint.objects.filter(pk=due_today.pk).update(due_on=today)
    closed_late = _overdue(_file(person=person, received_by=data_officer))
    services.complaint_set_status(complaint=closed_late, status="resolved", resolution="Diperbaiki.",
                                  officer=data_officer)
    assert list(selectors.complaints_overdue(Complaint.objects.all())) == [late]


@pytest.mark.django_db
def test_the_list_marks_and_filters_overdue_complaints(client, person, data_officer):
    late = _overdue(_file(person=person, received_by=data_officer))
    on_time = _file(person=person, received_by=data_officer)
    client.force_login(data_officer)
    page = client.get(reverse("clients:complaint_list")).content.decode()
    assert late.number in page and on_time.number in page
    assert f'data-testid="overdue-{late.number}"' in page and f'data-testid="overdue-{on_time.number}"' not in page
    overdue = client.get(reverse("clients:complaint_list"), {"overdue": "1"}).content.decode()
    assert late.number in overdue and on_time.number not in overdue


@pytest.mark.django_db
def test_the_detail_shows_the_due_date_and_the_history(client, person, data_officer):
    complaint = _overdue(_file(person=person, received_by=data_officer))
    services.complaint_set_status(complaint=complaint, status="in_progress", officer=data_officer)
    client.force_login(data_officer)
    page = client.get(reverse("clients:complaint_detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="complaint-overdue"' in page
    assert f"{complaint.due_on:%-d %b %Y}" in page
    assert [(e.from_status, e.to_status) for e in complaint.events.all()] == [("", "open"), ("open", "in_progress")]
    assert "Open → <strong>In progress</strong>" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "data_officer"])
def test_the_home_counts_overdue_complaints_with_a_link(client, person, data_officer, role):
    _overdue(_file(person=person, received_by=data_officer))
    _overdue(_file(person=person, received_by=data_officer))
    _file(person=person, received_by=data_officer)
    client.force_login(factories.user_with_role(role, username=f"home_{role}"))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("clients:complaint_list")}?overdue=1" data-testid="home-complaints-overdue">2 overdue complaints' in page


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["charlie", "surveyor"])
def test_outsiders_get_no_complaint_list_detail_or_form(client, person, data_officer, charlie, outsider):
    complaint = _overdue(_file(person=person, received_by=data_officer))
    user = charlie if outsider == "charlie" else factories.user_with_role("surveyor", username="sur")
    client.force_login(user)
    assert client.get(reverse("clients:complaint_list"), {"overdue": "1"}).status_code == 403
    assert client.get(reverse("clients:complaint_detail", args=[complaint.pk])).status_code == 403
    assert client.get(reverse("clients:complaint_create"), {"person": person.pk}).status_code == 403


# --- the visit and the case --------------------------------------------------------------------


@pytest.fixture
def ticket(reference_data, front_desk):
    return ticket_issue(desk=Desk.objects.get(code="REG"), issued_by=front_desk)


@pytest.fixture
def case(person, front_desk, ticket):
    return referral_services.case_open(person=person, pathway="listed", decided_by=front_desk,
                                       services=[Service.objects.get(code="DINKES-BEROBAT")], ticket=ticket)


POST = {"kind": "wrong_data", "complainant_name": "", "complainant_phone": "", "description": "Nama salah eja."}


@pytest.mark.django_db
def test_a_complaint_filed_while_serving_a_ticket_comes_from_that_visit(client, front_desk, person, ticket):
    client.force_login(front_desk)
    form = client.get(reverse("clients:complaint_create"), {"person": person.pk, "ticket": ticket.pk})
    assert f'name="ticket" value="{ticket.pk}"' in form.content.decode()
    client.post(reverse("clients:complaint_create"), {**POST, "person": person.pk, "ticket": ticket.pk})
    complaint = Complaint.objects.get()
    assert complaint.ticket == ticket and complaint.case is None
    page = client.get(reverse("clients:complaint_detail", args=[complaint.pk])).content.decode()
    assert f'<a href="{reverse("desks:receipt", args=[ticket.pk])}">{ticket.number}' in page


@pytest.mark.django_db
def test_the_person_page_carries_the_ticket_to_the_complaint_form(client, front_desk, person, ticket):
    client.force_login(front_desk)
    page = client.get(reverse("clients:person_detail", args=[person.pk]), {"ticket": ticket.pk}).content.decode()
    assert f"?person={person.pk}&amp;ticket={ticket.pk}" in page


@pytest.mark.django_db
def test_a_complaint_filed_from_a_case_links_the_case_and_its_visit(client, front_desk, person, case, ticket):
    client.force_login(front_desk)
    case_page = client.get(reverse("referrals:case_detail", args=[case.pk])).content.decode()
    assert f"?person={person.pk}&amp;case={case.pk}" in case_page
    client.post(reverse("clients:complaint_create"), {**POST, "person": person.pk, "case": case.pk})
    complaint = Complaint.objects.get()
    assert (complaint.case, complaint.ticket) == (case, ticket)
    page = client.get(reverse("clients:complaint_detail", args=[complaint.pk])).content.decode()
    assert f'<a href="{reverse("referrals:case_detail", args=[case.pk])}">#{case.pk}' in page
    assert complaint.number in client.get(reverse("referrals:case_detail", args=[case.pk])).content.decode()


@pytest.mark.django_db
def test_a_case_of_another_person_is_not_linked(client, front_desk, person, case):
    other = factories.PersonFactory(full_name="Budi Santoso")
    client.force_login(front_desk)
    client.post(reverse("clients:complaint_create"), {**POST, "person": other.pk, "case": case.pk})
    assert Complaint.objects.get().case is None


@pytest.mark.django_db
def test_the_validator_reads_the_case_number_without_a_link(client, front_desk, person, case):
    complaint = _file(person=person, received_by=front_desk, case=case, ticket=case.ticket)
    client.force_login(factories.user_with_role("validator", username="val"))
    page = client.get(reverse("clients:complaint_detail", args=[complaint.pk])).content.decode()
    assert f"#{case.pk}" in page
    assert reverse("referrals:case_detail", args=[case.pk]) not in page
    assert reverse("desks:receipt", args=[case.ticket.pk]) not in page


@pytest.mark.django_db
def test_the_demo_shows_an_overdue_complaint(reference_data, today):
    from django.core.management import call_command

    call_command("seed_demo", "--households", "8", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert selectors.complaints_overdue(Complaint.objects.all()).exists()
