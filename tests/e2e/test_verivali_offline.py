"""A surveyor without signal: the assignments downloaded online, a survey with a member moved, a
newborn and three photos made offline, kept through a closed page, sent once when the connection
returns; a household found moved to another village, recorded offline, reaches the office as
moved; a household nobody listed is registered on the phone and reaches the office with its survey; a survey the validator returned meanwhile shows as a conflict (with both copies' outcome)
and nothing is lost."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.images import process_image
from clients.models import Region
from tests import factories
from tests.e2e.conftest import login, screenshot
from tests.verivali.conftest import all_answers, png_upload
from tests.workers import wait_for
from verivali import services
from verivali.models import Assessment, MemberCheck, OfflineSend, ScorecardVersion

PHONE = {"width": 375, "height": 740}


def _households(surveyor, validator):
    batch = services.batch_create(
        name="Verivali Desember 2026", code="VV-OFF", period_start=datetime.date(2026, 12, 1),
        period_end=datetime.date(2026, 12, 31), kecamatan=[Region.objects.get(code="64.03.05")], created_by=validator,
    )
    first = factories.HouseholdFactory(address="Jl. Pulau Derawan 1", registry_status="in_verification")
    factories.PersonFactory(household=first, full_name="Siti Aminah")
    moved = factories.PersonFactory(household=first, full_name="Rudi Hartono", relationship="child", sex="L")
    second = factories.HouseholdFactory(address="Jl. Pulau Derawan 2", registry_status="in_verification")
    factories.PersonFactory(household=second, full_name="Wati Lestari")
    third = factories.HouseholdFactory(address="Jl. Pulau Derawan 3", registry_status="listed")
    factories.PersonFactory(household=third, full_name="Yohanes Lung")
    one, two, three = (services.batch_add_household(batch=batch, household=h) for h in (first, second, third))
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[one.pk, two.pk, three.pk])
    # the second was started online earlier: a complete draft with a photo; the third has its photo
    services.survey_save_draft(assessment=two, surveyor=surveyor,
                               answers=all_answers(ScorecardVersion.objects.get(number=1), 3),
                               photos={"front": process_image(png_upload())})
    services.survey_save_draft(assessment=three, surveyor=surveyor, answers={},
                               photos={"front": process_image(png_upload())})
    return one, two, three, moved


def _photo(name, colour):
    return {"name": name, "mimeType": "image/png", "buffer": png_upload(colour=colour).read()}


@pytest.mark.django_db(transaction=True)
def test_a_survey_made_without_signal_is_kept_and_sent_once(reference_data, new_page):
    surveyor = factories.user_with_role("surveyor", username="andi", first_name="Andi")
    validator = factories.user_with_role("validator", username="sri")
    one, two, three, moved = _households(surveyor, validator)
    target = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(pk=three.household.village_id).first()

    page = new_page(viewport=PHONE)
    context = page.context
    login(page, "andi", factories.PASSWORD)
    page.goto(reverse("verivali:offline"))
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the pages are kept
    page.get_by_test_id("download").click()
    households = page.get_by_test_id("household")
    expect(households).to_have_count(3)

    # No signal: the app opens from the phone, the survey is made and kept on it.
    context.set_offline(True)
    page.reload()
    expect(households).to_have_count(3)
    page.locator(f"[data-testid=household][data-id='{one.pk}']").get_by_role("link").click()
    page.locator(f"label[for='m-{moved.pk}-moved']").click()
    page.locator("#offline-newborn-add summary").click()
    page.fill("#newborn-name", "Bayi Aminah")
    page.select_option("#newborn-sex", "P")
    page.fill("#newborn-birth-date", "2026-11-20")
    page.get_by_test_id("newborn-add").click()
    questions = page.get_by_test_id("question")
    expect(questions).to_have_count(16)
    for index in range(16):
        questions.nth(index).locator("label").nth(1).click()  # the second option: scored 2
    for kind, colour in (("front", (30, 120, 60)), ("inside", (120, 30, 60)), ("family", (60, 30, 120))):
        page.get_by_test_id(f"photo-{kind}").set_input_files(files=[_photo(f"{kind}.png", colour)])
    expect(page.get_by_test_id("photo-preview")).to_have_count(3)
    screenshot(page, "verivali-offline-1-survey")
    page.get_by_test_id("finish").click()
    expect(page.locator(f"[data-testid=household][data-id='{one.pk}'] [data-testid=state]")).to_have_text(
        "Hanya di HP ini")

    # The page is closed and opened again, still offline: everything is there.
    page.close()
    page = context.new_page()
    page.goto(reverse("verivali:offline_survey") + f"?a={one.pk}")
    expect(page.locator(f"#m-{moved.pk}-moved")).to_be_checked()
    expect(page.get_by_test_id("newborn")).to_contain_text("Bayi Aminah")
    expect(page.get_by_test_id("question").nth(15).locator("input").nth(1)).to_be_checked()
    expect(page.get_by_test_id("photo-preview")).to_have_count(3)
    # The third household moved to another village: the outcome, without the questions.
    page.goto(reverse("verivali:offline_survey") + f"?a={three.pk}")
    page.locator("label[for='outcome-moved']").click()
    page.select_option("#moved-village", str(target.pk))
    page.fill("#moved-address", "Jl. Murjani II No. 5")
    page.get_by_test_id("finish").click()
    expect(page.get_by_test_id("offline-list")).to_be_visible()
    # A household nobody listed, found next door: registered on the phone, its survey begun.
    page.locator("#offline-field summary").click()
    page.select_option("#field-village", index=1)
    page.fill("#field-address", "Jl. Pulau Derawan 4")
    page.fill("#field-m0-full_name", "Yohanes Lung")
    page.select_option("#field-m0-relationship", "head")
    page.select_option("#field-m0-sex", "L")
    page.get_by_test_id("field-save").click()
    page.locator("label[for='q-H01-1']").click()
    # The answer is written to the phone's database a moment after the tap: leaving the page sooner
    # would leave the field household's survey empty (as a surveyor who closed the browser at once).
    page.wait_for_function("() => PanduOffline.db.households.filter(r => Boolean(r.field) && r.answers.H01 !== undefined)"
                           ".count()")
    # Meanwhile the second household, on the phone, gets another answer...
    page.goto(reverse("verivali:offline_survey") + f"?a={two.pk}")
    page.locator("label[for='q-H01-4']").click()
    # ...while at the office it was submitted from another device and the validator returned it.
    services.survey_submit(assessment=two, surveyor=surveyor)
    services.assessment_return(assessment=two, validator=validator, note="Foto dapur kurang jelas")

    # The signal returns: the list sends by itself; the finished survey goes with its three photos,
    # the other is a conflict.
    context.set_offline(False)
    page.goto(reverse("verivali:offline"))
    first = page.locator(f"[data-testid=household][data-id='{one.pk}']")
    expect(first).to_have_attribute("data-state", "sent")
    expect(first).not_to_contain_text("Pulau Derawan 1")  # its personal data left the phone
    second = page.locator(f"[data-testid=household][data-id='{two.pk}']")
    expect(second).to_have_attribute("data-state", "conflict")
    expect(page.locator(f"[data-testid=household][data-id='{three.pk}']")).to_have_attribute("data-state", "sent")
    three.refresh_from_db()
    assert (three.status, three.outcome, three.moved_village, three.moved_address) == (
        Assessment.Status.SUBMITTED, Assessment.Outcome.MOVED, target, "Jl. Murjani II No. 5")
    # The household found in the field goes first, its survey after it: wait for the survey too.
    found = wait_for(lambda: Assessment.objects.filter(source=Assessment.Source.FIELD, answers__isnull=False).first(),
                     what="the field household's survey at the office", timeout=15)
    assert (found.household.address, found.household.registry_status, found.surveyor) == (
        "Jl. Pulau Derawan 4", "in_verification", surveyor)
    assert found.answers.get(indicator__code="H01").value == 1
    one.refresh_from_db()
    assert one.status == Assessment.Status.SUBMITTED and one.photos.count() == 3
    assert one.member_checks.get(person=moved).finding == MemberCheck.Finding.MOVED
    assert one.member_checks.filter(finding=MemberCheck.Finding.BORN, full_name="Bayi Aminah").count() == 1
    sends = OfflineSend.objects.count()

    # Sending again changes nothing.
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("offline-message")).to_contain_text("Tidak ada yang menunggu dikirim")
    assert OfflineSend.objects.count() == sends and one.photos.count() == 3

    # The conflict shows both copies; the phone's answer is still there.
    second.get_by_role("link").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Foto dapur kurang jelas")
    expect(conflict.get_by_test_id("conflict-table")).to_contain_text("H01")
    expect(conflict.get_by_test_id("conflict-outcome")).to_contain_text("Ditemukan sesuai data")
    expect(page.locator("#q-H01-4")).to_be_checked()
    screenshot(page, "verivali-offline-2-conflict")
    # Logging out would delete it: refused with a warning.
    page.locator(".navbar-toggler").click()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Keluar", exact=True).click()
    expect(page.get_by_test_id("logout-warning")).to_be_visible()
    # The surveyor keeps their copy: back on the list it goes on top of the returned one.
    page.get_by_test_id("keep-mine").click()
    expect(second).to_have_attribute("data-state", "sent")
    two.refresh_from_db()
    assert two.status == Assessment.Status.RETURNED and two.answers.get(indicator__code="H01").value == 4
