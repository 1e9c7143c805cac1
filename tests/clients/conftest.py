"""A person the office knows well, for the data subject request: photos, a PMKS category, a
resolved complaint, a finished visit with a note, a completed referral with a scanned document,
a verivali survey approved by decree, and who opened the record."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients import services as client_services
from clients.models import Complaint, Household, Person, PMKSCategory, Region, RegistryStatus
from desks import services as desk_services
from desks.models import Desk, Service
from pandu.audit import audit_record
from referrals import services as referral_services
from referrals.models import Referral, ReferralAttachment
from tests import factories
from tests.verivali.conftest import png_upload, submitted
from verivali import services as verivali_services
from verivali.models import Assessment, ScorecardVersion

PDF = b"%PDF-1.4 scan of a KTP"


@dataclass
class Subject:
    person: Person
    spouse: Person
    household: Household
    complaint: Complaint
    referral: Referral
    attachment: ReferralAttachment
    assessment: Assessment


@pytest.fixture
def data_officer(reference_data):
    return factories.user_with_role("data_officer", username="dani")


@pytest.fixture
def subject(reference_data, front_desk, data_officer, head, alice) -> Subject:
    household = factories.HouseholdFactory(registry_status=RegistryStatus.NOT_LISTED)
    person = factories.PersonFactory(
        household=household, full_name="Yohana Lawing", birth_place="Long Lanuk", phone="081234567890",
        disability="Tuna daksa", chronic_illness="Diabetes", occupation="Petani",
        birth_date=datetime.date(1984, 6, 23),
    )
    spouse = factories.PersonFactory(household=household, full_name="Markus Lawing", sex="L", relationship="spouse",
                                     birth_date=datetime.date(1980, 1, 5))
    person.pmks_categories.set(PMKSCategory.objects.order_by("code")[:2])
    client_services.person_set_photo(person=person, upload=png_upload("face.png"), changed_by=front_desk)
    client_services.household_set_photo(household=household, upload=png_upload(), changed_by=front_desk)

    complaint = client_services.complaint_file(
        kind=Complaint.Kind.WRONG_DATA, description="Nama Yohana salah tulis di KK", received_by=front_desk,
        person=person, complainant_name="Yohana Lawing", complainant_phone="081234567890",
    )
    client_services.complaint_set_status(complaint=complaint, status=Complaint.Status.RESOLVED,
                                         resolution="Nama diperbaiki sesuai KTP", officer=data_officer)

    registration = Desk.objects.get(code="REG")
    ticket = desk_services.ticket_issue(desk=registration, person=person)
    desk_services.ticket_call_next(desk=registration, officer=front_desk)
    desk_services.ticket_start(ticket=ticket, officer=front_desk)
    desk_services.ticket_finish(ticket=ticket, officer=front_desk, note="Butuh kursi roda")

    case = referral_services.case_open(
        person=person, pathway="listed", override_reason="Kartu KKS 2015 ditunjukkan", decided_by=front_desk,
        services=[Service.objects.get(code="DINKES-BEROBAT")], note="Sakit gula sejak 2019",
    )
    referral = case.referrals.get()
    attachment = referral_services.referral_attach(
        referral=referral, actor=front_desk,
        upload=SimpleUploadedFile("ktp yohana.pdf", PDF, content_type="application/pdf"),
    )
    for action in ("receive", "accept"):
        referral_services.referral_transition(referral=referral, action=action, actor=alice)
    referral_services.referral_transition(referral=referral, action="complete", actor=alice, outcome="granted",
                                          outcome_detail="Insulin gratis tiga bulan")
    referral.refresh_from_db()

    assessment = _approved_survey(household, head)
    audit_record(user=front_desk, action="view_person", obj=person, summary="opened")
    person.refresh_from_db()
    household.refresh_from_db()
    return Subject(person=person, spouse=spouse, household=household, complaint=complaint, referral=referral,
                   attachment=attachment, assessment=assessment)


def _approved_survey(household: Household, head) -> Assessment:
    """Surveyed with the best answers (not poor), validated, approved by decree."""
    validator = factories.user_with_role("validator", username="sri")
    surveyor = factories.user_with_role("surveyor", username="andi")
    batch = verivali_services.batch_create(
        name="Verivali 2026", code="VV-2026-1", period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31), kecamatan=[Region.objects.get(code="64.03.05")],
        created_by=validator,
    )
    assessment = verivali_services.batch_add_household(batch=batch, household=household)
    verivali_services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    submitted(assessment, surveyor, ScorecardVersion.objects.get(number=1), value=4)
    Assessment.objects.filter(pk=assessment.pk).update(notes="Rumah panggung dekat sungai")
    verivali_services.assessment_validate(assessment=assessment, validator=validator)
    verivali_services.batch_approve(batch=batch, head=head, decree_number="188.45/12/2026",
                                    decree_date=datetime.date(2026, 12, 20))
    assessment.refresh_from_db()
    return assessment
