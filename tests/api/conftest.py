"""API fixtures: tokens for Dinas Kesehatan and Dinas Pendidikan, a client that sends one, and
referrals to each."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api import services as api_services
from desks.models import Service
from referrals import services
from tests import factories


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The rate limit counts in the cache: each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dinkes_token(dinkes):
    return api_services.token_create(provider=dinkes)


@pytest.fixture
def disdik_token(disdik):
    return api_services.token_create(provider=disdik)


def client_for(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def api(dinkes_token):
    return client_for(dinkes_token.secret)


@pytest.fixture
def listed_person(reference_data):
    household = factories.HouseholdFactory(registry_status="listed", registry_source="DTKS", registry_year=2015)
    return factories.PersonFactory(household=household, full_name="Siti Aminah Binti Ahmad")


@pytest.fixture
def make_referral(front_desk, listed_person):
    def make(code="DINKES-BEROBAT", *, person=None):
        case = services.case_open(person=person or listed_person, pathway="listed", decided_by=front_desk,
                                  services=[Service.objects.get(code=code)])
        return case.referrals.get()

    return make
