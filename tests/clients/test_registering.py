"""Registering households and persons at the front desk: NIK checks, duplicates, RT/RW."""

import datetime
import re

import pytest
from django.urls import reverse

from clients.models import Household, Person, Region
from clients.nik import make_nik
from pandu.models import AuditEvent
from tests import factories


@pytest.fixture
def household(reference_data):
    return factories.HouseholdFactory(kk_number="6403051203850007")


def _person_data(**overrides):
    birth = datetime.date(1990, 5, 17)
    data = {
        "nik": make_nik(kecamatan_code="64.03.05", birth_date=birth, sex="L", serial=77),
        "no_nik_reason": "",
        "full_name": "Lahang Anyeq",
        "sex": "L",
        "birth_place": "Long Lanuk",
        "birth_date": birth.isoformat(),
        "relationship": "head",
        "education": "SD",
        "occupation": "Petani",
        "disability": "",
        "chronic_illness": "",
        "phone": "081234567890",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_front_desk_registers_a_household_with_rt_rw_as_three_digits(client, front_desk):
    client.force_login(front_desk)
    village = factories.village()
    response = client.post(reverse("clients:household_create"), {
        "kk_number": "'6403 0512 0385 0099", "address": "Jl. Durian No. 3", "rt": "4", "rw": "02",
        "kecamatan": village.parent.pk, "village": village.pk,
    })
    household = Household.objects.get(kk_number="6403051203850099")
    assert response.status_code == 302
    assert response.url == reverse("clients:person_create", args=[household.pk])
    assert (household.rt, household.rw, household.created_by) == ("004", "002", front_desk)


@pytest.mark.django_db
def test_a_kk_number_already_registered_is_refused_with_a_link(client, front_desk, household):
    client.force_login(front_desk)
    village = factories.village()
    response = client.post(reverse("clients:household_create"), {
        "kk_number": household.kk_number, "address": "Jl. Lain", "rt": "1", "rw": "1",
        "kecamatan": village.parent.pk, "village": village.pk,
    })
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate-household"' in content
    assert reverse("clients:household_detail", args=[household.pk]) in content
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_choosing_a_kecamatan_lists_only_its_villages(client, front_desk, reference_data):
    client.force_login(front_desk)
    kecamatan = factories.village("64.03.06.2001").parent
    content = client.get(reverse("clients:village_options"), {"kecamatan": kecamatan.pk}).content.decode()
    assert "Tasuk" in content
    assert "Gunung Panjang" not in content.title()


@pytest.mark.django_db
def test_the_search_form_lists_villages_under_their_kecamatan_and_keeps_the_choice(client, front_desk, reference_data):
    """The region selects are written in one pass (RegionSelect): groups, the chosen options
    marked, the htmx picker's attributes, names escaped."""
    client.force_login(front_desk)
    village = factories.village("64.03.06.2001")
    Region.objects.filter(pk=village.pk).update(name="TASUK <B>")
    content = client.post(reverse("clients:search"), {"q": "nobody here", "kecamatan": village.parent.pk,
                                                      "village": village.pk}).content.decode()
    kecamatan_select = re.search(r'<select name="kecamatan"[^>]*>.*?</select>', content, re.S).group(0)
    assert f'hx-get="{reverse("clients:village_options")}"' in kecamatan_select
    assert f'<option value="{village.parent.pk}" selected>{village.parent.name.title()}</option>' in kecamatan_select
    village_select = re.search(r'<select name="village"[^>]*>.*?</select>', content, re.S).group(0)
    assert f'<optgroup label="{village.parent.name.title()}">' in village_select
    assert f'<option value="{village.pk}" selected>Tasuk &lt;B&gt;</option>' in village_select
    assert village_select.count("<optgroup") == 1  # only the chosen kecamatan's villages
    assert '<option value="">Semua kelurahan/kampung</option>' in village_select  # no bare dashes


@pytest.mark.django_db
def test_a_person_with_a_valid_nik_is_registered(client, front_desk, household):
    client.force_login(front_desk)
    response = client.post(reverse("clients:person_create", args=[household.pk]), _person_data())
    person = Person.objects.get(full_name="Lahang Anyeq")
    assert response.url == reverse("clients:person_detail", args=[person.pk])
    assert person.household == household and person.created_by == front_desk
    assert AuditEvent.objects.filter(action="change", object_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_a_person_without_nik_needs_a_reason(client, front_desk, household):
    client.force_login(front_desk)
    url = reverse("clients:person_create", args=[household.pk])
    response = client.post(url, _person_data(nik="", relationship="child"))
    assert "needs the reason" in response.content.decode() or "perlu alasannya" in response.content.decode()
    assert not Person.objects.exists()
    client.post(url, _person_data(nik="", no_nik_reason="Bayi baru lahir", relationship="child"))
    assert Person.objects.get().no_nik_reason == "Bayi baru lahir"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("64030512038", "11"),
        ("640305120385001X", "angka"),
        ("9903051203850001", "99.03"),
        ("6403053213850001", "HHBBTT"),
    ],
)
def test_a_wrong_nik_is_refused_with_what_is_wrong(client, front_desk, household, nik, message):
    client.force_login(front_desk)
    response = client.post(reverse("clients:person_create", args=[household.pk]), _person_data(nik=nik))
    assert message in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_nik_that_disagrees_with_the_birth_date_must_be_confirmed(client, front_desk, household):
    client.force_login(front_desk)
    url = reverse("clients:person_create", args=[household.pk])
    data = _person_data(birth_date="1990-05-18", sex="P")
    response = client.post(url, data)
    content = response.content.decode()
    assert 'data-testid="confirm-nik-mismatch"' in content
    assert "17 Mei 1990" in content and "laki-laki" in content.lower()
    assert not Person.objects.exists()
    client.post(url, {**data, "confirm_nik_mismatch": "on"})
    assert Person.objects.get().birth_date == datetime.date(1990, 5, 18)


