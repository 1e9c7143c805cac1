import pytest
from django.urls import reverse

from pandu.audit import audit_record
from pandu.models import AuditEvent
from tests import factories


@pytest.mark.django_db
def test_head_reads_the_audit_log_with_filters(client, head, front_desk):
    person = factories.PersonFactory()
    audit_record(user=front_desk, action=AuditEvent.Action.VIEW_PERSON, obj=person, summary="opened")
    audit_record(user=front_desk, action=AuditEvent.Action.EXPORT, summary="export of 12 rows")
    client.force_login(head)
    page = client.get(reverse("audit:log"), {"action": "view_person"}).content.decode()
    assert "clients.person" in page and "export of 12 rows" not in page
    page = client.get(reverse("audit:log"), {"user": "rina"}).content.decode()
    assert "export of 12 rows" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "data_officer", "desk_officer", "surveyor", "validator"])
def test_other_roles_may_not_read_the_audit_log(client, reference_data, role):
    client.force_login(factories.user_with_role(role, username=f"x_{role}"))
    assert client.get(reverse("audit:log")).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.django_db
def test_the_audit_log_cannot_be_changed_from_the_admin(client, reference_data):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password=factories.PASSWORD)
    event = audit_record(user=admin, action=AuditEvent.Action.EXPORT, summary="x")
    client.force_login(admin)
    assert client.post(reverse("admin:pandu_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:pandu_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
