"""A decree that settles a household's registry status resolves the complaint that asked for it."""

import datetime

import pytest

from clients import services as client_services
from clients.models import Complaint, ComplaintDeadline
from tests import factories
from tests.verivali.conftest import submitted
from verivali import services

SK = {"decree_number": "188.45/321/DINSOS/2026", "decree_date": datetime.date(2026, 12, 20)}


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dani")


def _complaint(household, officer, kind="not_in_database"):
    return client_services.complaint_file(kind=kind, description="Rumah papan.", household=household,
                                          received_by=officer)


@pytest.mark.django_db
def test_the_decree_resolves_the_households_open_complaint_with_its_number_and_date(
    batch, household, surveyor, validator, head, version, data_officer
):
    settled = _complaint(household, data_officer)
    client_services.complaint_set_status(complaint=settled, status="in_progress", officer=data_officer)
    wrong_data = _complaint(household, data_officer, kind="wrong_data")  # a decree does not fix a name
    waiting = factories.HouseholdFactory(registry_status="not_listed")  # in the batch, survey not validated
    elsewhere = factories.HouseholdFactory(registry_status="not_listed")  # not in the batch
    waiting_complaint, elsewhere_complaint = _complaint(waiting, data_officer), _complaint(elsewhere, data_officer)

    assessment = services.batch_add_household(batch=batch, household=household)
    services.batch_add_household(batch=batch, household=waiting)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    submitted(assessment, surveyor, version, value=2)
    services.assessment_validate(assessment=assessment, validator=validator)
    services.batch_approve(batch=batch, head=head, **SK)

    settled.refresh_from_db()
    assert settled.status == Complaint.Status.RESOLVED and settled.resolved_by == head
    assert "188.45/321/DINSOS/2026" in settled.resolution and "20-12-2026" in settled.resolution
    assert "listed" in settled.resolution
    last = settled.events.last()
    assert (last.from_status, last.to_status, last.by) == ("in_progress", "resolved", head)
    assert "188.45/321/DINSOS/2026" in last.note
    for other in (wrong_data, waiting_complaint, elsewhere_complaint):
        other.refresh_from_db()
        assert other.status == Complaint.Status.OPEN, other.number


@pytest.mark.django_db
def test_the_administrator_decides_which_kinds_a_decree_settles(
    batch, household, surveyor, validator, head, version, data_officer
):
    ComplaintDeadline.objects.filter(kind="not_in_database").update(settled_by_decree=False)
    ComplaintDeadline.objects.filter(kind="wrong_data").update(settled_by_decree=True)
    not_in_db, wrong_data = _complaint(household, data_officer), _complaint(household, data_officer, "wrong_data")
    assessment = services.batch_add_household(batch=batch, household=household)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    submitted(assessment, surveyor, version, value=2)
    services.assessment_validate(assessment=assessment, validator=validator)
    services.batch_approve(batch=batch, head=head, **SK)
    not_in_db.refresh_from_db()
    wrong_data.refresh_from_db()
    assert (not_in_db.status, wrong_data.status) == ("open", "resolved")
