import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from pandu.accounts import account_require_password_change, must_change_password
from pandu.models import AuditEvent
from tests import factories


@pytest.mark.django_db
def test_a_seeded_account_must_choose_its_password_before_anything_else(client, front_desk):
    account_require_password_change(user=front_desk)
    client.force_login(front_desk)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("password_change"))
    page = client.get(response.url).content.decode()
    assert 'data-testid="password-change-required"' in page
    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "Tanjung-Redeb-77", "new_password2": "Tanjung-Redeb-77"},
    )
    assert response.status_code == 302
    assert not must_change_password(front_desk)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_weak_new_passwords_are_refused(client, front_desk):
    client.force_login(front_desk)
    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert must_change_password(front_desk) is False
    assert front_desk.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_seed_demo_accounts_must_change_their_password(reference_data):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--households", "1", stdout=StringIO())
    assert must_change_password(User.objects.get(username="loket"))


@pytest.mark.django_db
def test_admin_created_account_must_change_password_and_role_changes_are_audited(client, reference_data):
    admin = User.objects.create_superuser("root", password=factories.PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "baru", "password1": "Sungai-Segah-2026", "password2": "Sungai-Segah-2026",
         "usable_password": "true",
         "security-TOTAL_FORMS": "1", "security-INITIAL_FORMS": "0", "security-MIN_NUM_FORMS": "0",
         "security-MAX_NUM_FORMS": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="baru")
    assert must_change_password(user)
    from django.contrib.auth.models import Group

    head_group = Group.objects.get_or_create(name="head")[0]
    change_url = reverse("admin:auth_user_change", args=[user.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    data = {
        "username": "baru", "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "groups": [head_group.pk], "date_joined_0": "2026-11-28", "date_joined_1": "08:00:00",
        "security-TOTAL_FORMS": "1", "security-INITIAL_FORMS": "1", "security-MIN_NUM_FORMS": "0",
        "security-MAX_NUM_FORMS": "1", "security-0-user": user.pk, "security-0-must_change_password": "on",
    }
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created, changed = AuditEvent.objects.filter(
        action="permission_change", object_type="auth.user", object_id=str(user.pk)
    ).order_by("pk")
    assert created.detail["before"]["is_active"] is False and created.detail["after"]["is_active"] is True
    assert changed.detail["before"]["groups"] == [] and changed.detail["after"]["groups"] == ["head"]
    assert changed.username == "root"
