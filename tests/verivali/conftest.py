"""Verivali's people: two surveyors (the owner and the outsider), the validator, the head;
a batch with one household assigned to the first surveyor."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clients.models import Region
from tests import factories
from verivali import services
from verivali.models import ScorecardVersion


@pytest.fixture
def version(reference_data):
    """The current version: version 2, the paper's scorecard with its gaps answered."""
    return ScorecardVersion.objects.get(is_current=True)


@pytest.fixture
def paper_version(reference_data):
    """Version 1, the scorecard as the paper prints it."""
    return ScorecardVersion.objects.get(number=1)


@pytest.fixture
def surveyor(reference_data):
    return factories.user_with_role("surveyor", username="andi", first_name="Andi")


@pytest.fixture
def other_surveyor(reference_data):
    return factories.user_with_role("surveyor", username="maria", first_name="Maria")


@pytest.fixture
def validator(reference_data):
    return factories.user_with_role("validator", username="sri", first_name="Sri")


@pytest.fixture
def household(reference_data):
    household = factories.HouseholdFactory(registry_status="in_verification")
    factories.PersonFactory(household=household, full_name="Siti Aminah")
    factories.PersonFactory(
        household=household, full_name="Nayla Putri", relationship="child", sex="P"
    )
    return household


@pytest.fixture
def batch(reference_data, validator):
    return services.batch_create(
        name="Verivali September–Desember 2026",
        code="VV-2026-9",
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 12, 31),
        kecamatan=[Region.objects.get(code="64.03.05")],
        created_by=validator,
    )


@pytest.fixture
def assignment(batch, household, surveyor):
    assessment = services.batch_add_household(batch=batch, household=household)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    return assessment


def png_upload(name="house.png", colour=(30, 120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def all_answers(version, value=2) -> dict[str, int]:
    return {code: value for code in version.indicators.values_list("code", flat=True)}


def submitted(assessment, surveyor, version, value=2):
    """Fill every answer with ``value``, add a photo and submit."""
    from clients.images import process_image

    services.survey_save_draft(
        assessment=assessment,
        surveyor=surveyor,
        answers=all_answers(version, value),
        photos={"front": process_image(png_upload())},
    )
    return services.survey_submit(assessment=assessment, surveyor=surveyor)


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English (the msgids); pages still speak Indonesian per request."""
    from django.utils import translation

    with translation.override("en"):
        yield
