"""The verivali workflow: batch → assignment → draft → submit → return → resubmit → validate → decree."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from clients.images import process_image
from clients.models import Household, NationalProposal, Person, RegistryChange
from clients.selectors import persons_for_user
from tests import factories
from tests.verivali.conftest import all_answers, png_upload, submitted
from verivali import outcomes, selectors, services
from verivali.models import Assessment, Batch, MemberCheck

SK = {"decree_number": "188.45/321/DINSOS/2026", "decree_date": datetime.date(2026, 12, 20)}


@pytest.mark.django_db
def test_households_enter_from_complaints_registry_or_one_by_one(batch, household):
    listed = factories.HouseholdFactory(registry_status="listed", registry_source="PPLS2011")
    elsewhere = factories.HouseholdFactory(
        village=factories.village("64.03.01.2001"), registry_status="in_verification"
    )
    assert services.batch_add_from(batch=batch, source="complaint") == 1
    assert services.batch_add_from(batch=batch, source="complaint") == 0  # idempotent
    assert services.batch_add_from(batch=batch, source="registry") == 1
    services.batch_add_household(batch=batch, household=elsewhere)
    sources = dict(batch.assessments.values_list("household_id", "source"))
    assert sources == {household.pk: "complaint", listed.pk: "registry", elsewhere.pk: "manual"}
    with pytest.raises(ValidationError, match="already in the batch"):
        services.batch_add_household(batch=batch, household=elsewhere)


@pytest.mark.django_db
def test_assigning_a_village_gives_its_waiting_households_to_the_surveyor(
    batch, household, surveyor
):
    services.batch_add_from(batch=batch, source="complaint")
    count = services.assignments_assign(batch=batch, surveyor=surveyor, village=household.village)
    assert count == 1
    batch.refresh_from_db()
    assert batch.status == Batch.Status.ACTIVE
    assert batch.assessments.get().status == Assessment.Status.ASSIGNED


@pytest.mark.django_db
def test_only_a_surveyor_can_be_assigned(batch, household, validator):
    services.batch_add_from(batch=batch, source="complaint")
    with pytest.raises(ValidationError, match="not a surveyor"):
        services.assignments_assign(batch=batch, surveyor=validator, village=household.village)


@pytest.mark.django_db
def test_a_draft_keeps_what_was_saved_and_submit_needs_every_answer(assignment, surveyor, version):
    partial = dict(list(all_answers(version, 3).items())[:10])
    services.survey_save_draft(
        assessment=assignment, surveyor=surveyor, answers=partial, notes="Rumah kayu"
    )
    assignment.refresh_from_db()
    assert assignment.status == Assessment.Status.DRAFT
    assert assignment.version == version
    with pytest.raises(ValidationError, match="Answer every question"):
        services.survey_submit(assessment=assignment, surveyor=surveyor)
    assert len(selectors.assessment_answers(assignment)) == 10
    assert Assessment.objects.get(pk=assignment.pk).notes == "Rumah kayu"


@pytest.mark.django_db
def test_submit_needs_a_photo(assignment, surveyor, version):
    services.survey_save_draft(
        assessment=assignment, surveyor=surveyor, answers=all_answers(version)
    )
    with pytest.raises(ValidationError, match="photo"):
        services.survey_submit(assessment=assignment, surveyor=surveyor)


@pytest.mark.django_db
def test_submit_stores_score_class_and_version(assignment, surveyor, version):
    assessment = submitted(assignment, surveyor, version, value=2)
    assert (assessment.score, assessment.welfare_class, assessment.version) == (
        32,
        "very_poor",
        version,
    )
    result = selectors.assessment_result(assessment)
    assert len(result.lines) == 16 and result.score == 32


@pytest.mark.django_db
def test_a_returned_survey_goes_back_and_can_be_fixed_and_resubmitted(
    assignment, surveyor, validator, version
):
    submitted(assignment, surveyor, version, value=2)
    with pytest.raises(ValidationError):
        services.survey_save_draft(
            assessment=assignment, surveyor=surveyor, answers={}
        )  # submitted: closed
    with pytest.raises(ValidationError, match="Write what"):
        services.assessment_return(assessment=assignment, validator=validator, note="  ")
    services.assessment_return(assessment=assignment, validator=validator, note="Foto kurang jelas")
    assignment.refresh_from_db()
    assert (
        assignment.status == Assessment.Status.RETURNED
        and assignment.return_note == "Foto kurang jelas"
    )
    services.survey_save_draft(
        assessment=assignment,
        surveyor=surveyor,
        answers=all_answers(version, 3),
        photos={"front": process_image(png_upload(colour=(200, 10, 10)))},
    )
    assessment = services.survey_submit(assessment=assignment, surveyor=surveyor)
    assert (assessment.status, assessment.score, assessment.welfare_class) == (
        "submitted",
        48,
        "near_poor",
    )
    assert assessment.photos.count() == 1
    assessment = services.assessment_validate(assessment=assessment, validator=validator)
    assert assessment.status == Assessment.Status.VALIDATED
    with pytest.raises(ValidationError, match="not waiting for review"):
        services.assessment_validate(assessment=assessment, validator=validator)


@pytest.mark.django_db
def test_another_surveyor_cannot_save_the_survey(assignment, other_surveyor, version):
    with pytest.raises(ValidationError, match="another surveyor"):
        services.survey_save_draft(
            assessment=assignment, surveyor=other_surveyor, answers=all_answers(version)
        )


@pytest.mark.django_db
def test_member_findings_apply_to_persons_when_validated(
    assignment, surveyor, validator, version, household
):
    child = household.members.get(full_name="Nayla Putri")
    services.survey_save_draft(
        assessment=assignment,
        surveyor=surveyor,
        answers=all_answers(version),
        member_findings={child.pk: MemberCheck.Finding.MOVED},
        newborn={"full_name": "Bayi Aminah", "sex": "P", "birth_date": datetime.date(2026, 10, 1)},
        photos={"family": process_image(png_upload())},
    )
    services.survey_submit(assessment=assignment, surveyor=surveyor)
    assert (
        Person.objects.get(pk=child.pk).life_status == Person.LifeStatus.ACTIVE
    )  # not before validation
    services.assessment_validate(assessment=assignment, validator=validator)
    assert Person.objects.get(pk=child.pk).life_status == Person.LifeStatus.MOVED
    baby = household.members.get(full_name="Bayi Aminah")
    assert baby.nik is None and baby.no_nik_reason


@pytest.mark.django_db
def test_approval_lists_poor_households_and_unlists_the_not_poor(
    batch, household, surveyor, validator, head, version
):
    rich = factories.HouseholdFactory(
        registry_status="listed", registry_source="PPLS2011", registry_year=2011
    )
    services.batch_add_household(batch=batch, household=household)
    services.batch_add_household(batch=batch, household=rich)
    services.assignments_assign(batch=batch, surveyor=surveyor, village=household.village)
    poor_a, rich_a = (
        batch.assessments.get(household=household),
        batch.assessments.get(household=rich),
    )
    submitted(poor_a, surveyor, version, value=2)
    submitted(rich_a, surveyor, version, value=4)
    for a in (poor_a, rich_a):
        services.assessment_validate(assessment=a, validator=validator)
    services.batch_approve(batch=batch, head=head, **SK)
    household.refresh_from_db()
    rich.refresh_from_db()
    assert (household.registry_status, household.registry_source, household.registry_year) == (
        "listed",
        "VERIVALI:VV-2026-9",
        2026,
    )
    assert (rich.registry_status, rich.registry_source) == ("not_listed", "VERIVALI:VV-2026-9")
    change = RegistryChange.objects.get(household=rich)
    assert change.from_status == "listed" and change.to_status == "not_listed"
    # the national registry is told: the poor household enters, the rich one leaves
    proposals = dict(NationalProposal.objects.filter(cause="verivali").values_list("household", "kind"))
    assert proposals == {household.pk: "new", rich.pk: "deactivation"}
    assert "188.45/321/DINSOS/2026" in change.reference and str(rich_a.pk) in change.reference
    assert set(batch.assessments.values_list("status", flat=True)) == {"approved"}
    batch.refresh_from_db()
    assert batch.status == "approved" and batch.decree_number == SK["decree_number"]
    with pytest.raises(ValidationError, match="approved"):
        services.batch_approve(batch=batch, head=head, **SK)


@pytest.mark.django_db
def test_approval_is_all_or_nothing(batch, surveyor, validator, head, version, monkeypatch):
    households = [factories.HouseholdFactory(registry_status="in_verification") for _ in range(3)]
    for h in households:
        services.batch_add_household(batch=batch, household=h)
    services.assignments_assign(batch=batch, surveyor=surveyor, village=households[0].village)
    for a in batch.assessments.all():
        submitted(a, surveyor, version, value=2)
        services.assessment_validate(assessment=a, validator=validator)

    real = outcomes.household_set_registry_status
    calls = []

    def failing_in_the_middle(**kwargs):
        calls.append(kwargs["household"].pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(outcomes, "household_set_registry_status", failing_in_the_middle)
    with pytest.raises(RuntimeError):
        services.batch_approve(batch=batch, head=head, **SK)
    assert len(calls) == 2
    assert set(
        Household.objects.filter(pk__in=[h.pk for h in households]).values_list(
            "registry_status", flat=True
        )
    ) == {"in_verification"}
    assert not RegistryChange.objects.exists()
    assert set(batch.assessments.values_list("status", flat=True)) == {"validated"}
    assert Batch.objects.get(pk=batch.pk).status != "approved"


@pytest.mark.django_db
def test_approval_needs_a_validated_survey(batch, head):
    with pytest.raises(ValidationError, match="validate surveys"):
        services.batch_approve(batch=batch, head=head, **SK)


@pytest.mark.django_db
def test_surveyor_sees_only_persons_of_households_assigned_to_them(
    assignment, surveyor, other_surveyor, household
):
    stranger = factories.PersonFactory(full_name="Orang Lain")
    mine = set(persons_for_user(surveyor).values_list("pk", flat=True))
    assert mine == set(household.members.values_list("pk", flat=True))
    assert stranger.pk not in mine
    assert not persons_for_user(other_surveyor).exists()


@pytest.mark.django_db
def test_progress_counts_per_kecamatan(assignment, surveyor, validator, version, batch):
    submitted(assignment, surveyor, version)
    services.assessment_return(assessment=assignment, validator=validator, note="x")
    rows = selectors.batch_progress(batch)
    assert [row["kecamatan"] for row in rows] == ["TANJUNG REDEB", None]
    assert {
        k: rows[-1][k]
        for k in ("total", "assigned", "surveyed", "validated", "returned", "approved")
    } == {"total": 1, "assigned": 1, "surveyed": 1, "validated": 0, "returned": 1, "approved": 0}


@pytest.mark.django_db
def test_whatif_counts_households_that_would_move(assignment, surveyor, version, batch, validator):
    submitted(assignment, surveyor, version, value=2)  # 32: very poor
    copy = services.version_copy(version=version)
    services.band_update(band=copy.bands.get(welfare_class="very_poor"), min_score=16, max_score=30)
    services.band_update(band=copy.bands.get(welfare_class="poor"), min_score=31, max_score=40)
    result = selectors.whatif(copy)
    assert result.households == 1 and result.moved == 1
    assert result.matrix["very_poor"]["poor"] == 1
    assert result.by_kecamatan[0]["moved"] == 1 and result.by_kecamatan[0]["less_poor"] == 1
    same = selectors.whatif(version)
    assert same.moved == 0 and same.matrix["very_poor"]["very_poor"] == 1


@pytest.mark.django_db
def test_household_assessments_show_score_breakdown_and_photos(
    assignment, surveyor, version, household
):
    submitted(assignment, surveyor, version, value=1)
    [item] = selectors.household_assessments(household)
    assert item.assessment.score == 16 and item.result.welfare_class == "very_poor"
    assert len(item.result.lines) == 16 and len(item.photos) == 1


@pytest.mark.django_db
def test_seed_demo_makes_assessments_in_every_state(reference_data):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--households", "14", stdout=StringIO())
    assert set(Assessment.objects.values_list("status", flat=True)) == set(Assessment.Status.values)
    assert Household.objects.filter(registry_source__startswith="VERIVALI:").exists()
    assert Assessment.objects.filter(source="field", status="submitted").exists()  # found in the field
