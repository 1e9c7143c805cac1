"""The loop closes: the front desk refers two needs, two providers answer, the front desk learns both.

Three logins (loket, dinkes, disdik) and an anonymous phone scanning the letter's QR code.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from clients.models import Person
from referrals.models import Case
from referrals.selectors import unread_outcome_count
from tests.e2e.conftest import login, screenshot
from tests.referrals.pdf import pdf_bytes_contain

User = get_user_model()


def _open_referral(page, number):
    page.locator("[data-testid=nav]").get_by_role("link", name="Rujukan").click()
    page.fill("input[name=q]", number)
    page.get_by_role("button", name="Saring").click()
    page.get_by_role("link", name=number).click()
    expect(page.locator("[data-testid=referral-number]")).to_have_text(number)


@pytest.mark.django_db(transaction=True)
def test_front_desk_refers_two_needs_and_learns_both_outcomes(demo_office, new_page):
    person = (
        Person.objects.filter(
            household__registry_status="listed", nik__isnull=False, relationship="head"
        )
        .order_by("pk")
        .first()
    )

    news_before = unread_outcome_count(User.objects.get(username="loket"))

    # The front desk opens a case for a listed person with a health and an education need.
    desk = new_page()
    login(desk, "loket")
    desk.locator("[data-testid=nav]").get_by_role("link", name="Buka kasus").click()
    desk.fill("input[name=q]", person.nik)
    desk.get_by_role("button", name="Cari").click()
    desk.locator("[data-testid=person-results]").get_by_role("link", name="Buka kasus").click()
    expect(desk.locator("[data-testid=proposed-pathway]")).to_contain_text("Terdaftar")
    expect(desk.get_by_label("Jalur kelayakan")).to_have_value("listed")
    desk.get_by_label(re.compile("Keringanan/gratis biaya berobat")).check()
    desk.get_by_label(re.compile("Bantuan biaya sekolah")).check()
    desk.get_by_role("button", name="Buka kasus dan kirim rujukan").click()
    expect(desk.locator("[data-testid=person-name]")).to_have_text(person.full_name)
    expect(desk.locator("[data-testid=registry-status]")).to_have_text("Terdaftar")
    case = Case.objects.filter(person=person).latest("pk")
    health = case.referrals.get(service__code="DINKES-BEROBAT")
    school = case.referrals.get(service__code="DISDIK-BIAYA")
    for referral in (health, school):
        row = desk.locator(f"[data-testid=case-referral-{referral.service.code}]")
        expect(row).to_contain_text(referral.number)
        expect(row).to_contain_text("Dikirim")
        href = row.get_by_role("link", name="Surat (PDF)").get_attribute("href")
        letter = desk.request.get(href)
        assert letter.headers["content-type"] == "application/pdf"
        assert letter.body().startswith(b"%PDF-") and len(letter.body()) > 5_000
        assert pdf_bytes_contain(letter.body(), referral.number.encode())
    screenshot(desk, "referrals-case")

    # The health officer receives, accepts and records the outcome.
    dinkes = new_page()
    login(dinkes, "dinkes")
    _open_referral(dinkes, health.number)
    dinkes.get_by_role("button", name="Terima berkas").click()
    dinkes.get_by_role("button", name="Setujui").click()
    complete = dinkes.locator("[data-testid=form-complete]")
    complete.get_by_label("Hasil").select_option("granted")
    complete.get_by_label("Diberikan apa / mengapa tidak").fill(
        "Biaya berobat di RSUD ditanggung penuh"
    )
    complete.get_by_label("Nilai bantuan (Rp)").fill("2750000")
    complete.get_by_role("button", name="Catat hasil").click()
    expect(dinkes.locator(f"[data-testid=status-{health.pk}]")).to_have_text("Selesai · Diberikan")
    expect(dinkes.locator("[data-testid=timeline]")).to_contain_text("Disetujui → Selesai")
    screenshot(dinkes, "referrals-dinkes-completed")

    # The education officer cannot see the health referral, and rejects their own with a reason.
    disdik = new_page()
    login(disdik, "disdik")
    response = disdik.goto(f"/referrals/{health.pk}/")
    assert response.status == 404
    _open_referral(disdik, school.number)
    reject = disdik.locator("[data-testid=form-reject]")
    reject.get_by_label("Alasan").fill("Anak sudah menerima BOS daerah tahun ini")
    reject.get_by_role("button", name="Tolak").click()
    expect(disdik.locator(f"[data-testid=status-{school.pk}]")).to_have_text("Ditolak")

    # The front desk is told: two more new outcomes, both on the case page.
    desk.goto("/")
    badge = desk.locator("[data-testid=outcome-badge]")
    expect(badge.locator(".badge")).to_have_text(str(news_before + 2))
    badge.click()
    outcomes = desk.locator("[data-testid=outcome-list]")
    expect(outcomes).to_contain_text(health.number)
    expect(outcomes).to_contain_text(school.number)
    desk.goto(f"/referrals/cases/{case.pk}/")
    expect(desk.locator("[data-testid=case-referral-DINKES-BEROBAT]")).to_contain_text(
        "Selesai · Diberikan"
    )
    expect(desk.locator("[data-testid=case-referral-DINKES-BEROBAT]")).to_contain_text(
        "ditanggung penuh"
    )
    expect(desk.locator("[data-testid=case-referral-DISDIK-BIAYA]")).to_contain_text("Ditolak")
    expect(desk.locator("[data-testid=case-referral-DISDIK-BIAYA]")).to_contain_text("BOS daerah")
    screenshot(desk, "referrals-case-outcomes")

    # Anyone scanning the letter's QR code sees its status, and no personal data.
    phone = new_page(viewport={"width": 375, "height": 740})
    health.refresh_from_db()
    phone.goto(f"/referrals/verify/{health.token}/")
    expect(phone.locator("[data-testid=verify-number]")).to_have_text(health.number)
    expect(phone.locator("[data-testid=verify-status]")).to_have_text("Selesai · Diberikan")
    content = phone.content()
    assert person.full_name not in content and person.nik not in content
    screenshot(phone, "referrals-verify")


@pytest.mark.django_db(transaction=True)
def test_a_need_is_resolved_at_the_skpd_desk_in_the_same_visit(demo_office, new_page):
    from django.utils import timezone

    from desks.models import Ticket

    person = (
        Person.objects.filter(
            household__registry_status="listed", nik__isnull=False, relationship="head"
        )
        .order_by("-pk")
        .first()
    )
    # The front desk gives a ticket, serves it and opens a case on this visit.
    desk = new_page()
    login(desk, "loket")
    desk.locator("[data-testid=nav]").get_by_role("link", name="Antrean").click()
    desk.get_by_test_id("issue-ticket").click()
    desk.get_by_role("link", name="Kembali ke loket").click()
    desk.get_by_test_id("call-next").click()
    number = desk.get_by_test_id("current-number").inner_text()
    desk.get_by_role("button", name="Warga hadir: mulai").click()
    ticket = Ticket.objects.get(number=number, issued_on=timezone.localdate())
    desk.goto(f"/referrals/cases/new/{person.pk}/?ticket={ticket.pk}")
    desk.get_by_label(re.compile("Jamkesda")).check()
    desk.get_by_role("button", name="Buka kasus dan kirim rujukan").click()
    referral = Case.objects.get(ticket=ticket).referrals.get()
    # Opening the case planned the visit: the ticket went on to the Dinas Kesehatan desk.
    desk.locator("[data-testid=nav]").get_by_role("link", name="Antrean").click()
    expect(desk.get_by_test_id("no-current")).to_be_visible()

    # At the Dinas Kesehatan desk the officer calls the visit and resolves the referral on the spot.
    officer = new_page()
    login(officer, "dinkes")
    officer.locator("[data-testid=nav]").get_by_role("link", name="Meja layanan").click()
    officer.get_by_test_id("call-next").click()
    expect(officer.get_by_test_id("current-number")).to_have_text(number)
    expect(officer.locator("[data-testid=person-name]")).to_have_text(person.full_name)
    expect(officer.locator("[data-testid=registry-status]")).to_have_text("Terdaftar")
    officer.get_by_role("button", name="Warga hadir: mulai").click()
    item = officer.get_by_test_id(f"workspace-referral-{referral.pk}")
    expect(item).to_contain_text(referral.number)
    item.get_by_role("button", name="Terima berkas").click()
    item.get_by_role("button", name="Setujui").click()
    item.get_by_label("Hasil").select_option("granted")
    item.get_by_label("Diberikan apa / mengapa tidak").fill("Kartu Jamkesda diterbitkan hari ini")
    item.get_by_label("Bentuk bantuan (bila diberikan)").select_option("in_kind")
    screenshot(officer, "referrals-workspace")
    item.get_by_role("button", name="Catat hasil").click()
    expect(officer.get_by_test_id("no-referrals")).to_be_visible()
    expect(officer.locator(".alert-success")).to_contain_text(referral.number)
    officer.get_by_test_id("ticket-finish").click()
    expect(officer.get_by_test_id("no-current")).to_be_visible()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "granted")
