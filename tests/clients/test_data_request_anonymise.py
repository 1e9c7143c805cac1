"""Anonymising a person where the law allows it: what goes, what stays, when it is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from clients import services as client_services
from clients.models import Complaint, Person, RegistryStatus, SearchName, SearchWord
from clients.registry.export import registry_list_persons
from clients.selectors import person_search
from desks.models import TicketStep
from pandu.models import AuditEvent
from pandu.office.privacy.selectors import anonymisation_refusals
from pandu.office.privacy.services import person_anonymise
from referrals.models import Case, Referral, ReferralAttachment
from tests import factories
from verivali.models import AssessmentPhoto, Batch, MemberCheck

REASON = "Permintaan tertulis yang bersangkutan 20-11-2026; tidak lagi menerima layanan."


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def _exists(fieldfile_name: str) -> bool:
    from pandu.files import private_storage

    return private_storage.exists(fieldfile_name)


def _anonymise(subject, head, django_capture_on_commit_callbacks, reason=REASON):
    with django_capture_on_commit_callbacks(execute=True):
        return person_anonymise(person=subject.person, anonymised_by=head, reason=reason)


@pytest.mark.django_db
def test_anonymising_replaces_what_identifies_the_person(subject, head, django_capture_on_commit_callbacks):
    photo, thumb = subject.person.photo.name, subject.person.photo_thumb.name
    assert _exists(photo) and _exists(thumb)
    person = _anonymise(subject, head, django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert person.full_name == f"Anonim #{person.pk}"
    assert person.nik is None and person.no_nik_reason
    assert person.birth_date is None
    assert (person.birth_place, person.phone, person.disability, person.chronic_illness, person.occupation) == ("",) * 5
    assert not person.photo and not person.photo_thumb
    assert not _exists(photo) and not _exists(thumb)
    assert (person.anonymised_by, person.anonymisation_reason) == (head, REASON)
    assert person.anonymised_at is not None


@pytest.mark.django_db
def test_the_rows_the_statistics_count_stay(subject, head, django_capture_on_commit_callbacks):
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    person = Person.objects.get(pk=subject.person.pk)
    assert (person.sex, person.life_status) == ("P", "active")
    # Nothing that could single the person out again beside their family stays.
    assert person.pmks_categories.count() == 0
    assert (person.relationship, person.household_id) == ("other", None)
    referral = Referral.objects.get(pk=subject.referral.pk)
    assert (referral.status, referral.outcome, referral.outcome_detail) == ("completed", "granted", "")
    assert referral.events.count() == 4  # the timeline is evidence: kept as written
    assert person.tickets.get().status == "done"
    complaint = Complaint.objects.get(pk=subject.complaint.pk)
    assert (complaint.kind, complaint.status) == ("wrong_data", "resolved")


@pytest.mark.django_db
def test_free_texts_and_scanned_documents_go(subject, head, django_capture_on_commit_callbacks):
    scan = subject.attachment.file.name
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    complaint = Complaint.objects.get(pk=subject.complaint.pk)
    assert (complaint.complainant_name, complaint.complainant_phone) == ("", "")
    assert "Yohana" not in complaint.description and "KTP" not in complaint.resolution
    case = Case.objects.get(person=subject.person)
    assert case.note == "" and "KKS" not in case.pathway_override_reason
    assert not TicketStep.objects.filter(ticket__person=subject.person).exclude(note="").exists()
    assert not ReferralAttachment.objects.filter(pk=subject.attachment.pk).exists()
    assert not _exists(scan)


@pytest.mark.django_db
def test_the_old_name_is_no_longer_found(subject, head, django_capture_on_commit_callbacks):
    assert subject.person in person_search(query="Yohana Lawing")
    old_key = subject.person.name_key
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    assert subject.person not in person_search(query="Yohana Lawing")  # (her family's Lawings still are)
    assert not SearchName.objects.filter(key=old_key).exists()
    assert not SearchWord.objects.filter(word="yohana").exists()  # no other name holds it ("lawing" stays)
    assert not Person.objects.filter(name_key=old_key).exists()
    assert person_search(query=subject.person.nik) == []


@pytest.mark.django_db
def test_another_person_with_the_same_name_is_still_found(subject, head, django_capture_on_commit_callbacks):
    namesake = factories.PersonFactory(full_name="Yohana Lawing")
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    found = person_search(query="Yohana Lawing")
    assert found[0] == namesake and subject.person not in found
    assert SearchWord.objects.filter(word__in=["yohana", "lawing"]).count() == 2


@pytest.mark.django_db
def test_the_reason_is_in_the_audit_log(subject, head, django_capture_on_commit_callbacks):
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISE)
    assert (event.user, event.object_id, event.detail["reason"]) == (head, str(subject.person.pk), REASON)
    assert event.detail["household_anonymised"] is False


@pytest.mark.django_db
def test_the_household_stays_while_another_member_is_identifiable(subject, head, django_capture_on_commit_callbacks):
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    subject.household.refresh_from_db()
    assert subject.household.kk_number and subject.household.house_photo
    assert AssessmentPhoto.objects.filter(assessment=subject.assessment).exists()


@pytest.mark.django_db
def test_the_last_identifiable_member_takes_the_household_with_them(subject, head, django_capture_on_commit_callbacks):
    kk, house = subject.household.kk_number, subject.household.house_photo.name
    survey_photos = [p.image.name for p in subject.assessment.photos.all()]
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(person=subject.spouse, anonymised_by=head, reason="Meninggal, permintaan ahli waris")
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    household = subject.household
    household.refresh_from_db()
    assert household.kk_number is None and household.address == "Anonim" and household.rt == ""
    assert (household.village_id, household.registry_status) == (subject.household.village_id, "not_listed")
    assert not household.house_photo and not _exists(house)
    assessment = household.verivali_assessments.get()
    assert (assessment.score, assessment.welfare_class, assessment.answers.count()) == (64, "not_poor", 16)
    assert (assessment.notes, assessment.latitude) == ("", None)
    assert not assessment.photos.exists() and not any(_exists(name) for name in survey_photos)
    summaries = AuditEvent.objects.filter(object_type="clients.household", object_id=str(household.pk))
    assert summaries.exists() and not summaries.filter(summary__contains=kk).exists()
    assert AuditEvent.objects.get(action="anonymise", object_id=str(subject.person.pk)).detail["household_anonymised"]


@pytest.mark.django_db
def test_a_newborn_found_by_verivali_loses_the_name_the_surveyor_wrote(subject, head, django_capture_on_commit_callbacks):
    MemberCheck.objects.create(assessment=subject.assessment, person=subject.person, finding="born",
                               full_name="Yohana Lawing", birth_date=datetime.date(1984, 6, 23))
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    check = MemberCheck.objects.get(person=subject.person)
    assert (check.finding, check.full_name, check.birth_date) == ("born", "", None)


@pytest.mark.django_db
def test_a_correction_keeps_which_fields_but_not_the_values_nor_the_reason(
        subject, head, django_capture_on_commit_callbacks):
    client_services.person_correct(person=subject.person, changed_by=head, reason="KTP: Yohanna",
                                   **_fields(subject.person, full_name="Yohanna Lawing"))
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CORRECT)
    assert (event.user, event.detail["fields"]) == (head, ["full_name"])
    assert "changes" not in event.detail and "Yohanna" not in str(event.detail)


def _fields(person, **changes) -> dict:
    fields = {name: getattr(person, name) for name in client_services.PERSON_FIELDS}
    return {**fields, **changes}


@pytest.mark.django_db
def test_an_anonymised_person_is_left_out_of_registry_exports(subject, head, django_capture_on_commit_callbacks):
    _anonymise(subject, head, django_capture_on_commit_callbacks)
    assert list(registry_list_persons({})) == [subject.spouse]


# --- refused, nothing changed -------------------------------------------------------------------


def _assert_refused(subject, head, expected: str):
    with pytest.raises(ValidationError) as refused:
        person_anonymise(person=subject.person, anonymised_by=head, reason=REASON)
    assert any(expected in message for message in refused.value.messages), refused.value.messages
    person = Person.objects.get(pk=subject.person.pk)
    assert (person.full_name, person.nik, person.anonymised_at) == ("Yohana Lawing", subject.person.nik, None)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE).exists()


@pytest.mark.django_db
def test_refused_while_a_referral_is_not_finished(subject, head, front_desk):
    from desks.models import Service
    from referrals import services as referral_services

    case = referral_services.case_open(person=subject.person, pathway="listed", override_reason="KKS",
                                       decided_by=front_desk, services=[Service.objects.get(code="DINKES-BEROBAT")])
    _assert_refused(subject, head, case.referrals.get().number)


@pytest.mark.django_db
def test_refused_while_the_household_is_in_a_batch_not_yet_approved(subject, head):
    Batch.objects.filter(pk=subject.assessment.batch_id).update(status=Batch.Status.ACTIVE)
    _assert_refused(subject, head, "VV-2026-1")


@pytest.mark.django_db
def test_refused_for_a_living_member_of_a_listed_household(subject, head):
    client_services.household_set_registry_status(household=subject.household, status=RegistryStatus.LISTED)
    _assert_refused(subject, head, "poor-household database")


@pytest.mark.django_db
def test_allowed_for_a_member_of_a_listed_household_who_moved_away(subject, head):
    client_services.household_set_registry_status(household=subject.household, status=RegistryStatus.LISTED)
    Person.objects.filter(pk=subject.person.pk).update(life_status=Person.LifeStatus.MOVED)
    subject.person.refresh_from_db()
    assert anonymisation_refusals(subject.person) == []


@pytest.mark.django_db
def test_refused_while_a_complaint_is_open(subject, head, front_desk):
    complaint = client_services.complaint_file(kind="service_complaint", description="Lama", received_by=front_desk,
                                               person=subject.person)
    _assert_refused(subject, head, complaint.number)


@pytest.mark.django_db
def test_refused_while_the_person_is_in_the_queue(subject, head):
    from desks.models import Desk
    from desks.services import ticket_issue

    ticket = ticket_issue(desk=Desk.objects.get(code="REG"), person=subject.person)
    _assert_refused(subject, head, ticket.number)


@pytest.mark.django_db
def test_refused_without_a_reason(subject, head):
    with pytest.raises(ValidationError, match="legal basis"):
        person_anonymise(person=subject.person, anonymised_by=head, reason="  ")
    assert Person.objects.get(pk=subject.person.pk).anonymised_at is None


@pytest.mark.django_db
def test_an_anonymised_person_cannot_be_anonymised_twice_nor_edited(subject, head, front_desk,
                                                                    django_capture_on_commit_callbacks):
    person = _anonymise(subject, head, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="already anonymised"):
        person_anonymise(person=person, anonymised_by=head, reason="again")
    with pytest.raises(ValidationError, match="anonymised"):
        client_services.person_update(person=person, changed_by=front_desk, **_fields(person, full_name="Yohana"))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE).count() == 1


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_head_confirms_and_the_person_page_says_who_anonymised_why(client, subject, head):
    url = reverse("privacy:person_anonymise", args=[subject.person.pk])
    client.force_login(head)
    page = client.get(url).content.decode()
    assert 'data-testid="anonymise-form"' in page and f"Anonim #{subject.person.pk}" in page
    response = client.post(url, {"reason": REASON})  # not confirmed
    assert response.status_code == 200 and Person.objects.get(pk=subject.person.pk).anonymised_at is None
    response = client.post(url, {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'data-testid="anonymised"' in page and REASON in page and "Yohana Lawing" not in page
    assert 'data-testid="data-anonymise"' not in page


@pytest.mark.django_db
def test_the_confirmation_page_lists_why_it_is_refused(client, subject, head):
    client_services.household_set_registry_status(household=subject.household, status=RegistryStatus.LISTED)
    client.force_login(head)
    url = reverse("privacy:person_anonymise", args=[subject.person.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="anonymise-refused"' in page and 'data-testid="anonymise-form"' not in page
    response = client.post(url, {"reason": REASON, "confirm": "on"})
    assert response.status_code == 200 and 'data-testid="anonymise-refused"' in response.content.decode()
    assert Person.objects.get(pk=subject.person.pk).anonymised_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["front_desk", "alice", "data_officer"])
def test_other_roles_may_not_anonymise(client, subject, request, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("privacy:person_anonymise", args=[subject.person.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": REASON, "confirm": "on"}).status_code == 403
    assert Person.objects.get(pk=subject.person.pk).anonymised_at is None


@pytest.mark.django_db
def test_no_table_holds_the_old_name_or_nik_after_anonymising(subject, head, data_officer, front_desk,
                                                              django_capture_on_commit_callbacks):
    """Every row of every table, as text, searched for what identified the person: the admin's
    history, a complaint they filed about a neighbour, a survey note naming them, a registry
    import that listed them."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.db import connection

    from clients.models import ImportJob

    name, nik = subject.person.full_name, subject.person.nik
    LogEntry.objects.create(user=head, content_type=ContentType.objects.get_for_model(Person),
                            object_id=str(subject.person.pk), object_repr=name, action_flag=CHANGE,
                            change_message=f'[{{"changed": {{"fields": ["NIK {nik}"]}}}}]')
    neighbour = factories.HouseholdFactory()
    client_services.complaint_file(kind=Complaint.Kind.WRONG_DATA, household=neighbour, received_by=front_desk,
                                   description="Tetangga saya tidak layak", complainant_name=name,
                                   complainant_phone="0813-0000-1111")
    subject.assessment.__class__.objects.filter(pk=subject.assessment.pk).update(notes=f"Ditemui {name} di rumah")
    job = ImportJob(original_name="dtks.csv", created_by=data_officer, status=ImportJob.Status.DONE,
                    preview_rejected=[{"line": 3, "reasons": [f"NIK {nik} duplicated"]}])
    job.file.save("dtks.csv", ContentFile(f"NO_KK,NIK,NAMA\n6403000000000001,{nik},{name}\n".encode()), save=False)
    job.save()
    stored = job.file.name

    _anonymise(subject, head, django_capture_on_commit_callbacks)

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        found = []
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %s OR t::text LIKE %s',
                           [f"%{name}%", f"%{nik}%"])
            if cursor.fetchone()[0]:
                found.append(table)
    assert len(tables) > 40 and found == []
    assert not _exists(stored)
    household_page = factories.user_with_role("front_desk", username="another")
    from django.test import Client

    browser = Client()
    browser.force_login(household_page)
    page = browser.get(reverse("clients:household_detail", args=[subject.household.pk])).content.decode()
    assert "Anonim" not in page and "Tuna daksa" not in page
