"""A surveyor sees the households of their open survey work, and of those only their own
surveys: not another surveyor's breakdown, and nothing once the survey is validated."""

import datetime

import pytest
from django.urls import reverse

from clients.models import Region
from tests.verivali.conftest import submitted
from verivali import services
from verivali.models import Assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier_survey(household, other_surveyor, validator, version):
    """Last year's survey of the same household, by another surveyor, validated."""
    earlier = services.batch_create(
        name="Verivali 2025", code="VV-2025-1", period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31), kecamatan=[Region.objects.get(code="64.03.05")],
        created_by=validator,
    )
    assessment = services.batch_add_household(batch=earlier, household=household)
    services.assignments_assign(batch=earlier, surveyor=other_surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    submitted(assessment, other_surveyor, version, value=1)
    return services.assessment_validate(assessment=assessment, validator=validator)


def test_the_surveyor_sees_their_own_survey_not_another_surveyors(
    client, surveyor, assignment, earlier_survey
):
    client.force_login(surveyor)
    page = client.get(reverse("clients:household_detail", args=[assignment.household_id]))
    assert page.status_code == 200
    assert reverse("verivali:assessment_detail", args=[assignment.pk]) in page.text
    assert "Verivali 2025" not in page.text
    assert reverse("verivali:assessment_detail", args=[earlier_survey.pk]) not in page.text
    assert client.get(reverse("verivali:assessment_detail", args=[earlier_survey.pk])).status_code == 404


def test_the_household_closes_to_the_surveyor_once_the_survey_is_validated(
    client, surveyor, validator, assignment, version
):
    member = assignment.household.members.first()
    client.force_login(surveyor)
    assert client.get(reverse("clients:person_detail", args=[member.pk])).status_code == 200

    services.assessment_validate(assessment=submitted(assignment, surveyor, version), validator=validator)
    assert Assessment.objects.get(pk=assignment.pk).status == Assessment.Status.VALIDATED
    assert client.get(reverse("clients:household_detail", args=[assignment.household_id])).status_code == 404
    assert client.get(reverse("clients:person_detail", args=[member.pk])).status_code == 404
