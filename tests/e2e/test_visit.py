"""The visit, whole (issue 15): one ticket carries a citizen through every desk they need, and
the office learns every outcome.

A pregnant citizen's ticket is called before an earlier regular one; the front desk finds her
with a misspelled name, opens a case with two needs at two agency desks; the ticket goes to the
first desk and then to the second without the front desk touching it (after a needs
assessment by domain); the second desk's
officer refers a third need; the outcomes are recorded; a front-desk colleague who took no part
sees them; the head's dashboard counts them.
"""

import re

import pytest
from playwright.sync_api import expect

from clients.models import Person
from desks.models import Desk, Service, Ticket
from referrals.models import Case
from tests import factories
from tests.e2e.conftest import login, screenshot


def _misspelled(name: str) -> str:
    """The name as a hurried officer types it: one letter of its longest word dropped."""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    words[longest] = word[:2] + word[3:]
    return " ".join(words)


def _record_outcome(page, referral, detail):
    item = page.get_by_test_id(f"workspace-referral-{referral.pk}")
    expect(item).to_contain_text(referral.number)
    item.get_by_role("button", name="Terima berkas").click()
    item.get_by_role("button", name="Setujui").click()
    item.get_by_label("Hasil").select_option("granted")
    item.get_by_label("Diberikan apa / mengapa tidak").fill(detail)
    item.get_by_label("Bentuk bantuan (bila diberikan)").select_option("in_kind")
    item.get_by_role("button", name="Catat hasil").click()
    expect(page.locator(".alert-success")).to_contain_text(referral.number)


def _completed_at(page, provider_code):
    provider_id = Desk.objects.get(code=provider_code).provider_id
    cell = page.locator(f"a[href*='provider={provider_id}&state=completed']")
    return int(cell.inner_text().replace(".", "").replace(",", "")) if cell.count() else 0


