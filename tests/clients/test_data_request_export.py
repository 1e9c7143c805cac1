"""Everything about one person as one ZIP: what it holds, and who may download it."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from clients.models import Complaint
from clients.services import complaint_file
from pandu.models import AuditEvent
from pandu.office.privacy.dossier import dossier_zip
from tests import factories
from tests.clients.conftest import PDF


def _open(handle) -> zipfile.ZipFile:
    return zipfile.ZipFile(handle if hasattr(handle, "read") else io.BytesIO(handle))


def _stored(fieldfile) -> bytes:
    with fieldfile.storage.open(fieldfile.name, "rb") as handle:
        return handle.read()


@pytest.fixture
def archive(subject, head):
    return _open(dossier_zip(subject.person, generated_by=head))


@pytest.mark.django_db
def test_the_archive_holds_the_json_the_summary_and_every_file(archive, subject):
    photo_kinds = subject.assessment.photos.values_list("kind", flat=True)
    names = set(archive.namelist())
    assert {"person.json", "README.txt", "files/person-photo.jpg", "files/house-photo.jpg"} <= names
    attachment = next(name for name in names if name.startswith("files/referrals/"))
    assert attachment.endswith(f"/{subject.attachment.pk}-ktp-yohana.pdf") and attachment.count("/") == 3
    assert {f"files/verivali/assessment-{subject.assessment.pk}-{kind}.jpg" for kind in photo_kinds} <= names
    assert archive.read("files/person-photo.jpg") == _stored(subject.person.photo)
    assert archive.read("files/house-photo.jpg") == _stored(subject.household.house_photo)
    assert archive.read(attachment) == PDF


@pytest.mark.django_db
def test_person_json_holds_the_records_about_the_person(archive, subject):
    data = json.loads(archive.read("person.json"))
    person = data["person"]
    assert (person["full_name"], person["nik"], person["disability"]) == ("Yohana Lawing", subject.person.nik, "Tuna daksa")
    assert person["photo"] == "files/person-photo.jpg"
    assert len(person["pmks_categories"]) == 2
    household = data["household"]
    assert household["kk_number"] == subject.household.kk_number
    assert household["other_members"] == [{"full_name": "Markus Lawing", "relationship_to_head": "spouse"}]
    assert "188.45/12/2026" in household["registry_changes"][-1]["reference"]
    assert data["visits"][0]["steps"][0]["note"] == "Butuh kursi roda"
    assert data["complaints"][0]["resolution"] == "Nama diperbaiki sesuai KTP"
    referral = data["cases"][0]["referrals"][0]
    assert referral["number"] == subject.referral.number
    assert [e["to_status"] for e in referral["events"]] == ["sent", "received", "accepted", "completed"]
    assert referral["attachments"][0]["original_name"] == "ktp yohana.pdf"
    survey = data["verivali_assessments"][0]
    assert (survey["score"], survey["welfare_class"], len(survey["answers"])) == (64, "not_poor", 16)
    assert survey["answers"][0]["value"] == 4 and survey["answers"][0]["answer"]
    assert survey["batch"]["decree_number"] == "188.45/12/2026"
    assert survey["finding_about_the_person"] is None
    assert data["missing_files"] == []


@pytest.mark.django_db
def test_the_archive_lists_who_opened_and_changed_the_record(archive, subject):
    events = json.loads(archive.read("person.json"))["audit_events"]
    seen = {(e["user"], e["action"], e["object"]) for e in events}
    assert ("rina", "view_person", f"clients.person#{subject.person.pk}") in seen
    assert ("rina", "change", f"clients.household#{subject.household.pk}") in seen  # the house photo
    readme = archive.read("README.txt").decode()
    assert "Yohana Lawing" in readme and subject.referral.number in readme and "rina" in readme


@pytest.mark.django_db
def test_a_file_gone_from_the_disk_is_listed_as_missing(subject, head):
    subject.person.photo.storage.delete(subject.person.photo.name)
    archive = _open(dossier_zip(subject.person, generated_by=head))
    assert "files/person-photo.jpg" not in archive.namelist()
    assert json.loads(archive.read("person.json"))["missing_files"] == ["files/person-photo.jpg"]


@pytest.mark.django_db
def test_a_person_without_household_or_records_gets_an_archive_too(reference_data, head):
    person = factories.PersonFactory(household=None, full_name="Bayi Tanpa KK", nik=None, no_nik_reason="Bayi")
    archive = _open(dossier_zip(person, generated_by=head))
    data = json.loads(archive.read("person.json"))
    assert (data["household"], data["cases"], data["verivali_assessments"]) == (None, [], [])
    assert set(archive.namelist()) == {"person.json", "README.txt"}
    assert "Bayi Tanpa KK" in archive.read("README.txt").decode()


# --- the view -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_head_downloads_the_archive_and_the_export_is_logged(client, head, subject):
    client.force_login(head)
    response = client.post(reverse("privacy:person_export", args=[subject.person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert f'filename="person-{subject.person.pk}-' in response["Content-Disposition"]
    archive = _open(b"".join(response.streaming_content))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, user=head)
    assert event.object_id == str(subject.person.pk)
    exported = [e for e in json.loads(archive.read("person.json"))["audit_events"] if e["action"] == "export"]
    assert exported and exported[-1]["user"] == "kepala"


@pytest.mark.django_db
def test_the_person_page_offers_the_data_request_to_the_head_only(client, head, front_desk, subject):
    url = reverse("clients:person_detail", args=[subject.person.pk])
    client.force_login(head)
    page = client.get(url).content.decode()
    assert 'data-testid="data-request"' in page and reverse("privacy:person_export", args=[subject.person.pk]) in page
    client.force_login(front_desk)
    assert 'data-testid="data-request"' not in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["front_desk", "alice", "data_officer"])
def test_other_roles_may_not_download_everything(client, subject, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("privacy:person_export", args=[subject.person.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.django_db
def test_the_download_is_a_post(client, head, subject):
    client.force_login(head)
    assert client.get(reverse("privacy:person_export", args=[subject.person.pk])).status_code == 405


@pytest.mark.django_db
def test_an_unknown_person_is_404(client, head, reference_data):
    client.force_login(head)
    assert client.post(reverse("privacy:person_export", args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, reference_data):
    person = factories.PersonFactory()
    response = client.post(reverse("privacy:person_export", args=[person.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.django_db
def test_a_neighbours_complaint_is_in_the_archive_without_who_wrote_it_or_what(subject, head, front_desk):
    complaint_file(
        kind=Complaint.Kind.WRONG_DATA, household=subject.household, received_by=front_desk,
        description="Keluarga ini punya tiga speedboat, kata tetangga", complainant_name="Bu Sartini",
        complainant_phone="0812-5555-0101",
    )  # fmt: skip
    archive = _open(dossier_zip(subject.person, generated_by=head))
    everything = archive.read("person.json").decode() + archive.read("README.txt").decode()
    for third_party in ("Sartini", "5555", "speedboat"):
        assert third_party not in everything
    numbers = [c["number"] for c in json.loads(archive.read("person.json"))["complaints"]]
    assert len(numbers) == 2
