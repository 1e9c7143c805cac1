"""Referrals fixtures: a listed person and a quick way to make a referral in any state."""

import pytest

from desks.models import Service
from referrals import services
from referrals.models import Referral
from tests import factories


@pytest.fixture
def listed_person(reference_data):
    household = factories.HouseholdFactory(
        registry_status="listed", registry_source="DTKS", registry_year=2015
    )
    return factories.PersonFactory(household=household, full_name="Siti Aminah Binti Ahmad")


@pytest.fixture
def make_referral(front_desk, listed_person):
    """make_referral("DINKES-BEROBAT", status="received") → a referral of that service in that state."""

    def make(code="DINKES-BEROBAT", *, status=None, person=None, created_by=None):
        case = services.case_open(
            person=person or listed_person,
            pathway="listed",
            decided_by=created_by or front_desk,
            services=[Service.objects.get(code=code)],
        )
        referral = case.referrals.get()
        if status is not None:
            extra = {"outcome": "granted", "outcome_detail": "x"} if status == "completed" else {}
            Referral.objects.filter(pk=referral.pk).update(status=status, **extra)
            referral.refresh_from_db()
        return referral

    return make


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Assertions read the English msgids; pages and services speak English in these tests."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sakti(reference_data):
    """A case worker (Sakti Peksos): the owner of the caseload."""
    return factories.user_with_role("case_worker", username="sakti", first_name="Sakti", last_name="Peksos")


@pytest.fixture
def other_case_worker(reference_data):
    return factories.user_with_role("case_worker", username="dewi", first_name="Dewi", last_name="Peksos")
