"""Correcting a person's data at their request: the reason and the values before and after."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients import services
from clients.models import Person, PMKSCategory
from pandu.models import AuditEvent
from tests import factories


@pytest.fixture
def person(reference_data):
    return factories.PersonFactory(full_name="Siti Aminh", birth_place="Tanjung Redeb",
                                   birth_date=datetime.date(1985, 3, 12))


def _form(person, **changes) -> dict:
    data = {
        "nik": person.nik, "no_nik_reason": "", "full_name": person.full_name, "sex": person.sex,
        "birth_place": person.birth_place, "birth_date": person.birth_date.isoformat(),
        "relationship": person.relationship, "education": "", "occupation": "", "disability": "",
        "chronic_illness": "", "phone": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_a_correction_keeps_the_reason_and_the_values_before_and_after(person, head):
    category = PMKSCategory.objects.order_by("code").first()
    fields = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    services.person_correct(person=person, changed_by=head, reason="KTP dilihat: Siti Aminah",
                            pmks_categories=[category], **{**fields, "full_name": "Siti Aminah"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.CORRECT)
    assert (event.user, event.object_id) == (head, str(person.pk))
    assert event.detail["reason"] == "KTP dilihat: Siti Aminah"
    assert event.detail["changes"] == {
        "full_name": ["Siti Aminh", "Siti Aminah"], "pmks_categories": [[], [category.code]],
    }
    assert Person.objects.get(pk=person.pk).full_name == "Siti Aminah"


@pytest.mark.django_db
def test_a_correction_needs_a_reason_and_a_change(person, head):
    fields = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    with pytest.raises(ValidationError):
        services.person_correct(person=person, changed_by=head, reason=" ", **{**fields, "full_name": "Siti Aminah"})
    with pytest.raises(ValidationError):
        services.person_correct(person=person, changed_by=head, reason="KTP", **fields)
    assert Person.objects.get(pk=person.pk).full_name == "Siti Aminh"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CORRECT).exists()


@pytest.mark.django_db
def test_an_ordinary_edit_names_the_fields_but_keeps_no_values(person, front_desk):
    fields = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    services.person_update(person=person, changed_by=front_desk, **{**fields, "full_name": "Siti Aminah"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(person.pk))
    assert event.detail == {"fields": ["full_name"]}


@pytest.mark.django_db
def test_the_head_corrects_on_the_person_form_and_sees_the_correction_listed(client, person, head):
    url = reverse("privacy:person_correct", args=[person.pk])
    client.force_login(head)
    page = client.get(url).content.decode()
    assert 'name="reason"' in page and 'data-testid="correcting"' in page
    response = client.post(url, _form(person, full_name="Siti Aminah"))  # no reason
    assert response.status_code == 200 and Person.objects.get(pk=person.pk).full_name == "Siti Aminh"
    response = client.post(url, _form(person, full_name="Siti Aminah", reason="KTP dilihat di loket"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Siti Aminah" in page and 'data-testid="corrections"' in page and "KTP dilihat di loket" in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["front_desk", "alice"])
def test_other_roles_may_not_use_the_correction(client, person, request, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("privacy:person_correct", args=[person.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(person, full_name="X", reason="y")).status_code == 403
    assert Person.objects.get(pk=person.pk).full_name == "Siti Aminh"
