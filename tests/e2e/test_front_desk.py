"""The front desk's journey: take a ticket and call it, find a person typed in old spelling,
register a new household with two members (one without NIK), be stopped by a duplicate NIK,
upload a photo, link the visit, file a complaint, send the ticket on to the data desk, and
see the waiting-room display show it called there.
"""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Complaint, Household, Person, Region, RegistryStatus
from clients.nik import make_nik
from tests import factories
from tests.e2e.conftest import login, screenshot


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_front_desk_finds_registers_and_files_a_complaint(demo_office, new_page):
    known = factories.PersonFactory(full_name="Sukarno Hadi Saputra", sex="L", birth_date=datetime.date(1961, 8, 17))
    display = new_page(viewport={"width": 1280, "height": 720})
    display.goto("/queue/display/")
    page = new_page()
    login(page, "loket")

    # The citizen takes a ticket; the registration desk calls it.
    page.get_by_role("link", name="Antrean").click()
    page.get_by_test_id("issue-ticket").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("A-001")
    page.get_by_role("link", name="Kembali ke loket").click()
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).to_have_text("A-001")
    desk_url = page.url
    page.get_by_role("button", name="Warga hadir: mulai").click()
    page.get_by_test_id("find-person").click()
    expect(page.get_by_test_id("serving-ticket")).to_contain_text("A-001")

    # Search a name typed with an old spelling: found as you type.
    page.fill("[data-testid=search-box]", "Soekarno Hadi Saputra")
    first = page.locator("[data-testid=search-result]").first
    expect(first).to_contain_text("Sukarno Hadi Saputra")
    expect(first).to_contain_text(known.nik)
    screenshot(page, "front_desk_search")

    # Register a new household.
    page.click("[data-testid=register-household]")
    village = Region.objects.get(code="64.03.05.1004")
    page.fill("input[name=kk_number]", "6403 0512 0399 0001")
    page.fill("input[name=address]", "Jl. Pulau Panjang No. 12")
    page.fill("input[name=rt]", "4")
    page.fill("input[name=rw]", "2")
    page.select_option("#id_kecamatan", str(village.parent_id))
    expect(page.locator("#id_village optgroup")).to_have_count(1)  # htmx narrowed the list
    page.select_option("#id_village", str(village.pk))
    page.click("[data-testid=save-household]")
    expect(page.locator("[data-testid=save-person]")).to_be_visible()
    household = Household.objects.get(kk_number="6403051203990001")
    assert (household.rt, household.rw) == ("004", "002")

    # The head, with NIK, then a newborn without NIK.
    birth = datetime.date(1988, 2, 9)
    head_nik = make_nik(kecamatan_code="64.03.05", birth_date=birth, sex="L", serial=4321)
    page.fill("input[name=nik]", head_nik)
    page.fill("input[name=full_name]", "Yohanes Lawing")
    page.select_option("select[name=sex]", "L")
    page.select_option("select[name=relationship]", "head")
    page.fill("input[name=birth_place]", "Long Lanuk")
    page.fill("input[name=birth_date]", birth.isoformat())
    page.click("[data-testid=save-add-another]")
    expect(page.locator(".alert-success")).to_contain_text("Yohanes Lawing")

    page.fill("input[name=no_nik_reason]", "Bayi baru lahir, belum direkam")
    page.fill("input[name=full_name]", "Maria Lawing")
    page.select_option("select[name=sex]", "P")
    page.select_option("select[name=relationship]", "child")
    page.fill("input[name=birth_date]", (timezone.localdate() - datetime.timedelta(days=40)).isoformat())
    page.click("[data-testid=save-add-another]")
    expect(page.locator(".alert-success")).to_contain_text("Maria Lawing")
    assert household.members.count() == 2
    assert household.members.get(full_name="Maria Lawing").nik is None

    # The same NIK again is refused, with a link to the person already registered.
    page.fill("input[name=nik]", head_nik)
    page.fill("input[name=full_name]", "Yohanes Lawing")
    page.select_option("select[name=sex]", "L")
    page.fill("input[name=birth_date]", birth.isoformat())
    page.click("[data-testid=save-person]")
    expect(page.locator("[data-testid=duplicate-person]")).to_be_visible()
    screenshot(page, "front_desk_duplicate_nik")
    page.click("[data-testid=existing-person]")
    expect(page.locator("[data-testid=person-name]")).to_have_text("Yohanes Lawing")
    assert Person.objects.filter(nik=head_nik).count() == 1

    # A photo from the camera.
    page.set_input_files("input[name=photo]", files=[{"name": "foto.png", "mimeType": "image/png", "buffer": _png()}])
    page.locator("input[name=photo]").locator("xpath=..").locator("button[type=submit]").click()
    expect(page.locator("img[data-testid=photo]")).to_be_visible()
    page.wait_for_function("() => document.querySelector('img[data-testid=photo]').naturalWidth > 0")

    # The visit belongs to Yohanes from now on.
    from desks.models import Ticket

    ticket = Ticket.objects.get(number="A-001", issued_on=timezone.localdate())  # the demo has earlier visits
    page.goto(f"/clients/persons/{Person.objects.get(nik=head_nik).pk}/?ticket={ticket.pk}")
    page.get_by_test_id("link-ticket").click()
    expect(page.locator(".alert-success").first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.person.nik == head_nik

    # Poor but not in the database: a complaint puts the household in verification.
    page.goto(f"/clients/households/{household.pk}/")
    page.click("[data-testid=file-complaint]")
    page.select_option("select[name=kind]", "not_in_database")
    page.fill("input[name=complainant_name]", "Yohanes Lawing")
    page.fill("textarea[name=description]", "Rumah papan, penghasilan tidak tetap, belum terdaftar DTKS.")
    page.click("[data-testid=save-complaint]")
    expect(page.locator("[data-testid=complaint-number]")).to_contain_text("PGD-")
    expect(page.locator("[data-testid=registry-badge]")).to_contain_text("verifikasi")
    screenshot(page, "front_desk_complaint")
    household.refresh_from_db()
    assert household.registry_status == RegistryStatus.IN_VERIFICATION
    assert Complaint.objects.filter(household=household).exists()

    # The ticket goes on to the data desk; the data officer calls it; the display shows where.
    page.goto(desk_url)
    expect(page.get_by_test_id("current-person")).to_have_text("Yohanes Lawing")
    page.get_by_test_id("transfer-form").locator("select").select_option(label="B · Loket Data dan Informasi")
    page.get_by_role("button", name="Teruskan").click()
    expect(page.get_by_test_id("no-current")).to_be_visible()
    data = new_page()
    login(data, "data")
    data.get_by_role("link", name="Antrean").click()
    data.get_by_test_id("call-next").click()
    expect(data.get_by_test_id("current-number")).to_have_text("A-001")
    called = display.locator(".called-card").first
    expect(called).to_contain_text("A-001", timeout=5000)
    expect(called).to_contain_text("Loket Data dan Informasi", timeout=5000)
    screenshot(display, "front_desk_display")
