"""Complaints (pengaduan) at the data desk."""

import pytest
from django.urls import reverse

from clients.models import Complaint, RegistryChange, RegistryStatus
from tests import factories


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="yusuf")


@pytest.fixture
def household(reference_data):
    return factories.HouseholdFactory(registry_status=RegistryStatus.NOT_LISTED)


@pytest.mark.django_db
def test_not_in_the_database_puts_the_household_in_verification(client, front_desk, household):
    client.force_login(front_desk)
    response = client.post(reverse("clients:complaint_create"), {
        "household": household.pk, "kind": "not_in_database", "complainant_name": "Pak Lahang",
        "complainant_phone": "0812", "description": "Rumah papan, tidak punya penghasilan tetap.",
    })
    complaint = Complaint.objects.get()
    assert response.url == reverse("clients:complaint_detail", args=[complaint.pk])
    assert complaint.number.startswith("PGD-") and complaint.status == Complaint.Status.OPEN
    household.refresh_from_db()
    assert household.registry_status == RegistryStatus.IN_VERIFICATION
    change = RegistryChange.objects.get(household=household)
    assert change.reference == complaint.number and change.changed_by == front_desk


@pytest.mark.django_db
def test_complaint_numbers_follow_each_other(client, front_desk, household):
    client.force_login(front_desk)
    for _ in range(2):
        client.post(reverse("clients:complaint_create"), {
            "kind": "service_complaint", "complainant_name": "Ibu Salmah", "description": "Antre terlalu lama.",
        })
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    assert numbers[0].endswith("-0001") and numbers[1].endswith("-0002")


@pytest.mark.django_db
def test_not_in_the_database_needs_a_household(client, front_desk, reference_data):
    client.force_login(front_desk)
    client.post(reverse("clients:complaint_create"), {
        "kind": "not_in_database", "complainant_name": "Pak Ding", "description": "Tidak terdaftar.",
    })
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_a_listed_household_keeps_its_status_on_a_wrong_data_complaint(client, front_desk, reference_data):
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status=RegistryStatus.LISTED))
    client.force_login(front_desk)
    client.post(reverse("clients:complaint_create"), {
        "person": person.pk, "kind": "wrong_data", "complainant_name": "", "description": "Nama salah eja.",
    })
    complaint = Complaint.objects.get()
    assert complaint.person == person and complaint.household == person.household
    person.household.refresh_from_db()
    assert person.household.registry_status == RegistryStatus.LISTED


@pytest.mark.django_db
def test_the_data_officer_resolves_a_complaint_with_a_resolution(client, data_officer, household):
    from clients.services import complaint_file

    complaint = complaint_file(kind="wrong_data", description="Alamat salah.", household=household,
                               received_by=data_officer)
    client.force_login(data_officer)
    url = reverse("clients:complaint_update", args=[complaint.pk])
    client.post(url, {"status": "resolved", "resolution": ""})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN
    client.post(url, {"status": "resolved", "resolution": "Alamat diperbaiki."})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED
    assert complaint.resolved_by == data_officer and complaint.resolved_at is not None
    client.post(url, {"status": "in_progress", "resolution": ""})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED


@pytest.mark.django_db
def test_the_list_filters_by_status_and_pages(client, data_officer, household):
    from clients.services import complaint_file

    for index in range(30):
        complaint_file(kind="service_complaint", description=f"Keluhan {index}", complainant_name=f"Warga {index}",
                       received_by=data_officer)
    Complaint.objects.filter(description="Keluhan 0").update(status=Complaint.Status.REJECTED)
    client.force_login(data_officer)
    content = client.get(reverse("clients:complaint_list")).content.decode()
    assert content.count("<tr><td><a href=") == 25
    assert "page=2" in content
    filtered = client.get(reverse("clients:complaint_list"), {"status": "rejected"}).content.decode()
    assert "Warga 0" in filtered and "Warga 1<" not in filtered


@pytest.mark.django_db
def test_a_front_desk_officer_cannot_resolve(client, front_desk, data_officer, household):
    from clients.services import complaint_file

    complaint = complaint_file(kind="wrong_data", description="x", household=household, received_by=data_officer)
    client.force_login(front_desk)
    response = client.post(reverse("clients:complaint_update", args=[complaint.pk]),
                           {"status": "resolved", "resolution": "ok"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_desk_officers_and_anonymous_cannot_see_complaints(client, alice, data_officer, household):
    from clients.services import complaint_file

    complaint = complaint_file(kind="wrong_data", description="x", household=household, received_by=data_officer)
    client.force_login(alice)
    assert client.get(reverse("clients:complaint_list")).status_code == 403
    assert client.get(reverse("clients:complaint_detail", args=[complaint.pk])).status_code == 403
    client.logout()
    response = client.get(reverse("clients:complaint_detail", args=[complaint.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_person_id_that_is_not_ascii_digits_is_ignored(client, front_desk, reference_data):
    """Found by fuzzing: ?person=² passed isdigit() and broke the page."""
    client.force_login(front_desk)
    response = client.post(
        reverse("clients:complaint_create"),
        {"kind": "wrong_data", "complainant_name": "Pak Lahang", "description": "x", "person": "²"},
    )
    assert response.status_code == 302
    assert Complaint.objects.get().person is None
