"""A paper-only agency answers on the letter's reply slip: the letter is printed with its slip →
the slip's code is typed at Balasan masuk with "granted" → the front desk sees the outcome, and a
citizen at the kiosk reads where it stands, with no personal data."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from clients.models import Person
from desks.models import Service
from referrals import services
from referrals.models import Referral
from tests.e2e.axe import axe_violations, report
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reply_slip_typed_at_balasan_masuk_closes_the_referral(demo_office, new_page):
    from django.contrib.auth import get_user_model

    person = (
        Person.objects.filter(household__registry_status="listed", nik__isnull=False, birth_date__isnull=False)
        .order_by("pk")
        .first()
    )
    case = services.case_open(person=person, pathway="listed", decided_by=get_user_model().objects.get(username="loket"),
                              services=[Service.objects.get(code="BAZNAS-SEHAT")])
    referral = case.referrals.get()

    # The front desk prints the letter: its reply slip carries the referral's return code.
    desk = new_page()
    login(desk, "loket")
    desk.goto(f"/referrals/cases/{case.pk}/")
    href = desk.locator("[data-testid=case-referral-BAZNAS-SEHAT]").get_by_role("link", name="Surat (PDF)").get_attribute("href")
    letter = desk.request.get(href)
    assert letter.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.body())).pages)
    assert "BALASAN RUJUKAN" in text
    code = re.search(r"Kode balasan: ([A-Z0-9]{4}-[A-Z0-9]{4})", text).group(1)
    assert code.replace("-", "") == referral.return_code

    # Baznas ticks "granted" on the slip and sends it back; the desk types the code (a scanner
    # would type it and press Enter).
    desk.locator("[data-testid=nav]").get_by_role("link", name="Balasan masuk").click()
    expect(desk.get_by_test_id("code-input")).to_be_focused()
    desk.get_by_test_id("code-input").fill(code.lower())
    desk.get_by_test_id("code-input").press("Enter")
    found = desk.get_by_test_id("slip-referral")
    expect(found.get_by_test_id("slip-number")).to_have_text(referral.number)
    expect(found.get_by_test_id("slip-person")).to_have_text(person.full_name)
    form = desk.get_by_test_id("slip-form")
    form.get_by_label("Selesai: diberikan").check()
    form.get_by_label(re.compile("Isi slip")).fill("Bantuan biaya pengobatan")
    form.get_by_label(re.compile("Nilai bantuan")).fill("1500000")
    form.get_by_label(re.compile("Ditandatangani oleh")).fill("Hj. Rahmah")
    screenshot(desk, "reply-slip-form")
    violations = axe_violations(desk, label="[loket] Balasan masuk, a referral found")
    form.get_by_role("button", name="Catat slip").click()
    expect(desk.locator(".alert-success")).to_contain_text(referral.number)
    expect(desk.get_by_test_id("code-input")).to_be_focused()  # ready for the next slip
    expect(desk.get_by_test_id("recent-slips")).to_contain_text(referral.number)
    expect(desk.get_by_test_id("recent-slips")).to_contain_text("Selesai · Diberikan")

    # The same code again: the referral is closed now, and the page says so.
    desk.get_by_test_id("code-input").fill(code)
    desk.get_by_test_id("code-input").press("Enter")
    expect(desk.get_by_test_id("slip-closed")).to_be_visible()
    violations += axe_violations(desk, label="[loket] Balasan masuk, a closed referral")
    # A wrong code: a clear error.
    desk.get_by_test_id("code-input").fill("AAAA-AAAA")
    desk.get_by_test_id("code-input").press("Enter")
    expect(desk.get_by_test_id("slip-error")).to_contain_text("Tidak ada rujukan")
    violations += axe_violations(desk, label="[loket] Balasan masuk, a wrong code")

    # The front desk sees the outcome on the referral, from the reply slip.
    desk.goto(f"/referrals/{referral.pk}/")
    expect(desk.locator(f"[data-testid=status-{referral.pk}]").first).to_have_text("Selesai · Diberikan")
    timeline = desk.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("Dari slip balasan")
    expect(timeline).to_contain_text("Hj. Rahmah")
    screenshot(desk, "reply-slip-referral")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED and referral.aid_value == 1_500_000

    # A citizen at the kiosk (no login, a phone-sized screen) checks the referral.
    kiosk = new_page(viewport={"width": 390, "height": 844})
    kiosk.goto("/accounts/login/")
    kiosk.get_by_test_id("status-check-link").click()
    kiosk.get_by_label("Nomor antrean (hari ini) atau nomor rujukan").fill(referral.number)
    kiosk.get_by_label("Tanggal lahir Anda").fill(person.birth_date.isoformat())
    kiosk.get_by_role("button", name="Cek").click()
    answer = kiosk.get_by_test_id("status-answer")
    expect(answer).to_contain_text("Baznas")
    expect(answer).to_contain_text("memberikan")
    expect(answer).to_contain_text("Selesai · Diberikan")
    content = kiosk.content()
    assert person.full_name not in content and person.nik not in content
    assert person.household.address not in content
    screenshot(kiosk, "status-check-answer")
    violations += axe_violations(kiosk, label="[kiosk 390px] the status check's answer")
    assert not violations, report(violations)