@pytest.mark.django_db(transaction=True)
def test_one_ticket_carries_the_citizen_through_every_desk_and_the_office_learns_the_outcomes(
    demo_office, new_page
):
    person = (
        Person.objects.filter(household__registry_status="listed", nik__isnull=False, relationship="head",
                              life_status="active")
        .exclude(cases__referrals__service__code__in=["DINKES-BEROBAT", "DISDIK-BIAYA", "DINSOS-UEP"])
        .order_by("pk")
        .first()
    )
    head = new_page()
    login(head, "kepala")
    head.goto("/dashboard/")
    completed_before = {code: _completed_at(head, code) for code in ("DINKES", "DISDIK")}

    # A regular ticket, then a pregnant citizen's: hers is called first.
    desk = new_page()
    login(desk, "loket")
    desk.locator("[data-testid=nav]").get_by_role("link", name="Antrean").click()
    desk.get_by_test_id("issue-ticket").click()
    regular = desk.get_by_test_id("receipt").inner_text()
    desk.get_by_role("link", name="Kembali ke loket").click()
    desk.get_by_label("Keperluan").select_option(label="Rujukan atau layanan")
    desk.get_by_label("Prioritas", exact=True).select_option(label="Ibu hamil")
    desk.get_by_test_id("issue-ticket").click()
    desk.get_by_role("link", name="Kembali ke loket").click()
    desk.get_by_test_id("call-next").click()
    number = desk.get_by_test_id("current-number").inner_text()
    assert number not in regular
    ticket = Ticket.objects.get(number=number, issued_on=Ticket.objects.latest("pk").issued_on)
    assert ticket.priority == "pregnant"
    desk.get_by_role("button", name="Warga hadir: mulai").click()

    # The fuzzy search finds her under a misspelled name; the ticket follows to her page.
    desk.get_by_test_id("find-person").click()
    desk.get_by_test_id("search-box").fill(_misspelled(person.full_name))
    desk.get_by_role("button", name="Cari").click()
    desk.get_by_test_id("search-results").get_by_role("link", name=person.full_name).first.click()
    expect(desk.locator("[data-testid=person-name]")).to_have_text(person.full_name)
    desk.get_by_test_id("link-ticket").click()
    expect(desk.get_by_test_id("serving-ticket")).to_contain_text(number)

    # A case with two needs at two agency desks plans the visit and sends her to the first.
    # The needs assessment, domain by domain: health and education are referred, the lost
    # identity card is handled at the office.
    desk.get_by_test_id("person-referrals").get_by_role("link", name="Buka kasus").click()
    desk.fill("[name=need_health]", "Berobat mata, tidak mampu bayar")
    desk.get_by_label(re.compile("Keringanan/gratis biaya berobat")).check()
    desk.fill("[name=need_education]", "Anak SD belum bayar uang sekolah")
    desk.get_by_label(re.compile("Bantuan biaya sekolah")).check()
    desk.fill("[name=need_civil_documents]", "KTP hilang")
    desk.fill("[name=handled_civil_documents]", "Surat keterangan kehilangan dibuatkan")
    desk.get_by_role("button", name="Buka kasus dan kirim rujukan").click()
    case = Case.objects.get(ticket=ticket)
    assert sorted(case.needs.values_list("domain", flat=True)) == ["civil_documents", "education", "health"]
    assert case.needs.get(domain="civil_documents").handled_at is not None
    health = case.referrals.get(service__code="DINKES-BEROBAT")
    school = case.referrals.get(service__code="DISDIK-BIAYA")
    ticket.refresh_from_db()
    assert ticket.desk.code == "DINKES"
    screenshot(desk, "visit-case-opened")

    # Desk 1: the health officer calls her, records the outcome, finishes: on to desk 2.
    dinkes = new_page()
    login(dinkes, "dinkes")
    dinkes.goto("/referrals/workspace/")
    dinkes.get_by_test_id("call-next").click()
    expect(dinkes.get_by_test_id("current-number")).to_have_text(number)
    dinkes.get_by_role("button", name="Warga hadir: mulai").click()
    _record_outcome(dinkes, health, "Gratis berobat di Puskesmas Tanjung Redeb")
    dinkes.get_by_test_id("ticket-finish").click()
    ticket.refresh_from_db()
    assert (ticket.desk.code, ticket.status) == ("DISDIK", "waiting")  # the front desk did nothing

    # Desk 2: the education officer serves her and finds a third need, which joins the visit.
    disdik = new_page()
    login(disdik, "disdik")
    disdik.goto("/referrals/workspace/")
    disdik.get_by_test_id("call-next").click()
    expect(disdik.get_by_test_id("current-number")).to_have_text(number)
    disdik.get_by_role("button", name="Warga hadir: mulai").click()
    livelihood = Service.objects.get(code="DINSOS-UEP")
    add_need = disdik.get_by_test_id("workspace-add-need")
    add_need.get_by_label("Kebutuhan lain").select_option(str(livelihood.pk))
    add_need.get_by_role("button", name="Rujuk kebutuhan ini juga").click()
    expect(disdik.locator(".alert-success")).to_contain_text("Dinas Sosial")
    third = case.referrals.get(service=livelihood)
    _record_outcome(disdik, school, "Biaya sekolah SD dibebaskan")
    screenshot(disdik, "visit-second-desk")
    disdik.get_by_test_id("ticket-finish").click()
    ticket.refresh_from_db()
    assert (ticket.desk.code, ticket.status) == ("DINSOS", "waiting")
    assert third.status == "sent"

    # A front-desk colleague who took no part sees both outcomes as news.
    colleague = factories.user_with_role("front_desk", username="loket2", first_name="Dewi")
    colleague.set_password("Pandu-demo-2026")
    colleague.save()
    other = new_page()
    login(other, "loket2")
    other.goto("/referrals/outcomes/")
    outcomes = other.get_by_test_id("outcome-list")
    expect(outcomes).to_contain_text(health.number)
    expect(outcomes).to_contain_text(school.number)

    # The head's dashboard counts them.
    head.goto("/dashboard/")
    assert _completed_at(head, "DINKES") == completed_before["DINKES"] + 1
    assert _completed_at(head, "DISDIK") == completed_before["DISDIK"] + 1
    screenshot(head, "visit-dashboard")
