"""The Django admin goes through Pandu's rules: registry records are only listed there (their
changes go through the services), exports and every change of access are in the audit log, and
the demo administrator is staff with its role's permissions, not a superuser."""

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from clients.models import AuditEvent, Household, RegistryChange
from tests import factories


@pytest.fixture
def root(reference_data):
    return User.objects.create_superuser("root", password=factories.PASSWORD)


# --- Persons and households: listed, never changed here ------------------------------------------


@pytest.mark.django_db
def test_a_person_cannot_be_added_changed_or_deleted_in_the_admin(client, root):
    person = factories.PersonFactory(full_name="Siti Aminah")
    client.force_login(root)
    change = reverse("admin:clients_person_change", args=[person.pk])
    assert client.get(reverse("admin:clients_person_add")).status_code == 403
    assert client.post(reverse("admin:clients_person_delete", args=[person.pk]), {"post": "yes"}).status_code == 403
    response = client.post(change, {"full_name": "Nama Lain", "nik": person.nik, "sex": "P"})
    person.refresh_from_db()
    assert person.full_name == "Siti Aminah"
    assert response.status_code == 302
    assert response.url == reverse("clients:person_detail", args=[person.pk])  # changed (and logged) there
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_a_households_registry_status_cannot_be_changed_in_the_admin(client, root):
    household = factories.HouseholdFactory(registry_status="listed")
    client.force_login(root)
    response = client.post(
        reverse("admin:clients_household_change", args=[household.pk]),
        {"kk_number": household.kk_number, "address": "x", "registry_status": "removed"},
    )
    assert response.status_code == 302
    assert response.url == reverse("clients:household_detail", args=[household.pk])
    assert Household.objects.get(pk=household.pk).registry_status == "listed"
    assert not RegistryChange.objects.filter(household=household).exists()
    assert client.get(reverse("admin:clients_household_add")).status_code == 403


@pytest.mark.django_db
def test_the_person_list_masks_the_nik_and_a_whole_nik_finds_the_person(client, root):
    person = factories.PersonFactory(full_name="Siti Aminah")
    client.force_login(root)
    page = client.get(reverse("admin:clients_person_changelist")).content.decode()
    assert "Siti Aminah" in page and person.nik not in page and person.masked_nik in page
    found = client.get(reverse("admin:clients_person_changelist"), {"q": person.nik}).content.decode()
    assert "Siti Aminah" in found
    partial = client.get(reverse("admin:clients_person_changelist"), {"q": person.nik[:8]}).content.decode()
    assert "Siti Aminah" not in partial  # no guessing NIKs digit by digit


@pytest.mark.django_db
def test_other_records_of_persons_open_in_pandu_not_in_the_admin(client, root):
    complaint = factories.PersonFactory().complaints.create(kind="wrong_data", description="x", number="P-1")
    client.force_login(root)
    response = client.get(reverse("admin:clients_complaint_change", args=[complaint.pk]))
    assert response.status_code == 302 and response.url == reverse("clients:complaint_detail", args=[complaint.pk])
    for name in ("clients_complaint", "referrals_referral", "referrals_case", "referrals_recommendation",
                 "verivali_assessment", "clients_importjob"):  # fmt: skip
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name


# --- Exports: logged like every other ------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_export_of_persons_is_in_the_audit_log(client, root):
    factories.PersonFactory(full_name="Siti Aminah", sex="P")
    factories.PersonFactory(full_name="Budi Santoso", sex="L")
    client.force_login(root)
    url = reverse("admin:clients_person_export") + "?sex__exact=P"  # the list's filter
    page = client.get(url).content.decode()
    assert "xlsx" in page.lower() and "json" not in page.lower()
    response = client.post(
        url, {"resource": "0", "format": "0", "personresource_nik": "on", "personresource_full_name": "on"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Siti Aminah" in content and "Budi Santoso" not in content
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.username == "root"
    assert event.detail["model"] == "clients.person"
    assert event.detail["rows"] == 1
    assert event.detail["format"] == "csv"
    assert event.detail["filters"] == {"sex__exact": "P"}
    assert set(event.detail["columns"]) == {"nik", "full_name"}


@pytest.mark.django_db
def test_an_admin_export_of_households_is_in_the_audit_log(client, root):
    factories.HouseholdFactory()
    client.force_login(root)
    response = client.post(
        reverse("admin:clients_household_export"),
        {"resource": "0", "format": "1", "householdresource_kk_number": "on", "householdresource_address": "on"},
    )
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.detail["model"], event.detail["rows"], event.detail["format"]) == ("clients.household", 1, "xlsx")


def test_the_admin_imports_nothing():
    for name in ("admin:clients_person_import", "admin:clients_household_import"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