@pytest.mark.django_db
def test_the_same_nik_is_refused_with_a_link_to_the_existing_person(client, front_desk, household):
    existing = factories.PersonFactory(full_name="Yosef Ding")
    client.force_login(front_desk)
    response = client.post(
        reverse("clients:person_create", args=[household.pk]),
        _person_data(nik=existing.nik, birth_date=existing.birth_date.isoformat(), sex=existing.sex),
    )
    content = response.content.decode()
    assert 'data-testid="duplicate-person"' in content
    assert reverse("clients:person_detail", args=[existing.pk]) in content
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_a_similar_name_born_the_same_day_is_shown_before_saving(client, front_desk, household):
    existing = factories.PersonFactory(full_name="Muhammad Rizki Saputra", birth_date=datetime.date(1990, 5, 17),
                                       sex="L")
    client.force_login(front_desk)
    url = reverse("clients:person_create", args=[household.pk])
    data = _person_data(nik="", no_nik_reason="KTP hilang", full_name="Moh. Rizky Saputra")
    content = client.post(url, data).content.decode()
    assert 'data-testid="duplicate-candidates"' in content
    assert reverse("clients:person_detail", args=[existing.pk]) in content
    assert Person.objects.count() == 1
    client.post(url, {**data, "confirm_new": "on"})
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_the_same_name_born_with_day_and_month_swapped_is_shown_but_a_namesake_is_not(client, front_desk, household):
    swapped = factories.PersonFactory(full_name="Hasnah", birth_date=datetime.date(1990, 3, 5), nik=None,
                                      no_nik_reason="Tidak punya")
    factories.PersonFactory(full_name="Hasnah", birth_date=datetime.date(1950, 1, 1))  # a namesake
    client.force_login(front_desk)
    data = _person_data(nik="", no_nik_reason="Tidak punya", full_name="Hasnah", sex="P", birth_date="1990-05-03")
    content = client.post(reverse("clients:person_create", args=[household.pk]), data).content.decode()
    assert content.count('data-testid="candidate"') == 1
    assert reverse("clients:person_detail", args=[swapped.pk]) in content


@pytest.mark.django_db
def test_editing_a_person_is_audited(client, front_desk, household):
    person = factories.PersonFactory(household=household, full_name="Salmah")
    client.force_login(front_desk)
    data = _person_data(nik=person.nik, full_name="Salmah Binti Ambo", sex="P",
                        birth_date=person.birth_date.isoformat())
    response = client.post(reverse("clients:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Salmah Binti Ambo"
    event = AuditEvent.objects.get(action="change", object_id=str(person.pk))
    assert "full_name" in event.detail["fields"]


@pytest.mark.django_db
def test_editing_a_household_is_audited(client, front_desk, household):
    client.force_login(front_desk)
    response = client.post(reverse("clients:household_edit", args=[household.pk]), {
        "kk_number": household.kk_number, "address": "Jl. Baru 9", "rt": "7", "rw": "3",
        "kecamatan": household.village.parent.pk, "village": household.village.pk,
    })
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.rt) == ("Jl. Baru 9", "007")
    assert AuditEvent.objects.filter(action="change", object_id=str(household.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "surveyor"])
def test_roles_that_do_not_register_get_403(client, alice, household, who):
    user = alice if who == "alice" else factories.user_with_role("surveyor", username="sur")
    client.force_login(user)
    assert client.get(reverse("clients:household_create")).status_code == 403
    assert client.post(reverse("clients:person_create", args=[household.pk]), _person_data()).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, household):
    for url in (reverse("clients:household_create"), reverse("clients:person_create", args=[household.pk]),
                reverse("clients:search")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_editing_is_403_for_a_desk_officer_and_a_validator(client, alice, household):
    person = factories.PersonFactory(household=household)
    for user in (alice, factories.user_with_role("validator", username="val")):
        client.force_login(user)
        assert client.get(reverse("clients:person_edit", args=[person.pk])).status_code == 403
        assert client.post(reverse("clients:household_edit", args=[household.pk]), {}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ["²", "١", "9" * 40])
def test_an_id_that_is_not_ascii_digits_is_ignored_not_a_server_error(client, front_desk, odd):
    """Found by fuzzing: "²".isdigit() is true, but int("²") fails, and so did the page."""
    client.force_login(front_desk)
    village = factories.village()
    data = {"kk_number": "6403051203850099", "address": "Jl. Durian No. 3", "rt": "4", "rw": "2",
            "kecamatan": odd, "village": village.pk, "ticket": odd}
    response = client.post(reverse("clients:household_create"), data)
    assert response.status_code == 200 and "kecamatan" in response.context["form"].errors
    response = client.post(reverse("clients:household_create"), {**data, "kecamatan": village.parent.pk})
    assert response.status_code == 302  # the ticket is ignored
    assert client.get(reverse("clients:village_options"), {"kecamatan": odd}).status_code == 200


@pytest.mark.django_db
def test_a_nik_of_superscript_digits_is_refused_with_a_message(client, front_desk, household):
    client.force_login(front_desk)
    response = client.post(
        reverse("clients:person_create", args=[household.pk]), _person_data(nik="640305²²03850012")
    )
    assert response.status_code == 200
    assert not Person.objects.exists()
