"""The surveyors' offline app on the server: the download, the sends (idempotent by the phone's
UUID), conflicts, photo checks, and who may use them. The phone's side: tests/e2e/test_verivali_offline.py."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from clients.models import Household
from pandu.models import AuditEvent
from tests import factories
from tests.verivali.conftest import all_answers, png_upload, submitted
from verivali import services
from verivali.models import Assessment, MemberCheck, OfflineSend


@pytest.fixture
def phone(client, surveyor):
    """The surveyor's phone, set to English: the refusals are asserted by their msgids."""
    client.force_login(surveyor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _download(client) -> dict:
    response = client.get(reverse("verivali:offline_download"))
    assert response.status_code == 200
    return response.json()


def _send(client, assessment, **body):
    return client.post(reverse("verivali:offline_send", args=[assessment.pk]), json.dumps(body),
                       content_type="application/json")


def _photo(client, assessment, *, base_version, send_uuid=None, kind="front", upload=None):
    return client.post(reverse("verivali:offline_photo", args=[assessment.pk]), {
        "uuid": send_uuid or str(uuid.uuid4()), "kind": kind, "base_version": base_version,
        "image": upload or png_upload(),
    })


@pytest.mark.django_db
def test_download_holds_the_surveyors_open_assignments_without_nik(phone, assignment, batch, other_surveyor, version):
    elsewhere = services.batch_add_household(batch=batch, household=factories.HouseholdFactory())
    services.assignments_assign(batch=batch, surveyor=other_surveyor, assessment_ids=[elsewhere.pk])

    data = _download(phone)

    assert [a["id"] for a in data["assignments"]] == [assignment.pk]
    copy = data["assignments"][0]
    assert {m["full_name"] for m in copy["members"]} == {"Siti Aminah", "Nayla Putri"}
    assert "nik" not in json.dumps(copy["members"]).lower()
    questions = data["scorecards"][str(version.number)]["indicators"]
    assert len(questions) == version.indicators.count() and len(questions[0]["options"]) == 4
    assert [kind for kind, _label in data["choices"]["photos"]] == ["front", "inside", "family"]
    assert copy["version"] and copy["status"] == "assigned"
    assert AuditEvent.objects.filter(action="export", user=assignment.surveyor).exists()


@pytest.mark.django_db
def test_offline_pages_and_download_are_for_surveyors_only(client, validator, assignment):
    client.force_login(validator)
    for name in ("verivali:offline", "verivali:offline_survey", "verivali:offline_download"):
        assert client.get(reverse(name)).status_code == 403
    assert _send(client, assignment, uuid=str(uuid.uuid4())).status_code == 403


@pytest.mark.django_db
def test_another_surveyors_household_cannot_be_sent(client, other_surveyor, assignment):
    client.force_login(other_surveyor)
    assert _send(client, assignment, uuid=str(uuid.uuid4())).status_code == 404
    assert _photo(client, assignment, base_version="x").status_code == 404


@pytest.mark.django_db
def test_a_logged_out_phone_is_sent_to_the_login_page_and_nothing_is_stored(client, assignment):
    response = _send(client, assignment, uuid=str(uuid.uuid4()))
    assert response.status_code == 302 and reverse("login") in response.url
    assert not OfflineSend.objects.exists()


@pytest.mark.django_db
def test_the_same_send_twice_makes_one_survey_and_one_photo(phone, assignment, version):
    copy = _download(phone)["assignments"][0]
    photo_uuid = str(uuid.uuid4())
    first_photo = _photo(phone, assignment, base_version=copy["version"], send_uuid=photo_uuid)
    assert first_photo.status_code == 200
    again_photo = _photo(phone, assignment, base_version=copy["version"], send_uuid=photo_uuid)
    assert again_photo.json() == first_photo.json()
    assert assignment.photos.count() == 1

    siti = assignment.household.members.get(full_name="Siti Aminah")
    body = {
        "uuid": str(uuid.uuid4()), "base_version": first_photo.json()["version"], "scorecard": version.number,
        "answers": all_answers(version, 2), "findings": {str(siti.pk): "moved"},
        "newborns": [{"full_name": "Bayi Aminah", "sex": "P", "birth_date": "2026-11-20"}],
        "notes": "Rumah panggung", "location": {"latitude": 2.1532, "longitude": 117.4915, "accuracy": 12},
        "submit": True,
    }
    first = _send(phone, assignment, **body)
    assert first.status_code == 200, first.content
    again = _send(phone, assignment, **body)

    assert again.json() == first.json()
    assignment.refresh_from_db()
    assert assignment.status == Assessment.Status.SUBMITTED and assignment.score == 32
    assert assignment.answers.count() == version.indicators.count()
    assert assignment.member_checks.get(person=siti).finding == "moved"
    assert assignment.member_checks.filter(finding=MemberCheck.Finding.BORN).count() == 1
    assert str(assignment.latitude) == "2.153200" and assignment.notes == "Rumah panggung"
    assert OfflineSend.objects.filter(assessment=assignment).count() == 2


@pytest.mark.django_db
def test_a_draft_from_the_phone_replaces_its_newborns_and_stays_open(phone, assignment, version):
    copy = _download(phone)["assignments"][0]
    born = [{"full_name": "Bayi Satu", "sex": "L", "birth_date": ""}]
    first = _send(phone, assignment, uuid=str(uuid.uuid4()), base_version=copy["version"],
                  scorecard=version.number, answers={"H01": 1}, newborns=born)
    renamed = [{"full_name": "Bayi Dua", "sex": "L", "birth_date": ""}]
    second = _send(phone, assignment, uuid=str(uuid.uuid4()), base_version=first.json()["version"],
                   scorecard=version.number, answers={"H01": 3}, newborns=renamed)

    assert second.status_code == 200 and second.json()["status"] == "draft"
    assert list(assignment.member_checks.values_list("full_name", flat=True)) == ["Bayi Dua"]
    assert assignment.answers.get(indicator__code="H01").value == 3


@pytest.mark.django_db
def test_a_survey_returned_meanwhile_is_a_conflict_with_the_servers_copy(phone, assignment, surveyor, validator, version):
    copy = _download(phone)["assignments"][0]
    submitted(assignment, surveyor, version, value=2)  # from another device
    services.assessment_return(assessment=assignment, validator=validator, note="Foto dapur kurang jelas")

    response = _send(phone, assignment, uuid=str(uuid.uuid4()), base_version=copy["version"],
                     scorecard=version.number, answers=all_answers(version, 4), submit=True)

    assert response.status_code == 409
    server = response.json()["server"]
    assert server["status"] == "returned" and server["return_note"] == "Foto dapur kurang jelas"
    assert set(server["answers"].values()) == {2}
    assert set(assignment.answers.values_list("value", flat=True)) == {2}  # nothing overwritten
    stale_photo = _photo(phone, assignment, base_version=copy["version"], kind="inside")
    assert stale_photo.status_code == 409 and not assignment.photos.filter(kind="inside").exists()
    # keep mine: the same survey on top of the server's version is accepted
    again = _send(phone, assignment, uuid=str(uuid.uuid4()), base_version=server["version"],
                  scorecard=version.number, answers=all_answers(version, 4), submit=True)
    assert again.status_code == 200 and again.json()["status"] == "submitted"


@pytest.mark.django_db
@pytest.mark.parametrize("body, message", [
    ({"answers": {"H01": 7}}, "not one of the scorecard's options"),
    ({"findings": {"1": "moved"}}, "not a member of this household"),
    ({"newborns": [{"full_name": "", "sex": "P"}]}, "newborn's name"),
    ({"location": {"latitude": 123, "longitude": 5}}, "location is not valid"),
    ({"submit": True}, "Answer every question"),
])
def test_a_wrong_survey_is_refused_with_the_reason_and_nothing_stored(phone, assignment, version, body, message):
    copy = _download(phone)["assignments"][0]
    response = _send(phone, assignment, uuid=str(uuid.uuid4()), base_version=copy["version"],
                     scorecard=version.number, **body)
    assert response.status_code == 400 and message in response.json()["error"]
    assignment.refresh_from_db()
    assert assignment.status == "assigned" and not OfflineSend.objects.exists()


@pytest.mark.django_db
def test_a_photo_must_be_a_photo_and_not_too_large(phone, assignment, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = _download(phone)["assignments"][0]["version"]
    text = SimpleUploadedFile("house.jpg", b"not a picture at all", content_type="image/jpeg")
    assert "not a photo" in _photo(phone, assignment, base_version=version, upload=text).json()["error"]
    settings.UPLOAD_IMAGE_MAX_BYTES = 50
    large = _photo(phone, assignment, base_version=version)
    assert large.status_code == 400 and "too large" in large.json()["error"]
    assert not assignment.photos.exists()


@pytest.mark.django_db
def test_sends_need_the_csrf_token_in_a_header(surveyor, assignment, version):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(surveyor)
    browser.get(reverse("verivali:offline"))  # the page sets the CSRF cookie
    copy = browser.get(reverse("verivali:offline_download")).json()["assignments"][0]
    body = json.dumps({"uuid": str(uuid.uuid4()), "base_version": copy["version"], "scorecard": version.number})
    url = reverse("verivali:offline_send", args=[assignment.pk])
    assert browser.post(url, body, content_type="application/json").status_code == 403
    token = browser.cookies["csrftoken"].value
    assert browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 200


@pytest.mark.django_db
def test_service_worker_and_manifest_cover_the_surveyors_pages(client):
    worker = client.get(reverse("verivali:service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/verivali/"
    body = worker.content.decode()
    assert reverse("verivali:offline") in body and "dexie/dexie.min.js" in body
    manifest = client.get(reverse("verivali:manifest")).json()
    assert manifest["start_url"] == reverse("verivali:offline") and manifest["scope"] == "/verivali/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


# --- the outcomes, members' details and pre-fill (as the online survey form) -------------------


def _family():
    """A household assigned to the surveyor: a head the registry knows, and a child."""
    household = factories.HouseholdFactory(registry_status="listed")
    head = factories.PersonFactory(household=household, full_name="Budi Santoso", education="Tidak tamat SD",
                                   occupation="Nelayan")
    child = factories.PersonFactory(household=household, full_name="Rudi Santoso", relationship="child")
    return household, head, child


def _assigned(batch, surveyor, household):
    assessment = services.batch_add_household(batch=batch, household=household)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    return assessment


def _rows(assessment) -> dict:
    """What a survey's outcome and members' details left in the database, by names not ids."""
    assessment.refresh_from_db()
    return {
        "outcome": (assessment.outcome, assessment.outcome_note, assessment.moved_village_id,
                    assessment.moved_address, assessment.moved_outside_place, assessment.duplicate_of_id),
        "splits": [(s.kk_number, s.head.full_name, s.address, sorted(m.person.full_name for m in s.memberships.all()))
                   for s in assessment.splits.all()],
        "members": sorted((c.person.full_name, c.finding, c.to_household_id, c.relationship, c.on, c.details_checked,
                           c.education, c.occupation, c.chronic_illness, c.disability_kinds)
                          for c in assessment.member_checks.select_related("person")),
    }


def _outcome_cases(target, other):
    """(name, the phone's outcome, the phone's details by member "head"/"child", the phone's head facts)."""
    plain = {"head": {"illness": "", "disability": []}, "child": {"illness": "", "disability": []}}
    return [
        ("not_found", {"kind": "not_found", "note": "Rumah kosong sejak 2025"}, plain, None),
        ("moved", {"kind": "moved", "moved_village": target.pk, "moved_address": "Jl. Murjani II No. 5"}, plain, None),
        ("outside", {"kind": "moved", "moved_outside_place": "Samarinda"}, plain, None),
        ("split", {"kind": "split", "splits": [{"kk": "6403 0501 0199 0005", "head": "child", "address": "Jl. Baru"}]},
         {**plain, "child": {"illness": "", "disability": [], "split": "1"}}, None),
        ("duplicate", {"kind": "duplicate", "duplicate_kk": other.kk_number}, plain, None),
        ("moved_kk", {"kind": "found"},
         {"head": {"illness": "", "disability": []},
          "child": {"kk": other.kk_number, "relationship": "spouse", "on": "2026-10-01", "illness": "Asma",
                    "disability": ["sight"]}},
         {"education": "Tidak tamat SD", "occupation": "Tidak bekerja"}),
    ]


def _form_post(outcome, details, head_facts, people) -> dict:
    """The same survey as the online form posts it."""
    post = {"outcome": outcome["kind"], "outcome_note": outcome.get("note", ""),
            "moved_village": outcome.get("moved_village", ""), "moved_address": outcome.get("moved_address", ""),
            "moved_outside_place": outcome.get("moved_outside_place", ""),
            "duplicate_kk": outcome.get("duplicate_kk", ""), "save_draft": "1"}
    for number, split in enumerate(outcome.get("splits", []), 1):
        post.update({f"split_{number}_kk": split["kk"], f"split_{number}_head": people[split["head"]].pk,
                     f"split_{number}_address": split["address"]})
    head = people["head"]
    post.update(head_education=(head_facts or {}).get("education", head.education),
                head_occupation=(head_facts or {}).get("occupation", head.occupation))
    for role, item in details.items():
        pk = people[role].pk
        post.update({f"m_{pk}": "moved_kk" if item.get("kk") else "present", f"mkk_{pk}": item.get("kk", ""),
                     f"mrel_{pk}": item.get("relationship", ""), f"mon_{pk}": item.get("on", ""),
                     f"split_to_{pk}": item.get("split", ""), f"ill_{pk}": item["illness"],
                     f"dis_{pk}": item["disability"]})
    return post


def _phone_body(outcome, details, head_facts, people, copy) -> dict:
    outcome = {**outcome, "splits": [{**s, "head": people[s["head"]].pk} for s in outcome.get("splits", [])]}
    head = people["head"]
    return {
        "uuid": str(uuid.uuid4()), "base_version": copy["version"], "scorecard": copy["scorecard"], "outcome": outcome,
        "details": {str(people[role].pk): item for role, item in details.items()},
        "findings": {str(people[role].pk): "moved_kk" if item.get("kk") else "present"
                     for role, item in details.items()},
        "head": head_facts or {"education": head.education, "occupation": head.occupation},
    }


@pytest.mark.django_db
def test_each_outcome_sent_from_the_phone_ends_as_the_online_forms(client, phone, batch, surveyor, version):
    from clients.models import Region

    target = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(pk=factories.village().pk).first()
    other = factories.HouseholdFactory()
    online = Client()
    online.force_login(surveyor)
    for name, outcome, details, head_facts in _outcome_cases(target, other):
        by_form, by_phone = (_family() for _twice in range(2))
        on_page, on_phone = (_assigned(batch, surveyor, household) for household, *_people in (by_form, by_phone))
        people = dict(zip(("head", "child"), by_form[1:], strict=True))
        response = online.post(reverse("verivali:survey", args=[on_page.pk]),
                               _form_post(outcome, details, head_facts, people))
        assert response.status_code == 302, (name, response.content.decode()[:300])

        copy = next(a for a in _download(phone)["assignments"] if a["id"] == on_phone.pk)
        people = dict(zip(("head", "child"), by_phone[1:], strict=True))
        sent = _send(phone, on_phone, **_phone_body(outcome, details, head_facts, people, copy))

        assert sent.status_code == 200, (name, sent.content)
        assert _rows(on_phone) == _rows(on_page) and _rows(on_phone)["outcome"][0] == outcome["kind"], name


@pytest.mark.django_db
def test_the_download_carries_the_villages_once_and_the_registrys_answers(phone, batch, surveyor, version):
    household, head, child = _family()
    Person = type(child)
    Person.objects.filter(pk=child.pk).update(disability_kinds=["sight"])
    assessment = _assigned(batch, surveyor, household)

    data = _download(phone)

    villages = data["choices"]["villages"]
    assert len(villages) > 10 and all(isinstance(pk, int) and "(" in label for pk, label in villages)
    assert "villages" not in json.dumps(data["assignments"])
    assert [value for value, _label in data["choices"]["outcomes"]] == list(Assessment.Outcome.values)
    assert "moved_kk" in {value for value, _label in data["choices"]["findings"]}
    copy = next(a for a in data["assignments"] if a["id"] == assessment.pk)
    # S01 "tidak tamat SD" (1), S02 "nelayan" (2), S04 one member disabled (3), as the online form
    assert copy["prefilled"] == {"S01": 1, "S02": 2, "S04": 3} and copy["answers"] == {}
    assert copy["head"] == {"id": head.pk, "education": "Tidak tamat SD", "occupation": "Nelayan"}
    assert copy["details"][str(child.pk)]["disability"] == ["sight"]
    assert copy["outcome"]["kind"] == "found"


@pytest.mark.django_db
@pytest.mark.parametrize("outcome, details, message", [
    ({"kind": "gone"}, None, "What did you find?: Select a valid choice"),
    ({"kind": "duplicate", "duplicate_kk": "6403059999999999"}, None, "No household has this KK number"),
    ({"kind": "moved", "moved_village": "TARGET", "moved_outside_place": "Samarinda"}, None, "not both"),
    ({"kind": "split", "splits": [{"kk": "6403050101990009", "head": None}]}, None,
     "Choose the head of the new household"),
    ({"kind": "split", "splits": [{}, {}, {}, {}]}, None, "At most 3 new households"),
    ({"kind": "found"}, {"CHILD": {"kk": "", "illness": ""}}, "Rudi Santoso, KK number of the new household: Enter"),
    ({"kind": "found"}, {"1": {"illness": ""}}, "not a member of this household"),
    ({"kind": "not_found", "note": ["a"]}, None, "not complete"),
])
def test_a_wrong_outcome_is_refused_with_the_reason_and_nothing_stored(phone, batch, surveyor, version, outcome,
                                                                       details, message):
    household, head, child = _family()
    assessment = _assigned(batch, surveyor, household)
    if outcome.get("moved_village") == "TARGET":
        outcome["moved_village"] = factories.village().pk
    copy = next(a for a in _download(phone)["assignments"] if a["id"] == assessment.pk)
    body = {"uuid": str(uuid.uuid4()), "base_version": copy["version"], "scorecard": version.number,
            "outcome": outcome}
    if details:
        body["details"] = {str(child.pk) if key == "CHILD" else key: item for key, item in details.items()}
        body["findings"] = {str(child.pk): "moved_kk"} if "CHILD" in details else {}

    response = _send(phone, assessment, **body)

    assert response.status_code == 400 and message in response.json()["error"]
    assessment.refresh_from_db()
    assert (assessment.status, assessment.outcome) == ("assigned", "found")
    assert not assessment.splits.exists() and not assessment.member_checks.exists()


@pytest.mark.django_db
def test_a_split_sent_twice_is_stored_once_and_a_stale_copy_shows_the_offices_outcome(
    phone, batch, surveyor, version
):
    household, head, child = _family()
    assessment = _assigned(batch, surveyor, household)
    copy = next(a for a in _download(phone)["assignments"] if a["id"] == assessment.pk)
    body = {"uuid": str(uuid.uuid4()), "base_version": copy["version"], "scorecard": version.number,
            "answers": all_answers(version, 2),
            "outcome": {"kind": "split", "splits": [{"kk": "6403050101990007", "head": child.pk}]},
            "details": {str(child.pk): {"split": "1"}}}
    first = _send(phone, assessment, **body)
    again = _send(phone, assessment, **body)

    assert first.status_code == 200 and again.json() == first.json()
    split = assessment.splits.get()
    assert (split.kk_number, [m.person for m in split.memberships.all()]) == ("6403050101990007", [child])
    stale = _send(phone, assessment, **{**body, "uuid": str(uuid.uuid4()), "outcome": {"kind": "found"}})
    assert stale.status_code == 409
    server = stale.json()["server"]
    assert server["outcome"]["kind"] == "split" and server["outcome"]["splits"][0]["head"] == child.pk
    assert server["details"][str(child.pk)]["split"] == "1"
    assert assessment.splits.count() == 1


# --- a household found in the field, registered on the phone -------------------------------------


def _field_body(batch_data, **household):
    return {
        "uuid": str(uuid.uuid4()),
        "household": {"kk_number": "", "address": "Kampung Baru RT 9", "village": batch_data["villages"][0],
                      **household},
        "members": [
            {"key": "k1", "full_name": "Yohanes Lung", "relationship": "head", "sex": "L", "birth_date": "1980-05-05"},
            {"key": "k2", "full_name": "Maria Lung", "relationship": "spouse", "sex": "P"},
            {"key": "k3"},  # an empty line, skipped as on the page
        ],
        "survey": {"scorecard": 2, "answers": {"H01": 1}, "findings": {"k2": "present"},
                   "details": {"k2": {"illness": "Asma", "disability": []}}, "notes": "Ditemukan dari tetangga"},
    }


def _field_send(client, batch, body):
    return client.post(reverse("verivali:offline_field_household", args=[batch.pk]), json.dumps(body),
                       content_type="application/json")


@pytest.mark.django_db
def test_a_household_found_in_the_field_is_registered_once_from_the_phone_with_its_survey(
    phone, client, batch, assignment, other_surveyor, version
):
    batch_data = next(b for b in _download(phone)["batches"] if b["id"] == batch.pk)
    body = _field_body(batch_data)
    body["survey"]["scorecard"] = version.number

    first = _field_send(phone, batch, body)
    again = _field_send(phone, batch, body)

    assert first.status_code == 200, first.content
    assert again.json() == first.json()
    new = Assessment.objects.get(source="field")
    assert first.json()["id"] == new.pk and (new.status, new.surveyor) == ("draft", assignment.surveyor)
    maria = new.household.members.get(full_name="Maria Lung")
    assert first.json()["members"] == {"k1": new.household.members.get(full_name="Yohanes Lung").pk, "k2": maria.pk}
    assert new.household.registry_status == "in_verification" and new.household.members.count() == 2
    assert new.answers.get(indicator__code="H01").value == 1 and new.notes == "Ditemukan dari tetangga"
    assert new.member_checks.get(person=maria).chronic_illness == "Asma"
    # the next download brings it as an assignment: photos and the finished survey follow as for any
    assert new.pk in {a["id"] for a in _download(phone)["assignments"]}
    client.force_login(other_surveyor)
    assert _field_send(client, batch, {**body, "uuid": str(uuid.uuid4())}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("change, message", [
    ({"members": [{"key": "k1", "full_name": "Yohanes Lung", "relationship": "child", "sex": "L"}]},
     "exactly one head"),
    ({"household": {"address": "Kampung Baru", "village": 1}}, "Village: Select a valid choice"),
    ({"household": {"address": "", "village": None}}, "Address: This field is required"),
    ({"members": [{"key": "k1", "full_name": "Yohanes Lung", "relationship": "head", "sex": "X"}]},
     "Yohanes Lung, Sex: Select a valid choice"),
    ({"survey": {"scorecard": 2, "answers": {"H01": 9}}}, "not one of the scorecard's options"),
])
def test_a_wrong_household_from_the_field_is_refused_with_the_reason_and_nothing_registered(
    phone, batch, assignment, version, change, message
):
    batch_data = next(b for b in _download(phone)["batches"] if b["id"] == batch.pk)
    households = Household.objects.count()

    response = _field_send(phone, batch, {**_field_body(batch_data), **change})

    assert response.status_code == 400 and message in response.json()["error"]
    assert Household.objects.count() == households and not Assessment.objects.filter(source="field").exists()
