"""The Django admin goes through Pandu's rules: registry records are only listed there (their
changes go through the services), exports and every change of access are in the audit log, and
the demo administrator is staff with its role's permissions, not a superuser."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from clients.models import Household, RegistryChange
from desks.models import Desk, DeskAssignment
from pandu import roles
from pandu.models import AuditEvent
from tests import factories


@pytest.fixture
def root(reference_data):
    return User.objects.create_superuser("root", password=factories.PASSWORD)


@pytest.fixture
def demo_admin(reference_data):
    call_command("seed_demo", "--households", "1", "--keep-demo-passwords", stdout=StringIO())
    return User.objects.get(username="admin")


def _permission_changes(obj):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.PERMISSION_CHANGE, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("pk")


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
    complaint = factories.PersonFactory().complaints.create(kind="wrong_data", description="x", number="P-1",
                                                            due_on="2026-01-31")
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


# --- Changes of access ---------------------------------------------------------------------------


def _user_form(user, **changes):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-11-28", "date_joined_1": "08:00:00",
        "groups": list(user.groups.values_list("pk", flat=True)),
        "security-TOTAL_FORMS": "1", "security-INITIAL_FORMS": "0", "security-MIN_NUM_FORMS": "0",
        "security-MAX_NUM_FORMS": "1",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_making_a_superuser_changing_roles_and_deactivating_are_in_the_audit_log(reference_data, client, root):
    user = factories.user_with_role(roles.FRONT_DESK, username="rina")
    head = Group.objects.get(name=roles.HEAD)
    client.force_login(root)
    change = reverse("admin:auth_user_change", args=[user.pk])
    response = client.post(change, _user_form(user, is_superuser="on", is_staff="on", groups=[head.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(change, _user_form(user, is_superuser="on", is_staff="on", is_active=None))
    assert response.status_code == 302
    first, second = _permission_changes(user)
    assert first.username == "root" and first.detail["via"] == "admin"
    assert first.detail["before"]["is_superuser"] is False and first.detail["after"]["is_superuser"] is True
    assert first.detail["before"]["groups"] == ["front_desk"] and first.detail["after"]["groups"] == ["head"]
    assert set(first.detail["changed"]) == {"is_superuser", "is_staff", "groups"}
    assert "is_superuser False → True" in first.summary
    assert second.detail["changed"] == ["is_active"] and second.detail["after"]["is_active"] is False
    client.post(change, _user_form(user, is_superuser="on", is_staff="on", is_active=None))  # no change
    assert _permission_changes(user).count() == 2


@pytest.mark.django_db
def test_a_desk_assignment_made_changed_and_removed_in_the_admin_is_in_the_audit_log(client, root):
    officer = factories.user_with_role(roles.DESK_OFFICER, username="ayu")
    desk = Desk.objects.get(code="DINKES")
    client.force_login(root)
    form = {"user": officer.pk, "provider": desk.provider.pk, "desk": desk.pk, "starts_on": "2026-01-01"}
    assert client.post(reverse("admin:desks_deskassignment_add"), form).status_code == 302
    assignment = DeskAssignment.objects.get(user=officer)
    change = reverse("admin:desks_deskassignment_change", args=[assignment.pk])
    assert client.post(change, form | {"ends_on": "2026-06-30"}).status_code == 302
    delete = reverse("admin:desks_deskassignment_delete", args=[assignment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    made, changed, removed = _permission_changes(officer)
    assert made.detail["before"] is None and made.detail["after"]["provider"] == "DINKES"
    assert changed.detail["before"]["ends_on"] is None and changed.detail["after"]["ends_on"] == "2026-06-30"
    assert removed.detail["after"] is None and removed.detail["desk_assignment"] == assignment.pk
    assert {made.username, changed.username, removed.username} == {"root"}


@pytest.mark.django_db
def test_a_change_of_a_roles_permissions_is_in_the_audit_log(reference_data, client, root):
    group = Group.objects.get(name=roles.HEAD)
    permission = Permission.objects.get(codename="view_region")
    client.force_login(root)
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]),
                           {"name": group.name, "permissions": [permission.pk]})  # fmt: skip
    assert response.status_code == 302
    event = _permission_changes(group).get()
    assert event.detail["before"] == [] and event.detail["after"] == ["clients.view_region"]


# --- The demo administrator ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_administrator_is_staff_but_not_superuser(demo_admin):
    assert demo_admin.is_staff and not demo_admin.is_superuser
    assert roles.has_role(demo_admin, roles.ADMIN)
    assert demo_admin.has_perm("auth.change_user") and demo_admin.has_perm("desks.add_deskassignment")
    assert not demo_admin.has_perm("clients.change_person") and not demo_admin.has_perm("clients.view_person")
    # seeding the account is a change of access like any other
    assert _permission_changes(demo_admin).filter(detail__via="seed_demo").exists()


@pytest.mark.django_db
def test_the_demo_administrator_opens_the_admin_pages_of_its_work(client, demo_admin):
    client.force_login(demo_admin)
    for name in ("admin:index", "admin:auth_user_changelist", "admin:auth_user_add", "admin:auth_group_changelist",
                 "admin:desks_deskassignment_changelist", "admin:desks_deskassignment_add",
                 "admin:desks_provider_changelist", "admin:desks_service_changelist", "admin:desks_desk_changelist",
                 "admin:clients_region_changelist", "admin:clients_pmkscategory_changelist",
                 "admin:verivali_scorecardversion_changelist", "admin:pandu_auditevent_changelist"):  # fmt: skip
        assert client.get(reverse(name)).status_code == 200, name
    officer = User.objects.get(username="dinkes")
    assert client.get(reverse("admin:auth_user_change", args=[officer.pk])).status_code == 200


@pytest.mark.django_db
def test_the_demo_administrator_cannot_see_or_edit_a_person_in_the_admin(client, demo_admin):
    person = factories.PersonFactory(full_name="Siti Aminah")
    client.force_login(demo_admin)
    change = reverse("admin:clients_person_change", args=[person.pk])
    assert client.get(reverse("admin:clients_person_changelist")).status_code == 403
    assert client.get(change).status_code == 403
    assert client.post(change, {"full_name": "Nama Lain"}).status_code == 403
    assert client.post(reverse("admin:clients_person_export"), {"resource": "0", "format": "0"}).status_code == 403
    person.refresh_from_db()
    assert person.full_name == "Siti Aminah"


def _merge():
    from clients.duplicates.merging import persons_merge
    from clients.models import DuplicateCandidate

    kept = factories.PersonFactory(full_name="Siti Aminah")
    other = factories.PersonFactory(full_name="Siti Aminah Lubis", household=kept.household, relationship="other")
    candidate = DuplicateCandidate.objects.create(person_a=kept, person_b=other, score=90, level="likely",
                                                  reasons=["name_similar"])
    officer = factories.user_with_role(roles.DATA_OFFICER, username="dani")
    return persons_merge(candidate=candidate, survivor=kept, choices={}, user=officer), other


@pytest.mark.django_db
def test_the_demo_administrator_follows_the_merges_but_sees_no_name_and_changes_nothing(client, demo_admin):
    merge, other = _merge()
    client.force_login(demo_admin)
    page = client.get(reverse("admin:clients_personmerge_changelist")).content.decode()
    assert f">{merge.survivor_id}<" in page and f">{other.pk}<" in page and "dani" in page
    assert "Siti Aminah" not in page and other.nik not in page
    change = reverse("admin:clients_personmerge_change", args=[merge.pk])
    detail = client.get(change).content.decode()
    assert "dani" in detail and "Siti Aminah" not in detail and other.nik not in detail
    assert client.get(reverse("admin:clients_personmerge_add")).status_code == 403
    assert client.post(change, {"merged_at_0": "2026-01-01"}).status_code == 403
    delete = reverse("admin:clients_personmerge_delete", args=[merge.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    merge.refresh_from_db()  # still there, not undone
    assert merge.undone_at is None


@pytest.mark.django_db
def test_a_superuser_sees_the_merged_records_former_name(client, root):
    _merge()
    client.force_login(root)
    page = client.get(reverse("admin:clients_personmerge_changelist")).content.decode()
    assert "Siti Aminah Lubis" in page


@pytest.mark.django_db
def test_other_roles_do_not_reach_the_merges_in_the_admin(client, reference_data):
    merge, _other = _merge()
    for role in (roles.FRONT_DESK, roles.DATA_OFFICER, roles.HEAD):
        client.force_login(factories.user_with_role(role, username=f"x-{role}"))
        for url in (reverse("admin:clients_personmerge_changelist"),
                    reverse("admin:clients_personmerge_change", args=[merge.pk])):
            response = client.get(url)
            assert response.status_code == 302 and reverse("admin:login") in response.url, (role, url)


@pytest.mark.django_db
def test_the_demo_administrator_cannot_raise_anybodys_rights_above_its_own(client, demo_admin):
    client.force_login(demo_admin)
    change = reverse("admin:auth_user_change", args=[demo_admin.pk])
    response = client.post(change, _user_form(demo_admin, is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    demo_admin.refresh_from_db()
    assert not demo_admin.is_superuser
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    root_change = reverse("admin:auth_user_change", args=[root.pk])
    assert client.post(root_change, _user_form(root, is_superuser="on", is_active=None)).status_code == 403
    root.refresh_from_db()
    assert root.is_active
    assert client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403
    group = Group.objects.get(name=roles.ADMIN)
    before = set(group.permissions.all())
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]),
                           {"name": group.name, "permissions": list(Permission.objects.values_list("pk", flat=True))})  # fmt: skip
    assert response.status_code == 302
    assert set(group.permissions.all()) == before
