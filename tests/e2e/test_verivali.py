"""Verivali from batch to decree: the validator prepares, the surveyor surveys on a phone, the
validator returns once then validates, the head approves with the SK, the household is listed."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from clients.models import Household, Region
from tests.e2e.conftest import login, screenshot
from verivali import services as vv
from verivali.models import Assessment

PHONE = {"width": 375, "height": 740}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 110, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_verivali_from_batch_to_decree(demo_office, new_page):
    household = (
        Household.objects.filter(verivali_assessments__isnull=True, kk_number__isnull=False)
        .exclude(registry_status="listed")
        .select_related("village__parent")
        .first()
    )
    kk = household.kk_number

    # The validator creates a batch, adds the household by KK and assigns it to Andi.
    validator = new_page()
    login(validator, "validator")
    validator.goto(reverse("verivali:batch_list"))
    validator.get_by_test_id("new-batch").click()
    validator.fill("input[name=name]", "Verivali Desember 2026")
    validator.fill("input[name=code]", "VV-E2E")
    validator.fill("input[name=period_start]", "2026-12-01")
    validator.fill("input[name=period_end]", "2026-12-31")
    validator.select_option("select[name=kecamatan]", value=str(household.village.parent_id))
    validator.locator("input[type=submit]").click()
    expect(validator.get_by_test_id("batch-status")).to_have_text("Draf")
    form = validator.get_by_test_id("add-household")
    form.locator("input[name=kk_number]").fill(kk)
    form.get_by_role("button").click()
    row = validator.locator(f"[data-testid=batch-households] tr[data-kk='{kk}']")
    row.locator("select[name=surveyor]").select_option(label="Andi Pratama")
    row.get_by_role("button").click()
    expect(row).to_contain_text("Andi Pratama")
    expect(validator.get_by_test_id("batch-status")).to_have_text("Di lapangan")
    screenshot(validator, "verivali-1-batch")
    assessment = Assessment.objects.get(batch__code="VV-E2E")

    # The surveyor, on a phone, with the location allowed, answers everything and submits with a photo.
    surveyor = new_page(viewport=PHONE)
    surveyor.context.grant_permissions(["geolocation"])
    surveyor.context.set_geolocation({"latitude": 2.1532, "longitude": 117.4915})
    login(surveyor, "surveyor")
    surveyor.goto(reverse("verivali:mine"))
    card = surveyor.locator(f"[data-testid=assignment][data-kk='{kk}']")
    expect(card).to_be_visible()
    screenshot(surveyor, "verivali-2-my-assignments-phone")
    card.get_by_role("link").click()
    expect(surveyor.get_by_test_id("location-status")).to_contain_text("Lokasi tercatat")
    questions = surveyor.get_by_test_id("question")
    expect(questions).to_have_count(16)
    for index in range(16):
        questions.nth(index).locator("label").nth(1).click()  # the second option: scored 2
    # Answers not yet saved survive leaving the page and coming back (kept in the phone's browser).
    surveyor.goto(surveyor.url)
    expect(questions.nth(15).locator("input[type=radio]").nth(1)).to_be_checked()
    surveyor.set_input_files(
        "input[name=photo_front]",
        files=[{"name": "depan.png", "mimeType": "image/png", "buffer": _png()}],
    )
    screenshot(surveyor, "verivali-3-survey-phone")
    surveyor.get_by_test_id("submit-survey").click()
    expect(surveyor.get_by_test_id("assessment-status")).to_have_text("Diajukan")
    expect(surveyor.get_by_test_id("score").first).to_have_text("32")
    # Sent to the office: the phone keeps no copy of the answers.
    assert surveyor.evaluate(f"window.localStorage.getItem('verivali-survey-{assessment.pk}')") is None
    assessment.refresh_from_db()
    assert assessment.latitude is not None and assessment.photos.count() == 1

    # The validator returns it once with a note.
    validator.goto(reverse("verivali:assessment_detail", args=[assessment.pk]))
    expect(validator.get_by_test_id("photo")).to_be_visible()
    validator.fill("textarea[name=note]", "Jawaban atap tidak sesuai foto; mohon dicek.")
    validator.get_by_test_id("return").click()
    expect(validator.get_by_test_id("assessment-status")).to_have_text("Dikembalikan ke surveyor")

    # The surveyor sees the note, fixes the roof answer and submits again.
    surveyor.goto(reverse("verivali:mine"))
    expect(card.get_by_test_id("return-note")).to_contain_text("atap")
    card.get_by_role("link").click()
    surveyor.get_by_test_id("question").nth(2).locator("label").nth(2).click()  # roof: scored 3
    screenshot(surveyor, "verivali-4-fix-phone")
    surveyor.get_by_test_id("submit-survey").click()
    expect(surveyor.get_by_test_id("assessment-status")).to_have_text("Diajukan")
    expect(surveyor.get_by_test_id("score").first).to_have_text("33")

    # The validator validates.
    validator.goto(reverse("verivali:assessment_detail", args=[assessment.pk]))
    expect(validator.get_by_test_id("return-note")).to_be_visible()
    validator.get_by_test_id("validate").click()
    expect(validator.get_by_test_id("assessment-status")).to_have_text("Divalidasi")
    screenshot(validator, "verivali-5-validated")

    # The surveyor finds a second household moved within Berau and registers a poor household
    # nobody listed; the validator sees both on the batch page and validates them.
    second = (Household.objects.filter(verivali_assessments__isnull=True, kk_number__isnull=False)
              .exclude(pk=household.pk).first())
    moved = vv.batch_add_household(batch=assessment.batch, household=second)
    vv.assignments_assign(batch=assessment.batch, surveyor=assessment.surveyor, assessment_ids=[moved.pk])
    target = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).exclude(pk=second.village_id).first()
    surveyor.goto(reverse("verivali:survey", args=[moved.pk]))
    surveyor.check("input[name=outcome][value=moved]")
    surveyor.get_by_test_id("outcome-moved").locator("summary").click()
    surveyor.select_option("select[name=moved_village]", value=str(target.pk))
    surveyor.fill("input[name=moved_address]", "Jl. Pulau Derawan 3")
    surveyor.set_input_files("input[name=photo_front]", files=[{"name": "a.png", "mimeType": "image/png", "buffer": _png()}])
    surveyor.get_by_test_id("submit-survey").click()
    expect(surveyor.get_by_test_id("outcome-badge")).to_have_text("Pindah alamat")
    surveyor.goto(reverse("verivali:mine"))
    surveyor.get_by_test_id("propose-household").get_by_role("link").first.click()
    surveyor.select_option("select[name=village]", value=str(household.village_id))
    surveyor.fill("input[name=address]", "Pondok kebun RT 7")
    surveyor.fill("input[name='members-0-full_name']", "Yakobus Ding")
    surveyor.select_option("select[name='members-0-relationship']", "head")
    surveyor.select_option("select[name='members-0-sex']", "L")
    surveyor.get_by_test_id("propose").click()
    for index in range(16):
        surveyor.get_by_test_id("question").nth(index).locator("label").first.click()  # scored 1
    surveyor.set_input_files("input[name=photo_front]", files=[{"name": "b.png", "mimeType": "image/png", "buffer": _png()}])
    surveyor.get_by_test_id("submit-survey").click()
    expect(surveyor.get_by_test_id("new-household")).to_be_visible()
    found = Assessment.objects.get(batch=assessment.batch, source="field")
    validator.goto(reverse("verivali:batch_detail", args=[assessment.batch_id]))
    expect(validator.locator("[data-testid=outcome-counts] [data-outcome=moved]")).to_contain_text("1")
    expect(validator.locator("[data-testid=outcome-counts] [data-outcome=new]")).to_contain_text("1")
    screenshot(validator, "verivali-5b-outcomes")
    for other in (moved, found):
        validator.goto(reverse("verivali:assessment_detail", args=[other.pk]))
        validator.get_by_test_id("validate").click()
        expect(validator.get_by_test_id("assessment-status")).to_have_text("Divalidasi")

    # The head approves the batch with the Bupati's decree.
    head = new_page()
    login(head, "kepala")
    head.on("dialog", lambda dialog: dialog.accept())
    head.goto(reverse("verivali:batch_detail", args=[assessment.batch_id]))
    approve = head.get_by_test_id("approve-batch")
    approve.locator("input[name=decree_number]").fill("188.45/777/DINSOS/2026")
    approve.locator("input[name=decree_date]").fill("2026-12-28")
    head.get_by_test_id("approve").click()
    expect(head.get_by_test_id("batch-status")).to_have_text("Disetujui dengan SK")
    expect(head.get_by_test_id("batch-decree")).to_contain_text("188.45/777/DINSOS/2026")
    screenshot(head, "verivali-6-approved")

    # The household is listed, with the batch as its source.
    head.goto(reverse("verivali:assessment_detail", args=[assessment.pk]))
    section = head.get_by_test_id("verivali-household-section")
    expect(section.get_by_test_id("registry-status")).to_contain_text("Terdaftar")
    expect(section.get_by_test_id("registry-source")).to_have_text("VERIVALI:VV-E2E")
    expect(section.get_by_test_id("registry-status")).to_contain_text("(2026)")
    screenshot(head, "verivali-7-household-listed")
    head.goto(reverse("verivali:whatif"))
    head.get_by_role("button", name="Bandingkan").click()
    expect(head.get_by_test_id("whatif-matrix")).to_be_visible()
    screenshot(head, "verivali-8-whatif")
    household.refresh_from_db()
    assert (household.registry_status, household.registry_source, household.registry_year) == (
        "listed",
        "VERIVALI:VV-E2E",
        2026,
    )
    second.refresh_from_db()
    assert (second.village, second.address) == (target, "Jl. Pulau Derawan 3")
    assert Household.objects.get(pk=found.household_id).registry_status == "listed"
