"""Disability as data: the free text read into kinds and severity by the migration (what it cannot
read waits on the data officer's list), the registration form's structured fields, and the
Table 1 row each disabled person counts in."""

import datetime
import importlib

import pytest
from django.db import connection
from django.urls import reverse

from clients.disability import table_one_group
from clients.models import Person
from clients.selectors import disability_group_counts
from tests import factories

STRUCTURE_SQL = importlib.import_module("clients.migrations.0022_structured_disability").STRUCTURE_SQL

# What registry forms and officers wrote, and what the migration reads from it.
WRITTEN = [
    ("Tuna daksa", ["physical"], ""),
    ("Tunadaksa (kaki kiri)", ["physical"], ""),
    ("tuna netra", ["sight"], ""),
    ("Tunarungu wicara", ["hearing", "speech"], ""),
    ("Tuna grahita ringan", ["intellectual"], "mild"),
    ("Gangguan jiwa berat", ["mental"], "severe"),
    ("Cacat mental", ["mental"], ""),
    ("Cacat ganda", ["multiple"], ""),
    ("Cacat fisik dan mental", ["physical", "mental"], ""),
    ("Lumpuh total, sedang dirawat", ["physical"], "severe"),
    ("Tuli sedang", ["hearing"], "moderate"),
    ("Sering pusing", [], ""),
]


@pytest.mark.django_db
def test_the_migration_reads_the_kinds_and_the_severity_and_marks_what_it_cannot_read(reference_data):
    persons = [factories.PersonFactory(disability=text) for text, _kinds, _severity in WRITTEN]
    nobody = factories.PersonFactory(disability="")
    with connection.cursor() as cursor:
        cursor.execute(STRUCTURE_SQL)
    for person, (text, kinds, severity) in zip(persons, WRITTEN, strict=True):
        person.refresh_from_db()
        assert (person.disability_kinds, person.disability_severity, person.disability_to_review) == (
            kinds, severity, not kinds), text
        assert person.disability == text  # the words stay, as the description
    nobody.refresh_from_db()
    assert (nobody.disability_kinds, nobody.disability_to_review) == ([], False)


@pytest.mark.django_db
def test_the_data_officer_reviews_what_could_not_be_read_and_leaves_the_list(client, reference_data):
    unread = factories.PersonFactory(full_name="Yohana Lawing", disability="Sering pusing", disability_to_review=True)
    data_officer = factories.user_with_role("data_officer", username="d_data")
    client.force_login(data_officer)
    assert 'data-testid="home-disability-review"' in client.get(reverse("home")).content.decode()
    page = client.get(reverse("clients:disability_review")).content.decode()
    assert "Yohana Lawing" in page and "Sering pusing" in page
    form = client.get(reverse("clients:person_edit", args=[unread.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "pmks_categories"}
    data.update(birth_date="1985-03-12", disability_kinds=["physical"], disability_severity="moderate")
    response = client.post(reverse("clients:person_edit", args=[unread.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    unread.refresh_from_db()
    assert (unread.disability_kinds, unread.disability_severity, unread.disability_to_review) == (
        ["physical"], "moderate", False)
    assert 'data-testid="review-empty"' in client.get(reverse("clients:disability_review")).content.decode()
    client.force_login(factories.user_with_role("front_desk", username="d_front"))
    assert client.get(reverse("clients:disability_review")).status_code == 403


@pytest.mark.django_db
def test_a_description_needs_its_kind_on_the_registration_form(client, reference_data):
    household = factories.HouseholdFactory()
    client.force_login(factories.user_with_role("front_desk", username="d_front"))
    data = {"nik": "", "no_nik_reason": "Bayi", "full_name": "Rahmat", "sex": "L", "birth_date": "2020-01-02",
            "relationship": "child", "disability": "Kaki kiri lemah", "disability_severity": "mild"}
    response = client.post(reverse("clients:person_create", args=[household.pk]), data)
    assert response.status_code == 200 and "disability_kinds" in response.context["form"].errors
    assert not Person.objects.filter(full_name="Rahmat").exists()
    response = client.post(reverse("clients:person_create", args=[household.pk]),
                           {**data, "disability_kinds": ["physical"]})
    assert response.status_code == 302
    person = Person.objects.get(full_name="Rahmat")
    assert (person.disability_kinds, person.disability_severity, person.disability) == (
        ["physical"], "mild", "Kaki kiri lemah")
    page = client.get(reverse("clients:person_detail", args=[person.pk])).content.decode()
    assert "Fisik (daksa)" in page and "Ringan" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kinds", "severity", "age", "group"),
    [
        (["physical"], "", 40, "physical"),
        (["sight"], "mild", 40, "sight"),
        (["hearing"], "", 40, "hearing_speech"),
        (["speech", "hearing"], "", 40, "hearing_speech"),
        (["intellectual"], "", 40, "mental"),
        (["mental", "intellectual"], "moderate", 40, "mental"),
        (["multiple"], "", 40, "multiple"),
        (["physical", "mental"], "", 40, "multiple"),
        (["physical", "mental"], "severe", 40, "severe"),
        (["sight"], "severe", 12, "child"),
        (["physical"], "", 17, "child"),
        (["physical"], "", 18, "physical"),
        ([], "", 40, None),
    ],
)
def test_each_disabled_person_counts_in_one_row_of_table_1(reference_data, kinds, severity, age, group):
    on = datetime.date(2026, 11, 30)
    person = factories.PersonFactory(disability_kinds=kinds, disability_severity=severity,
                                     birth_date=on.replace(year=on.year - age))
    assert table_one_group(person.disability_kinds, person.disability_severity, person.birth_date, on=on) == group
    assert disability_group_counts(on=on) == ({group: 1} if group else {})
