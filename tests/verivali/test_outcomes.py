"""Verivali outcomes that match the field, from the survey through validation and the decree to
the registry: registry status and history, household and person rows, member history, and the
proposals the ministry's monthly export carries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.images import process_image
from clients.models import (
    Household,
    MemberChange,
    NationalProposal,
    Person,
    Region,
    RegistryChange,
)
from clients.proposals import KIND_WORDS, export_rows, proposals_of_month
from pandu.models import AuditEvent
from tests import factories
from tests.verivali.conftest import all_answers, png_upload
from verivali import services
from verivali.models import Assessment, MemberCheck
from verivali.outcomes import MemberDetails, OutcomeReport, SplitPlan

Outcome = Assessment.Outcome


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _household(status="listed", members=("Budi Santoso",), **kwargs):
    household = factories.HouseholdFactory(registry_status=status, **kwargs)
    people = [
        factories.PersonFactory(
            household=household, full_name=name, sex="L" if index == 0 else "P",
            relationship=Person.Relationship.HEAD if index == 0 else Person.Relationship.CHILD,
            birth_date=datetime.date(1970 + 10 * min(index, 2), 1, 1 + index),
        )
        for index, name in enumerate(members)
    ]
    return household, people


def _assign(batch, household, surveyor):
    assessment = services.batch_add_household(batch=batch, household=household)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    return assessment


def _survey(assessment, surveyor, *, photo=True, **draft):
    services.survey_save_draft(
        assessment=assessment, surveyor=surveyor, answers=draft.pop("answers", {}),
        photos={"front": process_image(png_upload())} if photo else None, **draft,
    )
    return services.survey_submit(assessment=assessment, surveyor=surveyor)


def _approve(batch, head):
    return services.batch_approve(batch=batch, head=head, decree_number="188.45/99/2026",
                                  decree_date=timezone.localdate())


def _proposals(household):
    return list(NationalProposal.objects.filter(household=household).values_list("kind", "cause"))


def _exported_kinds(household):
    month = timezone.localdate().replace(day=1)
    return {row[2] for row in export_rows(proposals_of_month(month)) if row[5] == household.kk_number}


@pytest.mark.django_db
def test_not_found_moved_and_duplicate_through_validation_and_decree(batch, surveyor, validator, head, version):
    gone, _ = _household()
    inside, _ = _household()
    outside, _ = _household()
    twin, _ = _household(status="in_verification")
    original, original_people = _household(members=("Budi Santoso",))
    target = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(pk=factories.village().pk).first()

    not_found = _assign(batch, gone, surveyor)
    # Not found needs what the surveyor found, and no scorecard.
    services.survey_save_draft(assessment=not_found, surveyor=surveyor, answers={},
                               photos={"front": process_image(png_upload())},
                               outcome=OutcomeReport(outcome=Outcome.NOT_FOUND))
    with pytest.raises(ValidationError, match="write what you found"):
        services.survey_submit(assessment=not_found, surveyor=surveyor)
    _survey(not_found, surveyor, outcome=OutcomeReport(outcome=Outcome.NOT_FOUND,
                                                       note="Rumah kosong sejak 2025"))
    moved_in = _survey(_assign(batch, inside, surveyor), surveyor, outcome=OutcomeReport(
        outcome=Outcome.MOVED, moved_village=target, moved_address="Jl. Murjani II No. 5"))
    # Outside Berau: the place in words, and one of the two only; some answers (those pre-filled
    # from the registry) do not make a score.
    moved_out = _assign(batch, outside, surveyor)
    with pytest.raises(ValidationError, match="one of the two"):
        _survey(moved_out, surveyor, outcome=OutcomeReport(
            outcome=Outcome.MOVED, moved_outside_place="Samarinda", moved_village=target, moved_address="x"))
    moved_out = _survey(moved_out, surveyor, answers={"S01": 2, "S02": 1}, outcome=OutcomeReport(
        outcome=Outcome.MOVED, moved_outside_place="Samarinda"))
    duplicate = _survey(_assign(batch, twin, surveyor), surveyor, photo=False,
                        outcome=OutcomeReport(outcome=Outcome.DUPLICATE, duplicate_of=original))
    for assessment in (not_found, moved_in, moved_out, duplicate):
        assessment.refresh_from_db()
        assert assessment.status == "submitted" and assessment.score is None
        services.assessment_validate(assessment=assessment, validator=validator)

    page_client = _client_for(validator)
    page = page_client.get(reverse("verivali:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-outcome="not_found"><span class="badge bg-danger">' in page
    detail = page_client.get(reverse("verivali:assessment_detail", args=[duplicate.pk])).content.decode()
    assert original.kk_number in detail and reverse("clients:household_detail", args=[original.pk]) in detail

    _approve(batch, head)
    for household in (gone, inside, outside, twin, original):
        household.refresh_from_db()
    assert gone.registry_status == "not_listed"
    assert "Rumah kosong" in RegistryChange.objects.filter(household=gone).latest("pk").reason
    assert _proposals(gone) == [("deactivation", "verivali")]
    assert (inside.village, inside.address, inside.rt, inside.registry_status) == (
        target, "Jl. Murjani II No. 5", "", "listed")
    assert _proposals(inside) == [("correction", "verivali")]
    assert AuditEvent.objects.filter(summary__startswith="changed household", object_id=str(inside.pk)).exists()
    assert outside.registry_status == "not_listed" and outside.village != target
    assert "Samarinda" in RegistryChange.objects.filter(household=outside).latest("pk").reason
    assert _proposals(outside) == [("correction", "verivali")]
    # A duplicate points to the other household; its persons are left to the duplicate review.
    assert twin.registry_status == "not_listed"
    assert original.kk_number in RegistryChange.objects.filter(household=twin).latest("pk").reason
    assert _proposals(twin) == []  # never known to the national registry
    assert original.registry_status == "listed" and original.members.count() == 1
    # The ministry's export carries each as remove / update.
    assert _exported_kinds(gone) == {KIND_WORDS["deactivation"]}
    assert _exported_kinds(inside) == {KIND_WORDS["correction"]}


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_split_makes_the_new_households_with_their_members_and_member_findings_use_the_upkeep_services(
    batch, surveyor, validator, head, version
):
    household, (father, mother, son, daughter) = _household(
        members=("Budi Santoso", "Ani", "Rudi", "Sari"))
    other, _ = _household()
    assessment = _assign(batch, household, surveyor)
    died = datetime.date(2026, 3, 1)
    born = timezone.localdate() - datetime.timedelta(days=30)
    # The daughter married into another KK, the son leaves with a new KK, the mother died.
    split = SplitPlan(kk_number="6403050101990001", head_id=son.pk, member_ids=(son.pk,))
    _survey(assessment, surveyor, answers=all_answers(version, 1),
            outcome=OutcomeReport(outcome=Outcome.SPLIT, splits=(split,)),
            member_findings={mother.pk: "deceased", daughter.pk: "moved_kk"},
            member_details={mother.pk: MemberDetails(on=died),
                            daughter.pk: MemberDetails(to_household=other, relationship="spouse")},
            newborn={"full_name": "Bayi Santoso", "sex": "L", "birth_date": born})
    assessment.refresh_from_db()
    assert (assessment.score, assessment.welfare_class) == (16, "very_poor")
    services.assessment_validate(assessment=assessment, validator=validator)

    # Validation: the members' changes, each with its history and proposal, as at the desk.
    for person in (mother, daughter):
        person.refresh_from_db()
    assert (mother.life_status, mother.died_on) == ("deceased", died)
    assert daughter.household == other and daughter.relationship == "spouse"
    baby = Person.objects.get(full_name="Bayi Santoso")
    assert baby.household == household and baby.nik is None
    assert set(MemberChange.objects.filter(person__in=[mother, daughter, baby]).values_list("kind", flat=True)) == {
        "death", "move", "birth"}
    assert set(NationalProposal.objects.values_list("cause", "kind")) == {
        ("death", "deactivation"), ("move", "correction"), ("birth", "new")}

    _approve(batch, head)
    household.refresh_from_db()
    new = Household.objects.get(kk_number="6403050101990001")
    son.refresh_from_db()
    assert son.household == new and son.relationship == "head"
    assert MemberChange.objects.filter(person=son, kind="split", to_household=new).exists()
    assert new.registry_status == "in_verification" and new.village == household.village
    assert _proposals(new) == [("new", "split")]
    assert household.registry_status == "listed"  # the household that stays, scored very poor
    assert ("correction", "verivali") in _proposals(household)
    assert assessment.splits.get().household == new
    assert _exported_kinds(new) == {KIND_WORDS["new"]}


@pytest.mark.django_db
def test_a_newborn_without_a_date_of_birth_waits_in_the_draft(assignment, surveyor, version):
    services.survey_save_draft(assessment=assignment, surveyor=surveyor, answers=all_answers(version),
                               photos={"front": process_image(png_upload())})
    MemberCheck.objects.create(assessment=assignment, finding="born", full_name="Bayi Tanpa Tanggal", sex="L")
    with pytest.raises(ValidationError, match="Bayi Tanpa Tanggal needs a date of birth"):
        services.survey_submit(assessment=assignment, surveyor=surveyor)
    MemberCheck.objects.filter(full_name="Bayi Tanpa Tanggal").update(
        birth_date=timezone.localdate() - datetime.timedelta(days=20))
    assert services.survey_submit(assessment=assignment, surveyor=surveyor).status == "submitted"


@pytest.mark.django_db
def test_a_split_is_refused_when_everyone_leaves_or_the_kk_is_taken(batch, surveyor, version):
    household, (father, son) = _household(members=("Budi Santoso", "Rudi"))
    assessment = _assign(batch, household, surveyor)
    everyone = SplitPlan(kk_number="6403050101990002", head_id=son.pk, member_ids=(father.pk, son.pk))
    with pytest.raises(ValidationError, match="at least one member stays"):
        _survey(assessment, surveyor, outcome=OutcomeReport(outcome=Outcome.SPLIT, splits=(everyone,)))
    taken = SplitPlan(kk_number=factories.HouseholdFactory().kk_number, head_id=son.pk, member_ids=(son.pk,))
    with pytest.raises(ValidationError, match="already registered"):
        _survey(assessment, surveyor, outcome=OutcomeReport(outcome=Outcome.SPLIT, splits=(taken,)))
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


@pytest.mark.django_db
def test_a_new_household_found_in_the_field_is_surveyed_validated_and_listed(
    client, batch, assignment, surveyor, other_surveyor, validator, head, version
):
    url = reverse("verivali:field_household", args=[batch.pk])
    client.force_login(other_surveyor)  # no assignment in this batch
    assert client.get(url).status_code == 404
    client.force_login(validator)
    assert client.get(url).status_code == 403
    client.force_login(surveyor)
    assert reverse("verivali:field_household", args=[batch.pk]) in client.get(reverse("verivali:mine")).content.decode()
    form = {"village": factories.village().pk, "address": "Kampung Baru RT 9", "kk_number": "",
            "members-TOTAL_FORMS": "6", "members-INITIAL_FORMS": "0",
            "members-0-full_name": "Yohanes Lung", "members-0-relationship": "head", "members-0-sex": "L",
            "members-0-birth_date": "1980-05-05",
            "members-1-full_name": "Maria Lung", "members-1-relationship": "head", "members-1-sex": "P"}
    response = client.post(url, form)
    assert "exactly one head" in response.content.decode()
    response = client.post(url, {**form, "members-1-relationship": "spouse"})
    new = Assessment.objects.get(source="field")
    assert response.status_code == 302 and response.url == reverse("verivali:survey", args=[new.pk])
    household = new.household
    assert household.registry_status == "in_verification" and household.kk_number is None
    assert sorted(household.members.values_list("full_name", flat=True)) == ["Maria Lung", "Yohanes Lung"]
    assert new.surveyor == surveyor and new.status == "assigned"

    _survey(new, surveyor, answers=all_answers(version, 2))
    client.force_login(validator)
    queue = client.get(reverse("verivali:batch_list")).content.decode()
    assert "Kampung Baru RT 9" in queue and 'data-testid="new-household"' in queue
    services.assessment_validate(assessment=new, validator=validator)
    page = client.get(reverse("verivali:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="new-household"' in page
    assert 'data-outcome="new"><span class="badge bg-primary">' in page
    _approve(batch, head)
    household.refresh_from_db()
    assert household.registry_status == "listed"
    assert _proposals(household) == [("new", "verivali")]
    assert len([row for row in export_rows(proposals_of_month(timezone.localdate().replace(day=1)))
                if row[7] in ("Maria Lung", "Yohanes Lung") and row[2] == KIND_WORDS["new"]]) == 2


@pytest.mark.django_db
def test_the_survey_form_is_prefilled_from_the_registry_and_corrections_are_written_back_on_validation(
    client, assignment, surveyor, validator, version
):
    head = assignment.household.members.get(relationship="head")
    child = assignment.household.members.get(relationship="child")
    Person.objects.filter(pk=head.pk).update(education="Tidak tamat SD", occupation="Nelayan")
    Person.objects.filter(pk=child.pk).update(disability_kinds=["sight"], chronic_illness="")
    client.force_login(surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert 'value="Tidak tamat SD"' in page and 'value="Nelayan"' in page
    # S01 "tidak sekolah/tidak tamat SD" (1), S02 "petani/nelayan" (2), S04 one member (3)
    for checked in ('id="id_q_S01_0" value="1" checked', 'id="id_q_S02_1" value="2" checked',
                    'id="id_q_S04_2" value="3" checked'):
        assert checked in page
    assert 'data-testid="prefilled"' in page and "Questions 12, 13, 15 are answered" in page
    # The surveyor finds the head out of work and the child also chronically ill.
    data = {f"q_{code}": "2" for code in all_answers(version)}
    data.update({f"m_{head.pk}": "present", f"m_{child.pk}": "present", "outcome": "found",
                 "head_education": "Tidak tamat SD", "head_occupation": "Tidak bekerja",
                 f"ill_{head.pk}": "", f"ill_{child.pk}": "Asma", f"dis_{child.pk}": ["sight"],
                 "photo_front": png_upload(), "submit_survey": "1"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    head.refresh_from_db()
    assert head.occupation == "Nelayan"  # written back only when validated
    services.assessment_validate(assessment=assignment, validator=validator)
    head.refresh_from_db()
    child.refresh_from_db()
    assert (head.education, head.occupation) == ("Tidak tamat SD", "Tidak bekerja")
    assert (child.chronic_illness, child.disability_kinds) == ("Asma", ["sight"])
    assert AuditEvent.objects.filter(summary=f"changed person {head.pk}", user=validator).exists()


@pytest.mark.django_db
def test_member_moved_to_an_unknown_kk_and_a_new_household_kk_are_refused_with_clear_errors(
    client, assignment, surveyor
):
    child = assignment.household.members.get(relationship="child")
    client.force_login(surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    response = client.post(url, {f"m_{child.pk}": "moved_kk", f"mkk_{child.pk}": "6403059999999999",
                                 "outcome": "duplicate", "duplicate_kk": assignment.household.kk_number,
                                 "save_draft": "1"})
    page = response.content.decode()
    assert "No household has this KK number" in page
    assert "surveyed household&#x27;s own KK number" in page
    assert not MemberCheck.objects.filter(assessment=assignment).exists()


@pytest.mark.django_db
def test_the_survey_form_saves_a_split_and_a_member_moved_to_a_registered_kk(client, assignment, surveyor):
    head = assignment.household.members.get(relationship="head")
    child = assignment.household.members.get(relationship="child")
    other = factories.HouseholdFactory()
    client.force_login(surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert 'name="split_1_kk"' in page and f'name="split_to_{child.pk}"' in page
    response = client.post(url, {
        "outcome": "split", "split_1_kk": "6403 0501 0199 0005", "split_1_head": str(child.pk),
        f"split_to_{child.pk}": "1", f"m_{head.pk}": "present", f"m_{child.pk}": "present", "save_draft": "1"})
    assert response.status_code == 302
    split = assignment.splits.get()
    assert (split.kk_number, split.head, [m.person for m in split.memberships.all()]) == (
        "6403050101990005", child, [child])
    # A head not leaving into the household, and a member moved to a registered KK.
    response = client.post(url, {
        "outcome": "split", "split_1_kk": "6403050101990005", f"m_{head.pk}": "present",
        f"m_{child.pk}": "moved_kk", f"mkk_{child.pk}": other.kk_number, f"mrel_{child.pk}": "spouse",
        "save_draft": "1"})
    assert "Choose the head of the new household." in response.content.decode()
    client.post(url, {
        "outcome": "found", f"m_{head.pk}": "present", f"m_{child.pk}": "moved_kk",
        f"mkk_{child.pk}": other.kk_number, f"mrel_{child.pk}": "spouse", "save_draft": "1"})
    check = MemberCheck.objects.get(assessment=assignment, person=child)
    assert (check.finding, check.to_household, check.relationship) == ("moved_kk", other, "spouse")
    assert not assignment.splits.exists()  # found: the split written before is dropped
