"""Eligibility per service: welfare class (latest validated survey) or desil, PMKS category, age,
village list and "not already in programme X", each answer with its reason; opening a case refuses
a service the person is not eligible for; the head refers anyway with a written reason, kept on
the referral."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.models import Participation, PMKSCategory, Programme, Region
from desks.eligibility import eligibility_for, service_eligibility
from desks.models import EligibilityRule, Service
from referrals import services
from referrals.models import CaseNeed
from tests import factories
from tests.referrals.test_quotas import validated_class

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def aslut(reference_data):
    service = Service.objects.get(code="DINSOS-ASLUT")
    EligibilityRule.objects.create(service=service, welfare_at_most=EligibilityRule.WelfareAtMost.POOR,
                                   decile_at_most=4, min_age=60)
    return service


@pytest.fixture
def grandfather(reference_data):
    household = factories.HouseholdFactory(registry_status="listed")
    return factories.PersonFactory(household=household, full_name="Kakek Usman", sex="L",
                                   birth_date=datetime.date(1950, 2, 2))


def test_welfare_class_or_desil_and_age_with_reasons(aslut, grandfather):
    answer = service_eligibility(aslut, grandfather)
    assert not answer.eligible
    assert answer.reasons == [
        "No validated verivali survey and no national decile for the household; the service is for poor or "
        "poorer or desil 1–4."]
    validated_class(grandfather.household, "near_poor")
    answer = service_eligibility(aslut, grandfather)
    assert answer.reasons == ["Welfare class Near poor (latest validated survey); the service is for poor or "
                              "poorer or desil 1–4."]
    household = grandfather.household
    household.decile, household.decile_as_of = 3, datetime.date(2026, 6, 1)
    household.save()
    answer = service_eligibility(aslut, grandfather)
    assert answer.eligible and answer.met[1].startswith("age ")
    young = factories.PersonFactory(household=household, full_name="Anak", birth_date=datetime.date(2000, 1, 1),
                                    relationship="child")
    assert service_eligibility(aslut, young).reasons[0].startswith("Age ")
    assert "the service is for ages 60 and over." in service_eligibility(aslut, young).reasons[0]


def test_pmks_villages_and_programme_exclusion(grandfather, reference_data):
    service = Service.objects.get(code="DINSOS-RTLH")
    rule = EligibilityRule.objects.create(service=service)
    elderly = PMKSCategory.objects.get(code="LUT") if PMKSCategory.objects.filter(code="LUT").exists() \
        else PMKSCategory.objects.first()
    rule.pmks_categories.set([elderly])
    ring_one = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(pk=grandfather.household.village_id)[:2]
    rule.villages.set(ring_one)
    rule.not_in_programmes.set([Programme.objects.get(code="RTLH")])
    Participation.objects.create(programme=Programme.objects.get(code="RTLH"), household=grandfather.household,
                                 starts_on=datetime.date(2025, 1, 1), source="PUPR", as_of=datetime.date(2025, 1, 1))
    answer = eligibility_for(grandfather, [service])[service.pk]
    assert not answer.eligible
    assert answer.reasons[0] == f"Not recorded in the PMKS categories the service is for: {elderly.name}."
    assert answer.reasons[1].startswith(f"Lives in {grandfather.household.village.name.title()}, not in")
    assert answer.reasons[2] == "The family already receives RTLH."


def test_opening_a_case_refuses_a_service_the_person_is_not_eligible_for(aslut, grandfather, front_desk):
    with pytest.raises(ValidationError, match="not eligible. No validated verivali survey"):
        services.case_open(person=grandfather, pathway="listed", decided_by=front_desk, services=[aslut])


def test_the_head_refers_anyway_with_a_reason_kept_on_the_referral(aslut, grandfather, front_desk, head):
    case = services.case_open(person=grandfather, pathway="listed", decided_by=front_desk, needs=[
        services.NeedInput("social_assistance", "Lansia hidup sendiri, tidak ada penghasilan")])
    need = case.needs.get()
    with pytest.raises(ValidationError, match="Only the head can refer anyway"):
        services.case_add_need(case=case, service=aslut, actor=front_desk, need=need)
    with pytest.raises(ValidationError, match="Only the head can refer a person who is not eligible"):
        services.case_add_need(case=case, service=aslut, actor=front_desk, need=need, override_reason="Darurat")
    referral = services.case_add_need(case=case, service=aslut, actor=head, need=need,
                                      override_reason="Tinggal sendiri, survei verivali belum sampai ke kampungnya")
    assert referral.eligibility_override_by == head
    assert referral.eligibility_override_reason.startswith("Tinggal sendiri")
    assert "No validated verivali survey" in referral.eligibility_reasons
    assert CaseNeed.objects.get(pk=need.pk).referrals.get() == referral


def test_case_pages_show_eligibility_and_the_head_overrides(client, aslut, grandfather, front_desk, head):
    client.force_login(front_desk)
    page = client.get(reverse("referrals:case_open", args=[grandfather.pk])).content.decode()
    assert 'data-testid="not-eligible"' in page and "No validated verivali survey" in page
    case = services.case_open(person=grandfather, pathway="listed", decided_by=front_desk, needs=[
        services.NeedInput("social_assistance", "Lansia terlantar")])
    need = case.needs.get()
    url = reverse("referrals:need_override", args=[case.pk, need.pk])
    assert client.post(url, {"service": aslut.pk, "reason": "x"}).status_code == 403
    client.force_login(head)
    page = client.get(reverse("referrals:case_detail", args=[case.pk])).content.decode()
    assert url in page
    response = client.post(url, {"service": aslut.pk, "reason": "Darurat: hidup sendiri"})
    assert response.status_code == 302
    referral = case.referrals.get()
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Referred anyway by the head" in detail and "Darurat: hidup sendiri" in detail
