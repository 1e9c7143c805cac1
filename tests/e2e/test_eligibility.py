"""The front desk opens a case and sees, beside a service, that the citizen is not eligible and
why; ticking it anyway is refused with the reason, and nothing is saved."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Person
from desks.models import Service
from referrals.models import Case
from tests.e2e.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_front_desk_sees_a_need_not_eligible_with_its_reason(demo_office, new_page):
    aslut = Service.objects.get(code="DINSOS-ASLUT")
    person = next(p for p in Person.objects.filter(household__registry_status="listed", nik__isnull=False,
                                                   life_status="active").order_by("pk")
                  if p.age is not None and p.age < 60)

    cases_before = Case.objects.count()
    page = new_page()
    login(page, "loket")
    page.goto(reverse("clients:person_detail", args=[person.pk]))
    page.locator("[data-testid=person-sections]").get_by_role("link", name="Buka kasus", exact=True).click()
    choice = page.locator("[data-testid=service-choice]").filter(has_text="ASLUT")
    answer = choice.locator("[data-testid=not-eligible]")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(f"{person.age}")
    expect(answer).to_contain_text("60")
    choice.locator("input[type=checkbox]").check()
    page.locator("[data-testid=assessment-social_assistance] textarea").first.fill("Tidak ada penghasilan")
    page.locator("[data-testid=case-open-form] button[type=submit]").click()
    expect(page.locator("[data-testid=case-open-form] .alert-danger")).to_contain_text(aslut.name)
    screenshot(page, "eligibility-refused")
    assert Case.objects.count() == cases_before
